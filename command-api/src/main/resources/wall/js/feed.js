// Alerts and incidents, newest first, with severity. An incident opens its detail.
import { addFeed, painter, touch } from './store.js';
import { esc, num, time } from './format.js';

export function alertItem(a) {
  return {
    kind: 'alert', id: a.alert_id, district: a.district, severity: a.severity,
    at: new Date(a.state === 'cleared' && a.cleared_at ? a.cleared_at : a.raised_at).getTime(),
    title: `${a.metric} ${a.state === 'cleared' ? 'cleared' : `${num(a.value)} over ${num(a.threshold)}`}`,
    data: a,
  };
}

export function incidentItem(i) {
  return {
    kind: 'incident', id: i.incident_id, district: i.district, severity: i.severity,
    at: new Date(i.detected_at).getTime(), title: i.summary || i.pattern_id, data: i,
  };
}

export function mountFeed(root, openIncident) {
  root.addEventListener('click', e => {
    const li = e.target.closest('li[data-kind="incident"]');
    if (li) openIncident(li.dataset.id);
  });
  painter('feed', s => {
    const items = [...s.feed.values()].sort((a, b) => b.at - a.at);
    root.innerHTML = items.map(it => `<li class="sev-${esc(it.severity)}${s.incident?.id === it.id ? ' selected' : ''}"
        data-kind="${it.kind}" data-id="${esc(it.id)}" data-district="${esc(it.district)}">
      <div class="meta"><span class="sev">${esc(it.severity)}</span><span>${it.kind}</span><b>${esc(it.district)}</b>
        <span>${esc(time(new Date(it.at).toISOString()))}</span>${it.data.state ? `<span>${esc(it.data.state)}</span>` : ''}</div>
      <div>${esc(it.title)}</div></li>`).join('');
  });
}

/** A live alert or incident frame. */
export function onFeedFrame(frame) {
  addFeed(frame.type === 'alert' ? alertItem(frame.data) : incidentItem(frame.data));
  touch('feed');
}

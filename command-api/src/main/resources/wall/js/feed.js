// Alerts and incidents, newest first, with severity. An incident opens its detail; an alert carries the moves an
// operator of its district may make on it (acknowledge, resolve) and who handled it.
import { addFeed, painter, state, touch } from './store.js';
import { esc, num, time } from './format.js';
import { moveButtons, onMoveClick } from './work.js';

const NEW_ALERT_MOVES = ['acknowledged', 'resolved'];

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

export function mountFeed(root, openIncident, api) {
  onMoveClick(root, api, (kind, item) => onWorkItem(kind, item), err => window.__wallErrors.push(`alert: ${err.message}`));
  root.addEventListener('click', e => {
    const li = e.target.closest('li[data-kind="incident"]');
    if (li) openIncident(li.dataset.id);
  });
  painter('feed', s => {
    const items = [...s.feed.values()].sort((a, b) => b.at - a.at);
    root.innerHTML = items.map(it => `<li class="sev-${esc(it.severity)}${s.incident?.id === it.id ? ' selected' : ''}"
        data-kind="${it.kind}" data-id="${esc(it.id)}" data-district="${esc(it.district)}">
      <div class="meta"><span class="sev">${esc(it.severity)}</span><span>${it.kind}</span><b>${esc(it.district)}</b>
        <span>${esc(time(new Date(it.at).toISOString()))}</span>${it.data.state ? `<span>${esc(it.data.state)}</span>` : ''}
        ${it.kind === 'alert' && it.data.handling ? `<span class="handling" data-handling="${esc(it.data.handling)}">${esc(handled(it.data))}</span>` : ''}</div>
      <div>${esc(it.title)}</div>${it.kind === 'alert'
        ? `<div class="moves">${moveButtons(s.session, 'alert', it.id, it.district, it.data.allowed_transitions)}</div>` : ''}</li>`).join('');
  });
}

/** A live alert or incident frame; what people did about a stored alert is kept. */
export function onFeedFrame(frame) {
  const item = frame.type === 'alert' ? alertItem(frame.data) : incidentItem(frame.data);
  const known = state.feed.get(`${item.kind}:${item.id}`);
  if (known) item.data = { ...known.data, ...item.data };
  // A raise the job just made: nobody has handled it yet, so it allows what a new alert allows.
  else if (item.kind === 'alert' && !item.data.handling) {
    item.data = { ...item.data, handling: 'new', allowed_transitions: NEW_ALERT_MOVES };
  }
  addFeed(item);
  touch('feed');
}

/** An alert or incident as a person's move left it (the reply, or a live work frame). */
export function onWorkItem(kind, item) {
  if (kind !== 'alert' && kind !== 'incident') return;
  const next = kind === 'alert' ? alertItem(item) : incidentItem(item);
  const known = state.feed.get(`${kind}:${next.id}`);
  next.data = { ...known?.data, ...item };
  if (known) next.at = known.at;
  addFeed(next);
  touch('feed');
}

function handled(a) {
  if (a.handling === 'resolved') return `resolved by ${a.resolved_by}`;
  if (a.handling === 'acknowledged') return `acknowledged by ${a.acknowledged_by}${a.assignee ? ` → ${a.assignee}` : ''}`;
  return 'new';
}

// The shift handover (GET /api/v1/handover): per district what is open, escalated and overdue, with the lists.
// Signed in on the wall (the same tab's session); read again every 30 s.
import { load } from './session.js';
import { Api } from './api.js';

const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const count = (label, n, bad) => `<span>${label} <b class="${bad && n > 0 ? 'bad' : ''}">${n}</b></span>`;
const list = (title, items, line) => (items.length ? `<div class="muted">${title}</div><ul>${items.map(i => `<li>${line(i)}</li>`).join('')}</ul>` : '');

function district(d) {
  const a = d.alerts;
  const i = d.incidents;
  return `<section class="panel" data-district="${esc(d.district)}">
    <h2>${esc(d.district)}</h2>
    <div class="counts">
      ${count('alerts open', a.open)} ${count('new', a.new)} ${count('acknowledged', a.acknowledged)}
      ${count('escalated', a.escalated, true)}
    </div>
    <div class="counts">
      ${count('incidents open', i.open_total)} ${count('open', i.open)} ${count('acknowledged', i.acknowledged)}
      ${count('responding', i.responding)}
    </div>
    <div class="counts">${count('tasks overdue', d.overdue_tasks, true)} ${count('cases overdue', d.overdue_cases, true)}</div>
    ${list('Alerts', d.lists.alerts, x => `${esc(x.effective_severity)} ${esc(x.rule_id)} · ${esc(x.handling)}${x.escalation_level ? ` · escalated ×${x.escalation_level}` : ''}${x.assignee ? ` → ${esc(x.assignee)}` : ''}`)}
    ${list('Incidents', d.lists.incidents, x => `${esc(x.severity)} ${esc(x.summary)} · ${esc(x.state)}`)}
    ${list('Overdue tasks', d.lists.overdue_tasks, x => `${esc(x.department)}: ${esc(x.task)} · ${esc(x.state)} · due ${esc(x.due_at)}`)}
    ${list('Overdue cases', d.lists.overdue_cases, x => `${esc(x.subtype)} → ${esc(x.department)} · ${esc(x.state)} · due ${esc(x.due_at)}`)}
  </section>`;
}

async function refresh(api) {
  try {
    const district = new URLSearchParams(location.search).get('district');
    const body = await api.get(`/api/v1/handover${district ? `?district=${encodeURIComponent(district)}` : ''}`);
    document.getElementById('handover-at').textContent = `as of ${new Date(body.generated_at).toLocaleString()}`;
    document.getElementById('handover').innerHTML = body.districts.map(district).join('');
    document.getElementById('handover-error').textContent = '';
  } catch (e) {
    document.getElementById('handover-error').textContent = e.message;
  }
}

const session = load();
if (!session) {
  location.href = './';
} else {
  const api = new Api(session, () => { location.href = './'; });
  refresh(api);
  setInterval(() => refresh(api), 30_000);
}

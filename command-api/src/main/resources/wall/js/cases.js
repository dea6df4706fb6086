// The grid-case board: how many cases are in each state, the open ones closest to (or past) their SLA with a
// countdown and the moves this user may make on them, and the resolution rate and SLA compliance per district (a
// chart and the figures, as the API computes them from the cases' history). Polled, and re-read soon after a case
// frame or a move.
import { AXIS_MUTED, chart, NO_ANIMATION } from './charts.js';
import { painter, state, touch } from './store.js';
import { countdown, esc } from './format.js';
import { moveButtons, onMoveClick } from './work.js';
import { canAct } from './session.js';

const STATES = ['discovered', 'dispatched', 'handling', 'resolved', 'confirmed', 'reopened', 'closed'];
// Cases someone still has to act on: the open ones against their SLA, the rectified ones awaiting the grid
// worker's confirmation and the reporter's feedback.
const OPEN = ['dispatched', 'handling', 'reopened'];
const WORK = [...OPEN, 'resolved', 'confirmed'];
const DUE_SHOWN = 8;
let api;
let els;
let rates;
let pending = null;
let departments = [];

export function mountCases(elements, theApi) {
  els = elements;
  api = theApi;
  rates = chart(els.rates);
  painter('cases', draw);
  onMoveClick(els.due, api, () => loadCases(), err => window.__wallErrors.push(`case: ${err.message}`));
  api.get('/api/v1/departments').then(d => { departments = d.items; touch('cases'); })
    .catch(err => window.__wallErrors.push(`departments: ${err.message}`));
  // Reassigning an open case: the department chosen beside the button.
  els.due.addEventListener('click', e => {
    const b = e.target.closest('button[data-reassign]');
    if (!b) return;
    const to = b.parentElement.querySelector('select[data-reassign-to]').value;
    b.disabled = true;
    api.post(`/api/v1/cases/${encodeURIComponent(b.dataset.reassign)}/reassignment`, { department: to })
      .then(() => loadCases())
      .catch(err => {
        b.disabled = false;
        window.__wallErrors.push(`case: ${err.message}`);
      });
  });
  // The countdowns move with the clock even when nothing else changes.
  setInterval(() => touch('cases'), 30_000);
}

export async function loadCases() {
  // One count per state (limit=1 reads only the total), the open cases of each open state, and the rates.
  const [counts, open, stats] = await Promise.all([
    Promise.all(STATES.map(s => api.get(`/api/v1/cases?state=${s}&limit=1`).then(r => r.total))),
    Promise.all(WORK.map(s => api.get(`/api/v1/cases?state=${s}&limit=100`).then(r => r.items))),
    api.get('/api/v1/cases/stats?by=district'),
  ]);
  state.cases = {
    byState: Object.fromEntries(STATES.map((s, i) => [s, counts[i]])),
    due: open.flat().sort((a, b) => new Date(a.due_at) - new Date(b.due_at)).slice(0, DUE_SHOWN),
    rates: stats.items.sort((a, b) => a.key.localeCompare(b.key)),
  };
  touch('cases');
}

/** A case frame: re-read the board shortly, once for a burst of frames. */
export function onCaseFrame() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    loadCases();
  }, 2_000);
}

/** Another department for an open case, for a user who may act in its district; '' otherwise. */
function reassign(s, k) {
  if (!OPEN.includes(k.state) || !canAct(s.session, k.district) || departments.length === 0) return '';
  const others = departments.filter(d => d.id !== k.department);
  return `<select class="small" data-reassign-to="${esc(k.case_id)}">${others
    .map(d => `<option value="${esc(d.id)}">${esc(d.name_en)}</option>`).join('')}</select><button type="button"
    class="small" data-reassign="${esc(k.case_id)}">Reassign</button>`;
}

function pct(v) {
  return v === null || v === undefined ? '–' : v.toFixed(2);
}

function draw(s) {
  const c = s.cases;
  if (!c) return;
  els.states.innerHTML = STATES.map(st => `<div data-case-state="${st}"><b>${c.byState[st]}</b><span>${st}</span></div>`).join('');
  const now = Date.now();
  els.due.innerHTML = c.due.map(k => {
    const left = new Date(k.due_at).getTime() - now;
    const open = OPEN.includes(k.state);
    const cls = !open ? 'muted' : left < 0 ? 'overdue' : left < 3_600_000 ? 'soon' : '';
    return `<li data-case-id="${esc(k.case_id)}"><span><b>${esc(k.district)}</b> ${esc(k.subtype)} · ${esc(k.department)} · ${esc(k.state)}</span>
      <span class="${cls}">${esc(open ? countdown(k.due_at, now) : 'rectified')}</span>
      <span class="moves">${moveButtons(s.session, 'case', k.case_id, k.district, k.allowed_transitions)}${reassign(s, k)}</span></li>`;
  }).join('') || '<li class="muted">No open cases.</li>';
  els.table.innerHTML = `<tr><th>district</th><th>cases</th><th>resolved</th><th>%</th><th>within SLA %</th></tr>${
    c.rates.map(r => `<tr data-rate-key="${esc(r.key)}"><td>${esc(r.key)}</td><td data-field="total">${r.total}</td>
      <td data-field="resolved">${r.resolved}</td><td data-field="resolution_rate">${pct(r.resolution_rate)}</td>
      <td data-field="sla_compliance">${pct(r.sla_compliance)}</td></tr>`).join('')}`;
  rates.setOption({
    ...NO_ANIMATION, legend: { top: 0, right: 0, textStyle: { color: '#7f8db0', fontSize: 10 } },
    grid: { left: 30, right: 6, top: 20, bottom: 18 }, tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: c.rates.map(r => r.key), axisLabel: AXIS_MUTED },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: AXIS_MUTED, splitLine: { lineStyle: { color: '#22304d' } } },
    series: [
      { name: 'resolved %', type: 'bar', data: c.rates.map(r => r.resolution_rate), itemStyle: { color: '#2fb67c' } },
      { name: 'within SLA %', type: 'bar', data: c.rates.map(r => r.sla_compliance), itemStyle: { color: '#3d8bfd' } },
    ],
  }, { notMerge: true });
}

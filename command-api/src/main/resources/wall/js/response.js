// A triggered plan's progress, live: every target's state as a stacked bar and a list. Frames can arrive before the
// trigger's reply (the dispatcher starts at once) or after a reload's REST read, so both feed one merge that only
// moves a target forward: a later attempt wins, and within an attempt sent < accepted < a final state.
import { chart, NO_ANIMATION } from './charts.js';
import { painter, state, touch } from './store.js';
import { esc, STATE_COLORS, TARGET_STATES } from './format.js';
import { moveButtons, onMoveClick } from './work.js';
import { canApprove } from './session.js';

const BUFFERED_RUNS = 20;
const STEP = { pending: 0, sent: 1, accepted: 2, cancelling: 2.5 };   // anything else is final
// A run moves forward only: waiting (approval, queue), running, cancelling, then a final state.
const RUN_STEP = { awaiting_approval: 0, queued: 1, running: 2, cancelling: 3 };
const runRank = st => RUN_STEP[st] ?? 4;
const NOTES = {
  awaiting_approval: 'Nothing sent: waiting for a second coordinator of the district to approve.',
  queued: 'Nothing sent yet: queued behind a run holding the same devices.',
  cancelling: 'Cancelling: waiting for each device to say what it did.',
};
const early = new Map();   // run id -> frames that came before the run was shown
let api;
let els;
let bar;
let refetching = false;

export function mountResponse(elements, theApi) {
  els = elements;
  api = theApi;
  bar = chart(els.bar);
  bar.setOption({
    ...NO_ANIMATION, grid: { left: 0, right: 0, top: 4, bottom: 4 },
    xAxis: { type: 'value', show: false, min: 0 }, yAxis: { type: 'category', show: false, data: ['targets'] },
    tooltip: {}, series: [],
  });
  onMoveClick(els.tasks, api, (kind, task) => onTask(task), err => window.__wallErrors.push(`task: ${err.message}`));
  els.approval.addEventListener('click', e => {
    const button = e.target.closest('button[data-approve]');
    if (!button || !state.run) return;
    const approve = button.dataset.approve === 'true';
    const reason = approve ? null : window.prompt('Why reject this run?');
    if (!approve && !reason) return;
    button.disabled = true;
    api.post(`/api/v1/responses/${encodeURIComponent(state.run.run_id)}/approval`, { approve, reason })
      .then(json => { mergeRun(json); touch('run'); })
      .catch(err => { window.__wallErrors.push(`approval: ${err.message}`); button.disabled = false; });
  });
  painter('run', draw);
}

/** A department task as a move left it (the reply, or a live work frame). */
export function onTask(task) {
  const run = state.run;
  if (!run || run.run_id !== task.run_id) return;
  run.tasks.set(task.task_id, task);
  touch('run');
}

/** Shows a run as the REST side returns it (trigger reply or GET /responses/{id}), then applies early frames. */
export function showRun(json) {
  if (!state.run || state.run.run_id !== json.run_id) {
    state.run = { run_id: json.run_id, plan_id: json.plan_id, district: json.district, state: json.state,
      actor: json.actor, total: json.total, counts: json.counts, targets: new Map(), tasks: new Map() };
  }
  mergeRun(json);
  (early.get(json.run_id) || []).forEach(apply);
  early.delete(json.run_id);
  touch('run');
}

/** command_progress and run_progress frames. */
export function onProgress(frame) {
  const runId = frame.data.run_id;
  if (state.run?.run_id === runId) {
    apply(frame);
    touch('run');
    return;
  }
  if (!early.has(runId)) {
    if (early.size >= BUFFERED_RUNS) early.delete(early.keys().next().value);
    early.set(runId, []);
  }
  early.get(runId).push(frame);
}

/** After a dropped notice the live stream has a gap: read the run again. */
export function resync() {
  if (state.run) refetch();
}

function apply(frame) {
  const d = frame.data;
  const run = state.run;
  if (frame.type === 'command_progress') {
    if (d.action !== 'cancel') mergeTarget(run, d.command_id, { device_id: d.device_id, action: d.action, state: d.state, attempt: d.attempt });
  } else {
    run.total = d.total;
    run.counts = d.counts;
    if (runRank(d.state) > runRank(run.state)) {
      run.state = d.state;
      if (runRank(d.state) === 4) {
        touch('incident');
        // The final word is the stored run: it also fills targets whose frames this page never saw.
        refetch();
      }
    }
  }
}

function mergeRun(json) {
  const run = state.run;
  run.total = json.total;
  run.actor = json.actor;
  if (runRank(json.state) >= runRank(run.state)) run.state = json.state;
  run.taskCounts = json.task_counts;
  for (const t of json.tasks || []) run.tasks.set(t.task_id, t);
  for (const t of json.targets || []) {
    mergeTarget(run, t.command_id, { device_id: t.device_id, action: t.action, state: t.state, attempt: t.attempts });
  }
}

function mergeTarget(run, commandId, next) {
  const current = run.targets.get(commandId);
  if (!current || rank(next) >= rank(current)) run.targets.set(commandId, next);
}

function rank(t) {
  return (t.attempt || 0) * 10 + (STEP[t.state] ?? 3);
}

async function refetch() {
  if (refetching || !state.run) return;
  refetching = true;
  try {
    mergeRun(await api.get(`/api/v1/responses/${encodeURIComponent(state.run.run_id)}`));
  } finally {
    refetching = false;
    touch('run');
  }
}

function counts(run) {
  if (run.targets.size < run.total) return run.counts || {};
  const out = Object.fromEntries(TARGET_STATES.map(s => [s, 0]));
  for (const t of run.targets.values()) out[t.state] = (out[t.state] || 0) + 1;
  return out;
}

function draw(s) {
  const run = s.run;
  els.root.hidden = !run;
  els.empty.hidden = !!run;
  if (!run) return;
  const c = counts(run);
  els.root.dataset.runId = run.run_id;
  // A run without a plan is one command to one device (the detail panel's form).
  els.plan.textContent = `${run.plan_id ?? 'single command'} in ${run.district}`;
  els.state.textContent = run.state.replace('_', ' ');
  els.state.className = `badge st-${run.state}`;
  els.note.hidden = !NOTES[run.state];
  els.note.textContent = NOTES[run.state] || '';
  // Approve / Reject: a coordinator of the district who is not the one who triggered it (the API says the same).
  const mayDecide = run.state === 'awaiting_approval' && canApprove(s.session, run);
  els.approval.hidden = run.state !== 'awaiting_approval';
  els.approval.innerHTML = run.state !== 'awaiting_approval' ? ''
    : mayDecide ? '<button data-approve="true">Approve</button> <button data-approve="false">Reject</button>'
      : `<span class="muted">Triggered by ${esc(run.actor || '?')}; another coordinator must approve.</span>`;
  els.counts.innerHTML = `<span data-count="total"><b>${run.total}</b> targets</span>` + TARGET_STATES
    .filter(st => c[st] || ['sent', 'accepted', 'done', 'failed', 'timed_out'].includes(st))
    .map(st => `<span data-count="${st}" class="st-${st}"><b>${c[st] || 0}</b> ${st.replace('_', ' ')}</span>`).join('')
    + taskCounts(run);
  // Created while hidden, the bar has no size yet: measure again now that it shows.
  bar.resize();
  bar.setOption({
    xAxis: { max: Math.max(1, run.total) },
    series: TARGET_STATES.map(st => ({ name: st, type: 'bar', stack: 'all', data: [c[st] || 0],
      itemStyle: { color: STATE_COLORS[st] }, barWidth: 26 })),
  });
  els.tasks.innerHTML = [...run.tasks.values()].map(t => `<li data-task-id="${esc(t.task_id)}" data-state="${esc(t.state)}">
      <span>${esc(t.department)} · ${esc(t.task)}</span> <span class="st-${esc(t.state)}">${esc(t.state.replace('_', ' '))}</span>
      ${moveButtons(s.session, 'task', t.task_id, run.district, t.allowed_transitions)}</li>`).join('');
  els.targets.innerHTML = [...run.targets.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
    .map(([id, t]) => `<li data-command-id="${esc(id)}" data-state="${esc(t.state)}"><span>${esc(t.device_id)} · ${esc(t.action)}</span>
      <span class="st-${esc(t.state)}">${esc(t.state)}${t.attempt > 1 ? ` (try ${t.attempt})` : ''}</span></li>`).join('');
}

/** The run's department tasks beside its commands: open, done, failed, cancelled. */
function taskCounts(run) {
  const tc = { open: 0, done: 0, failed: 0, cancelled: 0 };
  for (const t of run.tasks.values()) {
    const k = ['done', 'failed', 'cancelled'].includes(t.state) ? t.state : 'open';
    tc[k] += 1;
  }
  if (run.tasks.size === 0 && run.taskCounts) Object.assign(tc, run.taskCounts);
  return ' · tasks ' + Object.entries(tc)
    .map(([k, n]) => `<span data-task-count="${k}" class="st-${k === 'open' ? 'accepted' : k}"><b>${n}</b> ${k}</span>`).join(' ');
}

// An incident's detail: the evidence that matched, the suggested response plan, and, for a coordinator of its
// district, the button that triggers the plan; its lifecycle (acknowledge, resolve, close) with who did what. Buttons
// are absent (not just disabled) for users who may not use them; the API refuses them anyway.
import { ApiError } from './api.js';
import { canAct, canTrigger } from './session.js';
import { painter, state, touch } from './store.js';
import { showRun } from './response.js';
import { onWorkItem } from './feed.js';
import { historyList, moveButtons, onMoveClick } from './work.js';
import { esc, num, time } from './format.js';

let api;
let root;
let commentForm;

export function mountIncident(el, theApi, form) {
  root = el;
  api = theApi;
  commentForm = form;
  // Outside the redrawn panel, so a redraw never eats what is being typed.
  form.addEventListener('submit', e => {
    e.preventDefault();
    const input = form.querySelector('input');
    const inc = state.incident;
    if (!inc || !input.value.trim()) return;
    api.post(`/api/v1/incidents/${encodeURIComponent(inc.id)}/comments`, { text: input.value })
      .then(item => {
        input.value = '';
        onIncidentItem(item);
      })
      .catch(err => {
        inc.error = err.message;
        touch('incident');
      });
  });
  root.addEventListener('click', e => {
    if (e.target.id === 'trigger-plan') trigger();
    const runLink = e.target.closest('[data-run-id]');
    if (runLink) e.preventDefault();
    if (runLink) api.get(`/api/v1/responses/${encodeURIComponent(runLink.dataset.runId)}`).then(showRun);
  });
  onMoveClick(root, api, (kind, item) => {
    onIncidentItem(item);
    onWorkItem(kind, item);
  }, err => {
    if (state.incident) state.incident.error = err.message;
    touch('incident');
  });
  painter('incident', draw);
}

/** The incident as a move left it: shown if it is the one open (a live frame has no history: read it again). */
export function onIncidentItem(item) {
  const inc = state.incident;
  if (!inc || inc.id !== item.incident_id) return;
  inc.data = { ...inc.data, ...item };
  inc.error = null;
  touch('incident');
  if (!item.history) {
    api.get(`/api/v1/incidents/${encodeURIComponent(inc.id)}`).then(onIncidentItem).catch(e => console.warn(e));
  } else {
    soonTimeline(inc);
  }
}

/**
 * The timeline read again once for a burst of changes: a move's reply and its own live frame come within
 * milliseconds of each other.
 */
let timelineTimer = null;
function soonTimeline(inc) {
  if (timelineTimer) return;
  timelineTimer = setTimeout(() => {
    timelineTimer = null;
    if (state.incident === inc) loadTimeline(inc).catch(e => console.warn(e));
  }, 300);
}

/** The incident's timeline: alerts, evidence, state changes, comments, commands and tasks in one list. */
async function loadTimeline(inc) {
  const timeline = await api.get(`/api/v1/incidents/${encodeURIComponent(inc.id)}/timeline?limit=500`);
  inc.timeline = timeline.items;
  if (state.incident === inc) touch('incident');
}

export async function openIncident(id) {
  const item = state.feed.get(`incident:${id}`);
  // One request id per opened incident: a double click, or a retry after a lost reply, gives the same run.
  const inc = { id, data: item?.data, plan: null, runs: [], requestId: newRequestId(), error: null, busy: false };
  state.incident = inc;
  touch('incident', 'feed');
  try {
    await load(inc);
  } catch (e) {
    // Shown on the panel, not only in the console: an operator must see why the plan is missing.
    inc.error = `Could not load the incident: ${e.message}`;
    throw e;
  } finally {
    // A later click may have opened another incident meanwhile; this one's answers must not paint over it.
    if (state.incident === inc) touch('incident');
  }
}

async function load(inc) {
  try {
    inc.data = { ...inc.data, ...(await api.get(`/api/v1/incidents/${encodeURIComponent(inc.id)}`)) };
  } catch (e) {
    // The stream job publishes before its row lands: the live frame's copy stands in until then.
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  const data = inc.data;
  if (!data) return;
  const planId = data.response_plan_id;
  if (planId) {
    if (!state.plans.has(planId)) state.plans.set(planId, await api.get(`/api/v1/plans/${encodeURIComponent(planId)}`));
    inc.plan = state.plans.get(planId);
    // The plan shows at once; the runs list follows.
    if (state.incident === inc) touch('incident');
  }
  const runs = await api.get(`/api/v1/responses?district=${encodeURIComponent(data.district)}&limit=50`);
  inc.runs = runs.items.filter(r => r.incident_id === inc.id);
  if (data.history) await loadTimeline(inc);
}

async function trigger() {
  const inc = state.incident;
  if (!inc || inc.busy) return;
  inc.busy = true;
  inc.error = null;
  touch('incident');
  try {
    const run = await api.post('/api/v1/responses', { request_id: inc.requestId, incident_id: inc.id });
    inc.runs = [run, ...inc.runs.filter(r => r.run_id !== run.run_id)];
    showRun(run);
    // The trigger moved the incident to responding.
    inc.data = { ...inc.data, ...(await api.get(`/api/v1/incidents/${encodeURIComponent(inc.id)}`)) };
  } catch (e) {
    inc.error = e.message;
  } finally {
    inc.busy = false;
    touch('incident');
  }
}

function draw(s) {
  const inc = s.incident;
  commentForm.hidden = !(inc && inc.data && canAct(s.session, inc.data.district));
  if (!inc || !inc.data) {
    root.innerHTML = inc ? '<p class="muted">Loading…</p>' : '<p class="muted">Pick an incident in the feed.</p>';
    return;
  }
  const d = inc.data;
  const evidence = (d.evidence || []).map(evidenceRow).map(e => `<tr><td>${esc(e.device)}</td><td>${esc(e.kind)}</td>
      <td>${esc(e.what)}</td><td>${num(e.value)}</td><td>${esc(time(e.at))}</td>
      <td>${e.lat == null ? '' : `${num(e.lat, 4)}, ${num(e.lon, 4)}`}</td></tr>`).join('');
  const plan = inc.plan;
  const planHtml = plan ? `<div class="plan" id="incident-plan" data-plan-id="${esc(plan.plan_id)}">
      <b>Suggested plan: ${esc(plan.name_en)}</b> <span class="muted">${esc(plan.name_zh)} · ${esc(plan.plan_id)}
      · commands expire after ${esc(plan.command_ttl_s)} s</span>
      <ul>${plan.commands.map(c => `<li>${esc(c.device_kind)} → ${esc(c.action)}${c.within_m ? ` within ${num(c.within_m / 1000)} km` : ' (whole district)'}</li>`).join('')}</ul>
      <ul>${plan.tasks.map(t => `<li>${esc(t.department)}: ${esc(t.task)}</li>`).join('')}</ul></div>`
    : `<p class="muted">${d.response_plan_id ? 'Loading the plan…' : 'No plan suggested.'}</p>`;
  const action = !plan ? '' : canTrigger(s.session, d.district)
    ? `<button id="trigger-plan" class="danger" type="button" ${inc.busy ? 'disabled' : ''}>Trigger ${esc(plan.name_en)}</button>`
    : `<span id="trigger-note" class="muted">Only a coordinator of ${esc(d.district)} can trigger this plan.</span>`;
  // The run on show is followed live; the others are as last read.
  const runs = inc.runs.map(r => `<a href="#" data-run-id="${esc(r.run_id)}">${esc(r.run_id.slice(0, 12))}…
    ${esc(s.run?.run_id === r.run_id ? s.run.state : r.state)}</a>`).join(' · ');
  root.innerHTML = `<div id="incident-detail" data-incident-id="${esc(d.incident_id)}">
      <h3 class="sev-${esc(d.severity)}"><span class="sev">${esc(d.severity)}</span> ${esc(d.summary)}
        <span class="muted">${esc(d.district)} · ${esc(d.pattern_id)} · ${esc(d.state || 'open')} · detected ${esc(time(d.detected_at))}</span></h3>
      <table id="incident-evidence"><thead><tr><th>device</th><th>kind</th><th>what</th><th>value</th><th>time</th><th>where</th></tr></thead>
      <tbody>${evidence || '<tr><td colspan="6" class="muted">no evidence recorded</td></tr>'}</tbody></table>
      ${lifecycle(s.session, d)}
      ${planHtml}
      <div class="actions">${action}<span id="trigger-error" class="error">${esc(inc.error || '')}</span></div>
      ${runs ? `<div class="muted">Runs: ${runs}</div>` : ''}
      ${inc.timeline ? `<h4>Timeline</h4><ol id="incident-timeline" class="history">${inc.timeline.map(timelineRow).join('')}</ol>` : ''}</div>`;
}

/** Where the incident stands, who moved it, the moves this user may make, and its history. */
function lifecycle(session, d) {
  const who = [['acknowledged', d.acknowledged_by], ['resolved', d.resolved_by], ['closed', d.closed_by]]
    .filter(([, by]) => by).map(([what, by]) => `${what} by ${esc(by)}`).join(' · ');
  const proposed = d.resolve_proposed ? '<span id="resolve-proposed" class="badge">its alerts cleared and its plan finished: resolve?</span>' : '';
  return `<div id="incident-lifecycle" class="lifecycle" data-state="${esc(d.state || 'open')}">
      <span class="badge st-${esc(d.state || 'open')}">${esc(d.state || 'open')}</span> <span class="muted">${who}</span> ${proposed}
      <span class="moves">${moveButtons(session, 'incident', d.incident_id, d.district, d.allowed_transitions)}</span>
      <ol id="incident-history" class="history">${historyList(d.history)}</ol></div>`;
}

function timelineRow(e) {
  return `<li data-type="${esc(e.type)}"><span class="muted">${esc(time(e.at))}</span> <b>${esc(e.type.replace('_', ' '))}</b>
    ${esc(e.ref)}${e.actor ? ` · ${esc(e.actor)}` : ''}${e.detail ? ` · ${esc(e.detail)}` : ''}</li>`;
}

/** One piece of evidence as the API renders it, live or stored: snake_case, ISO time, flat lat/lon. */
function evidenceRow(e) {
  return { device: e.device_id, kind: e.kind, what: e.what, value: e.value, at: e.event_time, lat: e.lat, lon: e.lon };
}

function newRequestId() {
  return window.crypto?.randomUUID ? `wall-${crypto.randomUUID()}` : `wall-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

// An incident's detail: the evidence that matched, the suggested response plan, and, for a coordinator of its
// district, the button that triggers the plan. The button is absent (not just disabled) for everyone else; the API
// refuses them anyway.
import { ApiError } from './api.js';
import { canTrigger } from './session.js';
import { painter, state, touch } from './store.js';
import { showRun } from './response.js';
import { esc, num, time } from './format.js';

let api;
let root;

export function mountIncident(el, theApi) {
  root = el;
  api = theApi;
  root.addEventListener('click', e => {
    if (e.target.id === 'trigger-plan') trigger();
    const runLink = e.target.closest('[data-run-id]');
    if (runLink) e.preventDefault();
    if (runLink) api.get(`/api/v1/responses/${encodeURIComponent(runLink.dataset.runId)}`).then(showRun);
  });
  painter('incident', draw);
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
      ${planHtml}
      <div class="actions">${action}<span id="trigger-error" class="error">${esc(inc.error || '')}</span></div>
      ${runs ? `<div class="muted">Runs: ${runs}</div>` : ''}</div>`;
}

/** One piece of evidence as the API renders it, live or stored: snake_case, ISO time, flat lat/lon. */
function evidenceRow(e) {
  return { device: e.device_id, kind: e.kind, what: e.what, value: e.value, at: e.event_time, lat: e.lat, lon: e.lon };
}

function newRequestId() {
  return window.crypto?.randomUUID ? `wall-${crypto.randomUUID()}` : `wall-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

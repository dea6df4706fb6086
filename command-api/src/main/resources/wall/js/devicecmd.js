// A coordinator's one command to one device of the selected district: the district's actuators, the actions of the
// chosen device's kind. The run shows in the response panel like a plan's. One request id per command: sending
// again after a lost reply returns the same run; any change of the form, or a success, takes a new one.
import { canTrigger } from './session.js';
import { showRun } from './response.js';
import { esc } from './format.js';

let els;
let api;
let shownFor = null;
let devices = [];
let requestId = newRequestId();

export function mountDeviceCommand(elements, theApi) {
  els = elements;
  api = theApi;
  els.device.addEventListener('change', () => { fillActions(); requestId = newRequestId(); });
  els.action.addEventListener('change', () => { requestId = newRequestId(); });
  els.params.addEventListener('input', () => { requestId = newRequestId(); });
  els.form.addEventListener('submit', e => {
    e.preventDefault();
    send();
  });
}

/** Called with the detail panel: the form shows for a coordinator of the selected district only. */
export function onDetail(s) {
  if (!els) return;
  const district = s.selected;
  const allowed = !!s.session && canTrigger(s.session, district);
  els.form.hidden = !allowed;
  if (!allowed || shownFor === district) return;
  shownFor = district;
  els.result.textContent = '';
  load(district).catch(e => { els.result.textContent = e.message; });
}

async function load(district) {
  const page = await api.get(`/api/v1/devices?district=${encodeURIComponent(district)}&class=actuator&limit=1000`);
  if (shownFor !== district) return;
  devices = page.items.filter(d => d.commands && d.commands.length);
  els.device.innerHTML = devices
    .map(d => `<option value="${esc(d.device_id)}">${esc(d.device_id)} · ${esc(d.kind)}</option>`).join('');
  fillActions();
}

function fillActions() {
  const d = devices.find(x => x.device_id === els.device.value);
  els.action.innerHTML = (d ? d.commands : []).map(a => `<option value="${esc(a)}">${esc(a)}</option>`).join('');
}

/** "name=value; name=value" as the API's params (strings, like a plan's). */
function params(text) {
  const out = {};
  for (const part of text.split(';')) {
    const t = part.trim();
    if (!t) continue;
    const i = t.indexOf('=');
    if (i < 1) throw new Error(`params: "${t}" is not name=value`);
    out[t.slice(0, i).trim()] = t.slice(i + 1).trim();
  }
  return out;
}

async function send() {
  els.result.textContent = '';
  els.submit.disabled = true;
  try {
    const run = await api.post(`/api/v1/devices/${encodeURIComponent(els.device.value)}/commands`,
      { request_id: requestId, action: els.action.value, params: params(els.params.value) });
    requestId = newRequestId();
    els.result.textContent = `sent: run ${run.run_id}`;
    showRun(run);
  } catch (e) {
    els.result.textContent = e.message;
  } finally {
    els.submit.disabled = false;
  }
}

function newRequestId() {
  return window.crypto?.randomUUID ? `wall-${crypto.randomUUID()}` : `wall-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

// Wires the wall: sign-in, the first reads, the panels, the live socket and the slow polls.
import * as session from './session.js';
import { Api } from './api.js';
import { Live } from './live.js';
import { addFeed, applySnapshot, districtFacts, painter, state, touch } from './store.js';
import { mountMap } from './map.js';
import { mountTiles } from './tiles.js';
import { mountDistrict } from './district.js';
import { mountDeviceCommand } from './devicecmd.js';
import { alertItem, incidentItem, mountFeed, onFeedFrame, onWorkItem } from './feed.js';
import { mountIncident, onIncidentItem, openIncident } from './incident.js';
import { mountResponse, onProgress, onTask, resync } from './response.js';
import { loadCases, mountCases, onCaseFrame } from './cases.js';
import { loadPipeline, mountPipeline } from './pipeline.js';
import { int, num, pct } from './format.js';

// Polls for what has no live frame: the city totals (and districts outside a user's live scope), cases, pipeline.
const SUMMARY_EVERY_MS = 10_000;
const CASES_EVERY_MS = 15_000;
const PIPELINE_EVERY_MS = 3_000;   // the rate needs two samples at least 2 s apart

const $ = id => document.getElementById(id);
let loadSummary = async () => {};
let summarySoon = null;

function showLogin(message) {
  $('wall').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('login-user').focus();
}

$('login-form').addEventListener('submit', async e => {
  e.preventDefault();
  $('login-submit').disabled = true;
  try {
    await start(await session.login($('login-user').value.trim(), $('login-password').value));
  } catch (err) {
    showLogin(err.message);
  } finally {
    $('login-submit').disabled = false;
  }
});

$('logout').addEventListener('click', () => {
  session.logout();
  location.reload();
});

async function start(s) {
  state.session = s;
  $('login').hidden = true;
  // Visible before the charts are created, so they measure their real size.
  $('wall').hidden = false;
  $('user-name').textContent = s.username;
  $('user-role').textContent = s.role + (s.districts.length ? ` · ${s.districts.join(', ')}` : ' · all districts');
  const api = new Api(s, () => {
    session.logout();
    location.reload();
  });
  const [districts, kinds, alerts, incidents] = await Promise.all([
    api.get('/api/v1/districts'), api.get('/api/v1/metric-kinds'),
    api.get('/api/v1/alerts?limit=50'), api.get('/api/v1/incidents?limit=50'),
  ]);
  for (const d of districts.items) {
    state.order.push(d.code);
    state.districts.set(d.code, { ...d, snapshot: null, summary: null, trend: { index: [], online: [], metrics: {} } });
    applySnapshot(d.code, d.snapshot);
  }
  kinds.items.forEach(k => state.metricKinds.set(k.metric, k));
  alerts.items.forEach(a => addFeed(alertItem(a)));
  incidents.items.forEach(i => addFeed(incidentItem(i)));
  state.selected = s.districts[0] || worstDistrict() || state.order[0];

  mountMap($('map'));
  mountTiles($('tiles'));
  mountDistrict({ title: $('detail-title'), stats: $('detail-stats'), trends: $('detail-trends'),
    subIndices: $('detail-subindices'), cameras: $('detail-cameras') }, api);
  mountDeviceCommand({ form: $('device-command'), device: $('device-command-device'),
    action: $('device-command-action'), params: $('device-command-params'), submit: $('device-command-submit'),
    result: $('device-command-result') }, api);
  mountFeed($('feed'), id => openIncident(id).catch(e => console.warn(e)), api);
  mountIncident($('incident'), api, $('incident-comment'));
  mountResponse({ root: $('run'), empty: $('run-empty'), plan: $('run-plan'), state: $('run-state'), bar: $('run-bar'),
    counts: $('run-counts'), tasks: $('run-tasks'), targets: $('run-targets'), note: $('run-note'),
    approval: $('run-approval') }, api);
  mountCases({ states: $('case-states'), due: $('case-due'), rates: $('case-rates'), table: $('case-rate-table') }, api);
  mountPipeline({ rate: $('pipe-rate'), chart: $('pipe-rate-chart'), identity: $('pipe-identity'), dead: $('pipe-dead') }, api);
  painter('header', drawHeader);
  touch('map', 'tiles', 'detail', 'feed', 'incident', 'header');

  // data-live="open" once subscribed: the dot in the top bar, and what WallIT waits for.
  new Live(api, onFrame, liveState => { document.body.dataset.live = liveState; });
  every(CASES_EVERY_MS, loadCases);
  every(PIPELINE_EVERY_MS, loadPipeline);
  setInterval(() => { $('clock').textContent = new Date().toLocaleTimeString('en-GB', { hour12: false }); }, 1000);

  loadSummary = async () => {
    state.summary = await api.get('/api/v1/summary');
    for (const row of state.summary.districts) {
      const d = state.districts.get(row.code);
      if (d) d.summary = row;
    }
    touch('header', 'map', 'tiles');
  };
  every(SUMMARY_EVERY_MS, () => loadSummary());
}

function onFrame(frame) {
  switch (frame.type) {
    case 'snapshot':
      if (applySnapshot(frame.district, frame.data)) {
        touch('map', 'tiles', ...(frame.district === state.selected ? ['detail'] : []));
      }
      break;
    case 'alert':
    case 'incident':
      onFeedFrame(frame);
      // The city's open counts come from the database: read them again once the burst has been stored.
      if (!summarySoon) {
        summarySoon = setTimeout(() => {
          summarySoon = null;
          loadSummary().catch(e => console.warn(e));
        }, 1_500);
      }
      break;
    case 'command_progress':
    case 'run_progress':
      onProgress(frame);
      break;
    case 'case':
      onCaseFrame();
      break;
    case 'work':
      // Someone (here or at another wall) moved an alert, incident or task.
      if (frame.data.kind === 'task') onTask(frame.data.item);
      if (frame.data.kind === 'incident') onIncidentItem(frame.data.item);
      onWorkItem(frame.data.kind, frame.data.item);
      break;
    case 'dropped':
      // The server's queue for this page overflowed: the run on show is read again, snapshots are conflated anyway.
      resync();
      break;
    case 'error':
      window.__wallErrors.push(`live: ${frame.reason}`);
      break;
    default:
  }
}

function drawHeader(s) {
  const city = s.summary?.city;
  $('city-index').textContent = num(city?.situation_index);
  $('city-online').textContent = city ? `${pct(city.online_rate)} of ${int(city.devices_total)}` : '–';
  $('city-alerts').textContent = city ? int(city.open_alerts) : '–';
  $('city-incidents').textContent = city ? int(city.open_incidents) : '–';
}

function worstDistrict() {
  let worst = null;
  for (const d of state.districts.values()) {
    const index = districtFacts(d).index;
    if (index != null && (worst == null || index < worst.index)) worst = { code: d.code, index };
  }
  return worst?.code;
}

/** Runs a read now and then every period; a failed read is logged and retried at the next period. */
function every(ms, read) {
  const run = () => read().catch(e => console.warn(e));
  run();
  setInterval(run, ms);
}

const saved = session.load();
if (saved) {
  start(saved).catch(e => showLogin(e.message));
} else {
  showLogin();
}

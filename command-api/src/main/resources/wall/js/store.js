// The wall's state and its redraw throttle. Frames and polls only change state and mark panels dirty; drawing
// happens at most RENDER_EVERY_MS apart, in an animation frame, so a burst of updates costs one redraw.

export const TREND_POINTS = 60;      // 10 minutes of 10 s windows per line
export const FEED_ITEMS = 100;       // the feed keeps the newest this many
const RENDER_EVERY_MS = 250;

export const state = {
  session: null,
  districts: new Map(),   // code -> {code, name_en, lat, lon, area_km2, snapshot, summary, trend: {index, online, metrics}}
  order: [],              // district codes in seed order
  metricKinds: new Map(),
  plans: new Map(),
  feed: new Map(),        // key -> {kind, id, district, severity, at, title, data}
  selected: null,         // district shown in the detail panel
  incident: null,         // {id, data, plan, runs, requestId}
  run: null,              // {run_id, plan_id, district, state, total, targets: Map}
  summary: null,
  cases: null,
  pipeline: null,
  rateTrend: [],
};

const dirty = new Set();
const painters = new Map();
let scheduled = false;
let lastRender = 0;

/** A panel's draw function, called with the state when the panel is dirty. */
export function painter(name, draw) {
  painters.set(name, draw);
}

export function touch(...names) {
  names.forEach(n => dirty.add(n));
  if (scheduled) return;
  scheduled = true;
  const wait = Math.max(0, lastRender + RENDER_EVERY_MS - performance.now());
  setTimeout(() => requestAnimationFrame(render), wait);
}

function render() {
  scheduled = false;
  lastRender = performance.now();
  // Counted for WallIT's burst check (and anyone curious in the devtools console).
  window.__wallRenders = (window.__wallRenders || 0) + 1;
  const now = [...dirty];
  dirty.clear();
  for (const name of now) {
    try {
      painters.get(name)?.(state);
    } catch (e) {
      window.__wallErrors.push(`${name}: ${e.stack || e}`);
    }
  }
}

/** Appends a point unless it is not newer than the last one; keeps at most TREND_POINTS. */
export function pushPoint(series, t, v) {
  if (v == null) return;
  const last = series[series.length - 1];
  if (last && last[0] >= t) {
    if (last[0] === t) last[1] = v;
    return;
  }
  series.push([t, v]);
  if (series.length > TREND_POINTS) series.splice(0, series.length - TREND_POINTS);
}

/** Takes a district's snapshot (live or stored) into its state and trends. */
export function applySnapshot(code, snapshot) {
  const d = state.districts.get(code);
  if (!d || !snapshot) return false;
  const t = new Date(snapshot.window_end).getTime();
  if (d.snapshot && new Date(d.snapshot.window_end).getTime() > t) return false;
  d.snapshot = snapshot;
  pushPoint(d.trend.index, t, snapshot.situation_index);
  pushPoint(d.trend.online, t, snapshot.online_rate);
  for (const m of snapshot.metrics || []) {
    if (!d.trend.metrics[m.metric]) d.trend.metrics[m.metric] = [];
    pushPoint(d.trend.metrics[m.metric], t, m.mean);
  }
  return true;
}

/** The index, online rate and open counts of a district: its snapshot if any, else the summary's row. */
export function districtFacts(d) {
  const s = d.snapshot;
  const row = d.summary || {};
  return {
    index: s ? s.situation_index : row.situation_index,
    online: s ? s.online_rate : row.online_rate,
    alerts: s ? s.open_alerts : row.open_alerts,
    incidents: s ? s.open_incidents : row.open_incidents,
  };
}

/** Adds or replaces a feed item; the oldest beyond FEED_ITEMS go. */
export function addFeed(item) {
  state.feed.set(`${item.kind}:${item.id}`, item);
  if (state.feed.size > FEED_ITEMS) {
    const oldest = [...state.feed.values()].sort((a, b) => a.at - b.at).slice(0, state.feed.size - FEED_ITEMS);
    oldest.forEach(o => state.feed.delete(`${o.kind}:${o.id}`));
  }
}

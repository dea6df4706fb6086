// Fills a district's metric trend lines from the stored 10 s history the first time it is shown, so the lines show the
// last ten minutes at once rather than start when the page opened. The live snapshots then carry them on.
import { state, touch, TREND_POINTS } from './store.js';

const WINDOW_MS = 10_000;

export async function backfill(api, code) {
  const d = state.districts.get(code);
  if (!d || d.backfilled || !d.snapshot) return;
  d.backfilled = true;
  // Up to the district's latest window (its event time), which need not be the browser's clock.
  const end = new Date(d.snapshot.window_end).getTime();
  const from = new Date(end - TREND_POINTS * WINDOW_MS).toISOString();
  const to = new Date(end).toISOString();
  const metrics = (d.snapshot.metrics || []).map(m => m.metric);
  await Promise.all(metrics.map(async metric => {
    const reply = await api.get(`/api/v1/districts/${encodeURIComponent(code)}/metrics/`
      + `${encodeURIComponent(metric)}?resolution=10s&from=${from}&to=${to}`);
    const stored = reply.points.map(p => [new Date(p.t).getTime() + WINDOW_MS, p.mean]);
    const live = d.trend.metrics[metric] || [];
    const firstLive = live.length ? live[0][0] : Infinity;
    d.trend.metrics[metric] = stored.filter(p => p[0] < firstLive).concat(live).slice(-TREND_POINTS);
  }));
  d.trendVersion = (d.trendVersion || 0) + 1;
  touch('detail');
}

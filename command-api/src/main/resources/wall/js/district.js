// The selected district in depth: each metric's recent means as a small trend line (small multiples in one chart),
// the sub-indices, and camera events by type in the last window.
import { AXIS_MUTED, chart, NO_ANIMATION } from './charts.js';
import { districtFacts, painter, state } from './store.js';
import { esc, num, pct, time } from './format.js';
import { backfill } from './history.js';
import { onDetail } from './devicecmd.js';

const MAX_METRICS = 8;

export function mountDistrict(els, api) {
  const trends = chart(els.trends);
  const subs = chart(els.subIndices);
  const cams = chart(els.cameras);
  let drawn = null;
  painter('detail', s => {
    const d = s.districts.get(s.selected);
    if (!d) return;
    onDetail(s);
    const f = districtFacts(d);
    els.title.textContent = `${d.name_en} ${d.name_zh} (${d.code})`;
    els.stats.innerHTML = `<span>index <b>${num(f.index)}</b></span><span>online <b>${pct(f.online)}</b></span>`
      + `<span>devices <b>${d.snapshot ? `${d.snapshot.devices_online}/${d.snapshot.devices_total}` : '–'}</b></span>`
      + `<span>window <b>${esc(time(d.snapshot?.window_end))}</b></span>`;
    if (api && !d.backfilled && d.snapshot) {
      backfill(api, d.code).catch(e => console.warn('history', e));
    }
    const key = `${d.code}|${d.snapshot?.window_end}|${d.trendVersion || 0}`;
    if (drawn === key) return;
    drawn = key;
    drawTrends(trends, d);
    drawSubIndices(subs, d.snapshot);
    drawCameras(cams, d.snapshot);
  });
}

function drawTrends(c, d) {
  // The metrics of the latest window: a metric that stopped reporting leaves the panel rather than show a stale line.
  const current = (d.snapshot?.metrics || []).map(m => m.metric);
  const names = (current.length ? current : Object.keys(d.trend.metrics)).filter(n => d.trend.metrics[n])
    .sort().slice(0, MAX_METRICS);
  const cols = names.length > 4 ? 3 : 2;
  const rows = Math.max(1, Math.ceil(names.length / cols));
  const grids = [];
  const xs = [];
  const ys = [];
  const series = [];
  const titles = [];
  names.forEach((name, i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const top = (row / rows) * 100;
    const height = 100 / rows;
    const width = 100 / cols;
    // Sparklines: the title carries the latest value and unit, so the y axis only scales.
    grids.push({ left: `${col * width + 1}%`, width: `${width - 4}%`, top: `${top + height * 0.32}%`,
      height: `${height * 0.58}%` });
    xs.push({ type: 'time', gridIndex: i, show: false });
    ys.push({ type: 'value', gridIndex: i, scale: true, show: false });
    const kind = state.metricKinds.get(name);
    const last = d.trend.metrics[name][d.trend.metrics[name].length - 1];
    titles.push({
      text: `${kind ? kind.name : name}  ${num(last?.[1])} ${kind ? kind.unit : ''}`, left: `${col * (100 / cols) + 1}%`,
      top: `${top + height * 0.05}%`, textStyle: { color: '#dbe4f3', fontSize: 11, fontWeight: 'normal' },
    });
    series.push({ type: 'line', xAxisIndex: i, yAxisIndex: i, showSymbol: false, data: d.trend.metrics[name],
      lineStyle: { width: 1.5 } });
  });
  c.setOption({ ...NO_ANIMATION, title: titles, grid: grids, xAxis: xs, yAxis: ys, series,
    tooltip: { trigger: 'axis' } }, { notMerge: true });
}

function drawSubIndices(c, snapshot) {
  const entries = Object.entries(snapshot?.sub_indices || {});
  c.setOption({
    ...NO_ANIMATION, title: { text: 'Sub-indices', textStyle: { color: '#7f8db0', fontSize: 11 } },
    grid: { left: 90, right: 30, top: 22, bottom: 4 },
    xAxis: { type: 'value', min: 0, max: 100, show: false },
    yAxis: { type: 'category', data: entries.map(e => e[0]), axisLabel: AXIS_MUTED },
    series: [{ type: 'bar', data: entries.map(e => e[1]), label: { show: true, position: 'right', color: '#dbe4f3',
      formatter: p => num(p.value, 0) }, itemStyle: { color: '#3d8bfd' } }],
  }, { notMerge: true });
}

function drawCameras(c, snapshot) {
  const entries = Object.entries(snapshot?.camera_events_by_type || {}).sort((a, b) => b[1] - a[1]).slice(0, 6);
  c.setOption({
    ...NO_ANIMATION, title: { text: 'Camera events by type', textStyle: { color: '#7f8db0', fontSize: 11 } },
    grid: { left: 110, right: 30, top: 22, bottom: 4 },
    xAxis: { type: 'value', show: false },
    yAxis: { type: 'category', inverse: true, data: entries.map(e => e[0]), axisLabel: AXIS_MUTED },
    series: [{ type: 'bar', data: entries.map(e => e[1]), label: { show: true, position: 'right', color: '#dbe4f3' },
      itemStyle: { color: '#e2b93b' } }],
  }, { notMerge: true });
}

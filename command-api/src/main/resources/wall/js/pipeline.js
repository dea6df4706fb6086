// The pipeline's health: the rate in, whether the accounting identity holds, and the dead letters.
import { chart, NO_ANIMATION } from './charts.js';
import { painter, pushPoint, state, touch } from './store.js';
import { esc, int, num, time } from './format.js';

let api;
let els;
let spark;

export function mountPipeline(elements, theApi) {
  els = elements;
  api = theApi;
  spark = chart(els.chart);
  spark.setOption({
    ...NO_ANIMATION, grid: { left: 0, right: 0, top: 4, bottom: 4 },
    xAxis: { type: 'time', show: false }, yAxis: { type: 'value', show: false, min: 0 },
    series: [{ type: 'line', showSymbol: false, data: [], areaStyle: { opacity: 0.2 }, lineStyle: { color: '#2fb67c' } }],
  });
  painter('pipeline', draw);
}

export async function loadPipeline() {
  state.pipeline = await api.get('/api/v1/pipeline');
  pushPoint(state.rateTrend, new Date(state.pipeline.generated_at).getTime(), state.pipeline.rate_in_per_s);
  touch('pipeline');
}

function draw(s) {
  const p = s.pipeline;
  if (!p) return;
  els.rate.textContent = p.rate_in_per_s == null ? '–' : num(p.rate_in_per_s, 0);
  spark.setOption({ series: [{ data: s.rateTrend }] });
  const accounted = p.stored + p.duplicate + p.late + p.rejected;
  els.identity.innerHTML = `<div>received <b>${int(p.received)}</b> = stored ${int(p.stored)} + duplicate ${int(p.duplicate)}
      + late ${int(p.late)} + rejected ${int(p.rejected)}</div>
    <div id="pipe-balanced" class="${p.balanced ? 'ok' : 'broken'}">${p.balanced ? '✔ balanced'
      : `✘ off by ${int(p.received - accounted)} in ${esc(p.unbalanced_districts.join(', '))}`}</div>`;
  const dl = p.dead_letters;
  const reasons = Object.entries(dl.by_reason).map(([r, n]) => `${esc(r)} ${int(n)}`).join(' · ');
  els.dead.innerHTML = `<div>Dead letters, last hour: <b id="pipe-dead-count">${int(dl.last_hour)}</b> ${reasons ? `(${reasons})` : ''}</div>
    <ul>${dl.recent.map(d => `<li>${esc(time(d.received_at))} ${esc(d.district || '?')} ${esc(d.reason)}: ${esc(d.detail || d.topic)}</li>`).join('')}</ul>`;
}

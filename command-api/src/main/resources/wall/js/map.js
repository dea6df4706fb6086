// The district map: a schematic from the seeds' centroids (lon/lat as x/y) with a disc per district sized by its
// area, coloured by its situation index, labelled with the index and its open alerts and incidents.
import { chart, NO_ANIMATION } from './charts.js';
import { districtFacts, painter, state, touch } from './store.js';
import { esc, INDEX_COLORS, num } from './format.js';

export function mountMap(el) {
  const c = chart(el);
  c.setOption({
    ...NO_ANIMATION,
    grid: { left: 8, right: 8, top: 8, bottom: 28 },
    // Degrees of longitude are shorter than of latitude at 22.6°N (cos 22.6° ≈ 0.92): close enough for a schematic.
    xAxis: { type: 'value', min: 113.78, max: 115.22, show: false },
    yAxis: { type: 'value', min: 22.42, max: 22.93, show: false },
    visualMap: {
      type: 'continuous', min: 0, max: 100, dimension: 2, orient: 'horizontal', left: 'center', bottom: 0,
      itemHeight: 120, itemWidth: 10, text: ['100 all well', '0'], textStyle: { color: '#7f8db0', fontSize: 10 },
      inRange: { color: INDEX_COLORS }, outOfRange: { color: '#4a5675' },
      // Only the districts with an index: a continuous visual map clamps anything else into its colours.
      seriesIndex: 0,
    },
    tooltip: {
      formatter: p => {
        const d = state.districts.get(p.data.name);
        const f = districtFacts(d);
        return `<b>${esc(d.name_en)} ${esc(d.name_zh)}</b> (${esc(d.code)})<br>index ${num(f.index)}<br>online ${num((f.online ?? NaN) * 100)}%`
          + `<br>open alerts ${f.alerts ?? '–'} · incidents ${f.incidents ?? '–'}<br>${esc(d.area_km2)} km²`;
      },
    },
    series: [{ type: 'scatter', data: [] }, { type: 'scatter', data: [], itemStyle: { color: '#4a5675' } }],
  });
  c.on('click', p => {
    state.selected = p.data.name;
    touch('detail', 'tiles');
  });
  painter('map', s => {
    const all = points(s);
    c.setOption({ series: [
      { type: 'scatter', data: all.filter(p => p.facts.index != null), label: label() },
      // No picture yet (or no data from the district): grey, not the colour of a bad index.
      { type: 'scatter', data: all.filter(p => p.facts.index == null), label: label(),
        itemStyle: { color: '#4a5675' } },
    ] });
  });
}

function points(s) {
  return s.order.map(code => {
    const d = s.districts.get(code);
    const f = districtFacts(d);
    return {
      name: code,
      value: [d.lon, d.lat, f.index ?? -1],
      symbolSize: Math.sqrt(d.area_km2) * 3.2,
      facts: f,
      itemStyle: { opacity: 0.85, borderColor: code === s.selected ? '#ffffff' : '#0b1220', borderWidth: 2 },
    };
  });
}

function label() {
  return {
    show: true, color: '#fff', fontSize: 11, lineHeight: 14,
    formatter: p => {
      const f = p.data.facts;
      const flags = `${f.alerts ? `{warn|▲${f.alerts}}` : ''}${f.incidents ? ` {bad|●${f.incidents}}` : ''}`;
      return `{b|${p.data.name}} ${num(f.index, 0)}\n${flags}`;
    },
    rich: { b: { fontWeight: 'bold' }, warn: { color: '#ffd666' }, bad: { color: '#ff9c8a', fontWeight: 'bold' } },
  };
}

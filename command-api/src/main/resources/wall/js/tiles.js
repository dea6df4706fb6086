// One tile per district: the index (with a trend line), the online rate, open alerts and incidents. Tiles are built
// once; a redraw touches only the text and the tiles whose district changed since the last redraw.
import { chart, NO_ANIMATION } from './charts.js';
import { districtFacts, painter, state, touch } from './store.js';
import { esc, indexColor, num, pct } from './format.js';

const tiles = new Map();   // code -> {el, spark, drawnAt}

export function mountTiles(root) {
  for (const code of state.order) {
    const d = state.districts.get(code);
    const el = document.createElement('div');
    el.className = 'tile';
    el.dataset.district = code;
    el.innerHTML = `<div class="tile-head"><span><b>${esc(code)}</b> ${esc(d.name_en)}</span><span>${esc(d.name_zh)}</span></div>
      <div class="tile-index" data-field="index">–</div>
      <div class="tile-facts"><span data-field="online">–</span><span data-field="alerts"></span><span data-field="incidents"></span></div>
      <div class="tile-spark"></div>`;
    el.addEventListener('click', () => {
      state.selected = code;
      touch('detail', 'tiles', 'map');
    });
    root.appendChild(el);
    const spark = chart(el.querySelector('.tile-spark'));
    spark.setOption({
      ...NO_ANIMATION, grid: { left: 0, right: 0, top: 2, bottom: 2 },
      xAxis: { type: 'time', show: false }, yAxis: { type: 'value', min: 0, max: 100, show: false },
      series: [{ type: 'line', showSymbol: false, lineStyle: { width: 1.5, color: '#3d8bfd' }, areaStyle: { opacity: 0.15 }, data: [] }],
    });
    tiles.set(code, { el, spark, drawn: null });
  }
  painter('tiles', draw);
}

function draw(s) {
  for (const [code, tile] of tiles) {
    const d = s.districts.get(code);
    const f = districtFacts(d);
    tile.el.classList.toggle('selected', code === s.selected);
    const key = `${d.snapshot?.window_end}|${f.index}|${f.online}|${f.alerts}|${f.incidents}`;
    if (tile.drawn === key) continue;
    tile.drawn = key;
    tile.el.style.borderTopColor = indexColor(f.index);
    field(tile, 'index').textContent = num(f.index);
    field(tile, 'index').style.color = indexColor(f.index);
    field(tile, 'online').textContent = `${pct(f.online, 1)} online`;
    field(tile, 'alerts').textContent = f.alerts ? `▲${f.alerts}` : '';
    field(tile, 'alerts').title = 'open alerts';
    field(tile, 'incidents').textContent = f.incidents ? `●${f.incidents}` : '';
    field(tile, 'incidents').title = 'open incidents';
    field(tile, 'incidents').className = f.incidents ? 'hot' : '';
    tile.spark.setOption({ series: [{ data: d.trend.index }] });
  }
}

function field(tile, name) {
  return tile.el.querySelector(`[data-field="${name}"]`);
}

// ECharts instances that follow their container's size. Charts are created once and fed with setOption.
const charts = [];

export function chart(el) {
  const c = window.echarts.init(el, null, { renderer: 'canvas' });
  charts.push(c);
  return c;
}

let resizeTimer;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => charts.forEach(c => c.resize()), 150);
});

export const AXIS_MUTED = { color: '#7f8db0', fontSize: 10 };
export const NO_ANIMATION = { animation: false };

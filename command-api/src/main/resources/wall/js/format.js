// Small formatting helpers shared by the panels; no state here.

/** Escapes text for innerHTML: every value from the server goes through this. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function num(value, digits = 1) {
  return value == null || Number.isNaN(value) ? '–' : Number(value).toFixed(digits);
}

export function int(value) {
  return value == null ? '–' : Math.round(value).toLocaleString('en');
}

export function pct(fraction, digits = 1) {
  return fraction == null ? '–' : (fraction * 100).toFixed(digits) + '%';
}

export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleTimeString('en-GB', { hour12: false });
}

/** "in 1 h 05 min" / "overdue 12 min": the SLA countdown of a case. */
export function countdown(dueIso, nowMs = Date.now()) {
  const ms = new Date(dueIso).getTime() - nowMs;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
  return ms < 0 ? `overdue ${text}` : `in ${text}`;
}

// The situation index: 100 is all well, so low is red. Same stops as the map's visual map.
export const INDEX_COLORS = ['#e5533d', '#e2b93b', '#2fb67c'];

export function indexColor(index) {
  if (index == null) return '#4a5675';
  if (index < 50) return INDEX_COLORS[0];
  if (index < 75) return INDEX_COLORS[1];
  return INDEX_COLORS[2];
}

/** Target states in the order a target moves through them; the last five are final. */
export const TARGET_STATES = ['pending', 'sent', 'accepted', 'done', 'failed', 'rejected', 'timed_out', 'cancelled', 'cancelling'];
export const STATE_COLORS = {
  pending: '#4a5675', sent: '#7f8db0', accepted: '#3d8bfd', done: '#2fb67c', failed: '#e5533d',
  rejected: '#b5364f', timed_out: '#ff7a45', cancelled: '#e2b93b', cancelling: '#a88a2c',
};

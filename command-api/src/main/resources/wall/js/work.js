// People's moves on alerts, incidents, department tasks and grid cases: the buttons for the moves an item allows now, shown
// only to a user who may make them (the API refuses the others anyway), and the calls behind them.
import { canMove } from './session.js';
import { esc, time } from './format.js';

const LABEL = {
  acknowledged: 'Acknowledge', resolved: 'Resolve', closed: 'Close', accepted: 'Accept', in_progress: 'Start',
  done: 'Done', failed: 'Failed', handling: 'Handle', confirmed: 'Confirm', reopened: 'Reopen',
};
const PATH = { alert: 'alerts', incident: 'incidents', task: 'tasks', case: 'cases' };
const RATINGS = [5, 4, 3, 2, 1];
// The rating chosen for a case, kept across redraws of the board (a redraw comes with every case frame).
const chosen = new Map();
document.addEventListener('change', e => {
  const select = e.target.closest?.('select[data-rating-for]');
  if (select) chosen.set(select.dataset.ratingFor, Number(select.value));
});

/** Buttons for the item's allowed moves that this user may make; '' when none. */
export function moveButtons(session, kind, id, district, allowed) {
  return (allowed || []).filter(to => canMove(session, district, kind, to))
    .map(to => `${kind === 'case' && to === 'closed' ? ratingSelect(id) : ''}<button type="button" class="small${to === 'closed' ? ' danger' : ''}" data-move-kind="${kind}"
      data-move-id="${esc(id)}" data-move-to="${esc(to)}">${esc(LABEL[to] || to)}</button>`).join('');
}

/** Closing a case takes the reporter's rating: chosen beside the button. */
function ratingSelect(id) {
  const current = chosen.get(id) ?? RATINGS[0];
  return `<select class="small" data-rating-for="${esc(id)}" title="the reporter's rating">${RATINGS
    .map(r => `<option value="${r}"${r === current ? ' selected' : ''}>★${r}</option>`).join('')}</select>`;
}

/** The click on a move button inside root, if any: posts it and hands the item as it is now to done(kind, item). */
export function onMoveClick(root, api, done, failed) {
  root.addEventListener('click', e => {
    const b = e.target.closest('button[data-move-kind]');
    if (!b) return;
    e.stopPropagation();
    b.disabled = true;
    const { moveKind: kind, moveId: id, moveTo: to } = b.dataset;
    const body = { to };
    const rating = kind === 'case' && to === 'closed' ? b.parentElement.querySelector('select[data-rating-for]') : null;
    if (rating) body.rating = chosen.get(id) ?? Number(rating.value);
    api.post(`/api/v1/${PATH[kind]}/${encodeURIComponent(id)}/transitions`, body)
      .then(item => done(kind, item))
      .catch(err => {
        b.disabled = false;
        failed(err);
      });
  });
}

/** An item's history of moves, oldest first. */
export function historyList(history) {
  return (history || []).map(h => `<li><span class="muted">${esc(time(h.at))}</span> ${esc(h.actor)}
    ${h.action === 'assign' ? 'assigned' : `${esc(h.from_state || '')} → ${esc(h.to_state || '')}`}${h.note ? ` · ${esc(h.note)}` : ''}</li>`).join('');
}

// Who is signed in. The token lives in sessionStorage: it survives a reload of the tab, not the tab itself.
const KEY = 'citybrain.wall.session';
const RANK = { viewer: 1, operator: 2, coordinator: 3, admin: 4 };

export function load() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY));
    return s && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export async function login(username, password) {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(res.status === 401 ? 'Wrong user or password.' : body.reason || `Sign-in failed (${res.status}).`);
  }
  const session = {
    token: body.token, username: body.username, role: body.role, districts: body.districts || [],
    expiresAt: Date.now() + body.expires_in * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function logout() {
  sessionStorage.removeItem(KEY);
}

/** The same rule the API applies: coordinator or above, and the district within the user's scope (empty = all). */
export function canTrigger(session, district) {
  return RANK[session.role] >= RANK.coordinator && (session.districts.length === 0 || session.districts.includes(district));
}

/** Operator or above within the user's scope: who may acknowledge, assign and resolve, and move tasks. */
export function canAct(session, district) {
  return RANK[session.role] >= RANK.operator && (session.districts.length === 0 || session.districts.includes(district));
}

/** Who may make a move: closing an incident is a coordinator's act, any other move an operator's. */
export function canMove(session, district, kind, to) {
  return kind === 'incident' && to === 'closed' ? canTrigger(session, district) : canAct(session, district);
}

/** Who may approve a run awaiting approval: a coordinator of its district who did not trigger it (as the API rules). */
export function canApprove(session, run) {
  return !!session && canTrigger(session, run.district) && session.username !== run.actor;
}

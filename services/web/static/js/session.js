// The signed-in user's bearer token: kept in sessionStorage (gone when the tab
// closes), sent only in the Authorization header. The payload is read only to
// choose which pages to show; the services decide what the token may do.

const TOKEN_KEY = 'telederm.token';
const NOTICE_KEY = 'telederm.signInNotice';

export const EXPIRED_MESSAGE = 'Your session has expired or the token is not valid — sign in again.';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

// The token's payload ({role, sub, clinic, pools, exp, ...}), or null when it
// is not a JWT with a JSON payload.
export function parsePayload(jwt) {
  const parts = jwt.split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return typeof payload === 'object' && payload !== null ? payload : null;
  } catch {
    return null;
  }
}

export function payload() {
  const jwt = token();
  return jwt ? parsePayload(jwt) : null;
}

// "clinic" | "specialist" | "supervisor" | ... | "" when signed out.
export function role() {
  return payload()?.role || '';
}

export function signIn(jwt) {
  sessionStorage.setItem(TOKEN_KEY, jwt);
  sessionStorage.removeItem(NOTICE_KEY);
}

// Forgets the token and everything kept for it, and shows sign-in with `notice`.
export function signOut(notice = '') {
  sessionStorage.clear();
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  window.dispatchEvent(new CustomEvent('telederm:signed-out'));
}

// The message sign-in should show (why the user was signed out), once.
export function takeSignInNotice() {
  const notice = sessionStorage.getItem(NOTICE_KEY) || '';
  sessionStorage.removeItem(NOTICE_KEY);
  return notice;
}

// Per-tab memory of small JSON values (a held claim), cleared on sign-out.
export function remember(key, value) {
  if (value === undefined) sessionStorage.removeItem(`telederm.${key}`);
  else sessionStorage.setItem(`telederm.${key}`, JSON.stringify(value));
}

export function recall(key) {
  const text = sessionStorage.getItem(`telederm.${key}`);
  return text ? JSON.parse(text) : undefined;
}

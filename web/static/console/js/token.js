// Where the console's credential comes from: a technician link (#t=<token>, read once and
// then removed from the address bar so it is not shared by copying the URL), or the admin
// token typed into the form; kept for this tab only (sessionStorage).

const STORAGE_KEY = "classbridge.console.token";

/** @returns {?string} */
export function fromLink() {
  const match = /(?:^#|&)t=([^&]+)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return decodeURIComponent(match[1]);
}

/** @returns {?string} */
export function current() {
  const linked = fromLink();
  if (linked) remember(linked);
  return linked || sessionStorage.getItem(STORAGE_KEY);
}

/** @param {string} token */
export function remember(token) {
  sessionStorage.setItem(STORAGE_KEY, token);
}

export function forget() {
  sessionStorage.removeItem(STORAGE_KEY);
}

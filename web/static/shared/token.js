// @ts-check
/**
 * The tokens of links, for both front ends. Links look like `{public_url}/join#t=<JWT>` (the
 * class page) and `{public_url}/console#t=<JWT>` (the technician console): the token sits in
 * the fragment, so it never reaches server logs or a Referer header.
 *
 * The class page reads its join link's token (not verified: the server does that on `join`) so
 * it knows the class, the role, the expiry and the prefilled name before it connects. The
 * console takes its link's token out of the address bar (so copying the URL does not share
 * it) and keeps its credential, that token or the admin token typed in, for this tab only.
 */

/** @typedef {"lecturer" | "trainee" | "room" | "observer"} Role */
/**
 * @typedef {object} JoinClaims
 * @property {string} class_id
 * @property {Role} role
 * @property {number} exp seconds since the epoch
 * @property {string | null} name
 * @property {string | null} external_id
 */

const ROLES = ["lecturer", "trainee", "room", "observer"];

/** Why a link cannot be used; `code` is also the translation key suffix. */
export class LinkError extends Error {
  /** @param {"invalid" | "expired"} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** @param {string} hash location.hash @returns {string | null} */
export function tokenFromFragment(hash) {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("t");
  return token && token.trim() ? token.trim() : null;
}

/**
 * The console's link token, taken out of the address bar (the rest of the URL stays).
 * @returns {string | null}
 */
export function takeFromLink() {
  const token = tokenFromFragment(location.hash);
  if (token) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

const CREDENTIAL_KEY = "classbridge.console.token";

/** The console's credential: a link just opened (then remembered), else this tab's. @returns {string | null} */
export function consoleCredential() {
  const linked = takeFromLink();
  if (linked) rememberCredential(linked);
  return linked || sessionStorage.getItem(CREDENTIAL_KEY);
}

/** Keep the console's credential for this tab only. @param {string} credential */
export function rememberCredential(credential) {
  sessionStorage.setItem(CREDENTIAL_KEY, credential);
}

export function forgetCredential() {
  sessionStorage.removeItem(CREDENTIAL_KEY);
}

/**
 * @param {string} token a compact JWS (header.payload.signature)
 * @returns {JoinClaims}
 */
export function decodeClaims(token) {
  const parts = token.split(".");
  if (parts.length !== 3) throw new LinkError("invalid", "a token has three dot-separated parts");
  /** @type {any} */
  let payload;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    throw new LinkError("invalid", "the token payload is not base64url JSON");
  }
  if (typeof payload !== "object" || payload === null) throw new LinkError("invalid", "the payload is not an object");
  if (typeof payload.class_id !== "string" || !payload.class_id) throw new LinkError("invalid", "no class_id");
  if (!ROLES.includes(payload.role)) throw new LinkError("invalid", "no valid role");
  if (typeof payload.exp !== "number" || !Number.isFinite(payload.exp)) throw new LinkError("invalid", "no exp");
  return {
    class_id: payload.class_id,
    role: payload.role,
    exp: payload.exp,
    name: typeof payload.name === "string" && payload.name.trim() ? payload.name.trim() : null,
    external_id: typeof payload.external_id === "string" ? payload.external_id : null,
  };
}

/** @param {JoinClaims} claims @param {number} nowMs */
export function isExpired(claims, nowMs) {
  return claims.exp * 1000 <= nowMs;
}

/** @param {string} text @returns {string} UTF-8 decoded */
function base64UrlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** The course a personal course link's token names, "" if it names none (the server checks
 * the token itself: this is only to address the course's API). @param {string} token */
export function courseOfToken(token) {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof payload.course_id === "string" ? payload.course_id : "";
  } catch {
    return "";
  }
}

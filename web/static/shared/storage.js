// @ts-check
/** The browser's localStorage, or null where it refuses it (private modes, blocked
 * cookies): pages then work the same and only forget the chosen language and settings. */
export function browserStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

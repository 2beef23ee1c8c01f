// @ts-check
/**
 * How large the page shows each received video, told to the server (`view`, docs/protocol.md)
 * so the relay sends a small tile a small layer and a hidden tile nothing at all ("dynacast").
 *
 * Sizes are in device pixels (CSS size × devicePixelRatio); a tile that is not displayed, or
 * the whole page while its tab is in the background, counts as 0×0. Changes are gathered and
 * sent at most every `debounceMs`, so dragging a window edge sends one frame, not hundreds.
 */

/** @typedef {{track_id: string, width: number, height: number}} ViewSize */

/** The protocol's limits (signaling/ws/messages.py). */
export const MAX_VIEW_TRACKS = 32;
const MAX_WIDTH = 7680;
const MAX_HEIGHT = 4320;

/**
 * The size to report for one element's CSS box.
 * @param {number} cssWidth @param {number} cssHeight @param {number} pixelRatio @param {boolean} shown
 * @returns {{width: number, height: number}}
 */
export function deviceSize(cssWidth, cssHeight, pixelRatio, shown) {
  if (!shown || cssWidth <= 0 || cssHeight <= 0) return { width: 0, height: 0 };
  const ratio = Number.isFinite(pixelRatio) && pixelRatio > 0 ? pixelRatio : 1;
  return {
    width: Math.min(MAX_WIDTH, Math.round(cssWidth * ratio)),
    height: Math.min(MAX_HEIGHT, Math.round(cssHeight * ratio)),
  };
}

/**
 * The frame's list, or null when nothing changed since `previous` (same tracks, same sizes).
 * @param {Map<string, {width: number, height: number}>} sizes @param {string} previous the last list sent, as JSON
 * @returns {{list: ViewSize[], key: string} | null}
 */
export function viewFrame(sizes, previous) {
  const list = [...sizes]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_VIEW_TRACKS)
    .map(([track_id, s]) => ({ track_id, width: s.width, height: s.height }));
  const key = JSON.stringify(list);
  return key === previous ? null : { list, key };
}

export class ViewSizes {
  /**
   * @param {(tracks: ViewSize[]) => void} send
   * @param {{debounceMs?: number}} [options]
   */
  constructor(send, { debounceMs = 600 } = {}) {
    this.send = send;
    this.debounceMs = Math.max(500, debounceMs);
    /** @type {Map<string, HTMLElement>} track id → the element showing it */
    this.elements = new Map();
    this.sent = "";
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    this.observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => this.schedule());
    this.onVisibility = () => this.schedule();
    document.addEventListener("visibilitychange", this.onVisibility);
  }

  /**
   * The received video tiles now on the page (after each render).
   * @param {Map<string, HTMLElement>} elements track id → element
   */
  watch(elements) {
    let changed = elements.size !== this.elements.size;
    for (const [id, element] of this.elements) {
      if (elements.get(id) !== element) {
        this.observer?.unobserve(element);
        changed = true;
      }
    }
    for (const [id, element] of elements) if (this.elements.get(id) !== element) this.observer?.observe(element);
    this.elements = new Map(elements);
    if (changed) this.schedule();
  }

  /** A new connection: the server has forgotten what we told the old one. */
  reset() {
    this.sent = "";
    this.schedule();
  }

  schedule() {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.debounceMs);
  }

  flush() {
    const pageShown = document.visibilityState !== "hidden";
    /** @type {Map<string, {width: number, height: number}>} */
    const sizes = new Map();
    for (const [id, element] of this.elements) {
      const shown = pageShown && element.isConnected && element.getClientRects().length > 0;
      sizes.set(id, deviceSize(element.clientWidth, element.clientHeight, globalThis.devicePixelRatio, shown));
    }
    const frame = viewFrame(sizes, this.sent);
    if (!frame) return;
    this.sent = frame.key;
    this.send(frame.list);
  }

  close() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.observer?.disconnect();
    document.removeEventListener("visibilitychange", this.onVisibility);
  }
}

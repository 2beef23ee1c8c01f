// @ts-check
// The PTZ pad of both front ends: hold a direction to move, release to stop; zoom the same way.
// A held move also carries a safety limit (`seconds`), so a browser that disappears mid-press
// cannot leave the camera turning. A click from the keyboard moves briefly. The words come
// from the caller (`label`), so the console and the class page each use their own
// translations. The pad's commands go out one after another: each is an HTTP request of its
// own, and two requests in flight may be served in either order, so a quick press-and-release
// could otherwise have its stop overtake its move and leave the camera turning.

import { el } from "./dom.js";

/** @typedef {{do: string} & Record<string, string | number | boolean>} Command */

const SAFETY_SECONDS = 10;
const TAP_SECONDS = 0.4;
/** @type {[string, number, number, string][]} name, pan, tilt, glyph */
const PAD = [
  ["up-left", -1, 1, "↖"], ["up", 0, 1, "↑"], ["up-right", 1, 1, "↗"],
  ["left", -1, 0, "←"], ["stop", 0, 0, "■"], ["right", 1, 0, "→"],
  ["down-left", -1, -1, "↙"], ["down", 0, -1, "↓"], ["down-right", 1, -1, "↘"],
];

/** The names `label` is asked for. */
export const PAD_WORDS = ["pad", "speed", "zoom_in", "zoom_out", ...PAD.map(([name]) => name)];

/**
 * @param {(command: Command) => Promise<unknown>} send a device command for this camera
 * @param {{pan_tilt: boolean, zoom: boolean}} controls
 * @param {(word: string) => string} label the text for one of PAD_WORDS
 */
export function ptzPad(send, controls, label) {
  /** @type {Promise<unknown>} */
  let previous = Promise.resolve();
  const inOrder = (/** @type {Command} */ command) => {
    const request = previous.then(() => send(command));
    previous = request.catch(() => undefined);
    return request;
  };
  const speed = el("input", { attrs: { type: "range", min: "0.1", max: "1", step: "0.1", value: "0.5", "data-control": "speed" } });
  /**
   * The listeners of a button held to move: `start` at press, `stop` at release.
   * @param {(s: number, seconds: number) => Command} start @param {Command} stop
   * @returns {Record<string, EventListener>}
   */
  const hold = (start, stop) => {
    let held = false;
    const release = () => {
      if (!held) return;
      held = false;
      inOrder(stop);
    };
    return {
      pointerdown: (event) => {
        held = true;
        const pointer = /** @type {PointerEvent} */ (event);
        /** @type {HTMLElement} */ (pointer.currentTarget).setPointerCapture?.(pointer.pointerId);
        inOrder(start(Number(speed.value), SAFETY_SECONDS));
      },
      pointerup: release,
      pointercancel: release,
      keydown: (event) => {
        const key = /** @type {KeyboardEvent} */ (event).key;
        if (key === "Enter" || key === " ") {
          event.preventDefault();
          inOrder(start(Number(speed.value), TAP_SECONDS));
        }
      },
    };
  };
  const pad = el("div", { className: "ptz-pad", attrs: { role: "group", "aria-label": label("pad") } });
  for (const [name, pan, tilt, glyph] of PAD) {
    const text = label(name);
    const attrs = { type: "button", "data-action": `ptz-${name}`, title: text, "aria-label": text };
    if (name === "stop") {
      pad.append(el("button", { attrs, on: { click: () => inOrder({ do: "stop" }) } }, glyph));
      continue;
    }
    const handlers = hold((s, seconds) => ({ do: "move", pan: pan * s, tilt: tilt * s, seconds }), { do: "stop" });
    pad.append(el("button", { attrs: { ...attrs, disabled: !controls.pan_tilt }, on: handlers }, glyph));
  }
  /** @param {string} action @param {number} sign -1 out, 1 in */
  const zoomButton = (action, sign) =>
    el(
      "button",
      {
        attrs: { type: "button", "data-action": action, disabled: !controls.zoom },
        on: hold((s, seconds) => ({ do: "zoom", speed: sign * s, seconds }), { do: "zoom", speed: 0 }),
      },
      label(sign < 0 ? "zoom_out" : "zoom_in"),
    );
  const zoom = el("div", { className: "zoom" }, zoomButton("zoom-out", -1), zoomButton("zoom-in", 1));
  return el("div", { className: "ptz" }, pad, zoom, el("label", { className: "speed" }, label("speed"), speed));
}

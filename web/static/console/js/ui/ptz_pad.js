// The PTZ pad: hold a direction to move, release to stop; zoom the same way. A held move
// also carries a safety limit (`seconds`), so a browser that disappears mid-press cannot
// leave the camera turning. A click from the keyboard moves briefly. The words come from the
// caller (`label`), so the console and the class page each use their own translations.
// The pad's commands go out one after another: each is an HTTP request of its own, and two
// requests in flight may be served in either order, so a quick press-and-release could
// otherwise have its stop overtake its move and leave the camera turning.

import { el } from "./dom.js";

const SAFETY_SECONDS = 10;
const TAP_SECONDS = 0.4;
const PAD = [
  ["up-left", -1, 1, "↖"], ["up", 0, 1, "↑"], ["up-right", 1, 1, "↗"],
  ["left", -1, 0, "←"], ["stop", 0, 0, "■"], ["right", 1, 0, "→"],
  ["down-left", -1, -1, "↙"], ["down", 0, -1, "↓"], ["down-right", 1, -1, "↘"],
];

/** The names `label` is asked for. */
export const PAD_WORDS = ["pad", "speed", "zoom_in", "zoom_out", ...PAD.map(([name]) => name)];

/**
 * @param {(command: Object) => Promise<*>} send a device command for this camera
 * @param {{pan_tilt: boolean, zoom: boolean}} controls
 * @param {(word: string) => string} label the text for one of PAD_WORDS
 */
export function ptzPad(send, controls, label) {
  let previous = Promise.resolve();
  const inOrder = (/** @type {Object} */ command) => {
    const request = previous.then(() => send(command));
    previous = request.catch(() => undefined);
    return request;
  };
  const speed = el("input", { type: "range", min: "0.1", max: "1", step: "0.1", value: "0.5", "data-control": "speed" });
  const hold = (/** @type {(s: number, seconds: number) => Object} */ start, /** @type {Object} */ stop) => {
    let held = false;
    return {
      onpointerdown: (/** @type {PointerEvent} */ event) => {
        held = true;
        /** @type {HTMLElement} */ (event.currentTarget).setPointerCapture?.(event.pointerId);
        inOrder(start(Number(speed.value), SAFETY_SECONDS));
      },
      onpointerup: () => held && ((held = false), inOrder(stop)),
      onpointercancel: () => held && ((held = false), inOrder(stop)),
      onkeydown: (/** @type {KeyboardEvent} */ event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          inOrder(start(Number(speed.value), TAP_SECONDS));
        }
      },
    };
  };
  const pad = el("div", { class: "ptz-pad", role: "group", "aria-label": label("pad") });
  for (const [name, pan, tilt, glyph] of PAD) {
    const text = label(String(name));
    if (name === "stop") {
      pad.append(el("button", { type: "button", "data-action": "ptz-stop", title: text, "aria-label": text, onclick: () => inOrder({ do: "stop" }) }, glyph));
      continue;
    }
    const handlers = hold((s, seconds) => ({ do: "move", pan: Number(pan) * s, tilt: Number(tilt) * s, seconds }), { do: "stop" });
    pad.append(el("button", { type: "button", "data-action": `ptz-${name}`, title: text, "aria-label": text, ...handlers, disabled: !controls.pan_tilt }, glyph));
  }
  const zoom = el(
    "div",
    { class: "zoom" },
    el("button", { type: "button", "data-action": "zoom-out", ...hold((s, seconds) => ({ do: "zoom", speed: -s, seconds }), { do: "zoom", speed: 0 }), disabled: !controls.zoom }, label("zoom_out")),
    el("button", { type: "button", "data-action": "zoom-in", ...hold((s, seconds) => ({ do: "zoom", speed: s, seconds }), { do: "zoom", speed: 0 }), disabled: !controls.zoom }, label("zoom_in")),
  );
  return el("div", { class: "ptz" }, pad, zoom, el("label", { class: "speed" }, label("speed"), speed));
}

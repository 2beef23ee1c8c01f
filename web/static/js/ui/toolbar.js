// @ts-check
/**
 * The class controls. Which buttons a role gets follows classroom/roles.py: trainees cannot
 * share a screen, observers publish nothing, only the lecturer ends the class.
 */

import { button, el, relabel } from "../../shared/dom.js";
import { icon, setIcon } from "./icons.js";

/** @typedef {import("../../shared/token.js").Role} Role */
/** @typedef {"mic" | "camera" | "share" | "audioOnly" | "leave" | "end"} Control */

const CONTROLS = /** @type {Record<Role, Control[]>} */ ({
  lecturer: ["mic", "camera", "share", "leave", "end"],
  room: ["mic", "camera", "share", "leave"],
  trainee: ["mic", "camera", "audioOnly", "leave"],
  observer: ["audioOnly", "leave"],
});

export class Toolbar {
  /** @param {Role} role */
  constructor(role) {
    /** @type {(control: Control) => void} */
    this.onaction = () => {};
    /** @type {Record<Control, [string, import("./icons.js").IconName, string]>} */
    const look = {
      mic: ["toolbar.mic_off", "mic", "btn-toggle"],
      camera: ["toolbar.camera_off", "camera", "btn-toggle"],
      share: ["toolbar.share", "screen", "btn-toggle"],
      audioOnly: ["toolbar.audio_only", "headphones", "btn-toggle"],
      leave: ["toolbar.leave", "leave", "btn-leave"],
      end: ["toolbar.end_class", "end", "btn-danger"],
    };
    /** @type {Map<Control, HTMLButtonElement>} */
    this.buttons = new Map();
    this.element = el("nav", { className: "toolbar", i18nAttr: { "aria-label": "toolbar.label" } });
    for (const control of CONTROLS[role]) {
      const [key, iconName, className] = look[control];
      const b = button(key, icon(iconName), className, () => this.onaction(control));
      b.dataset.control = control;
      this.buttons.set(control, b);
      this.element.append(b);
    }
  }

  /** @param {boolean} on @param {boolean} available */
  setMic(on, available) {
    this.toggle("mic", on ? "toolbar.mic_off" : "toolbar.mic_on", on ? "mic" : "micOff", !on, available);
  }

  /** @param {boolean} on @param {boolean} available */
  setCamera(on, available) {
    this.toggle("camera", on ? "toolbar.camera_off" : "toolbar.camera_on", on ? "camera" : "cameraOff", !on, available);
  }

  /** @param {boolean} sharing */
  setSharing(sharing) {
    this.toggle("share", sharing ? "toolbar.stop_share" : "toolbar.share", sharing ? "stopScreen" : "screen", sharing, true);
  }

  /** @param {boolean} audioOnly */
  setAudioOnly(audioOnly) {
    this.toggle("audioOnly", audioOnly ? "toolbar.show_video" : "toolbar.audio_only", audioOnly ? "video" : "headphones", audioOnly, true);
  }

  /**
   * @param {Control} control @param {string} key @param {import("./icons.js").IconName} iconName
   * @param {boolean} active @param {boolean} available
   */
  toggle(control, key, iconName, active, available) {
    const b = this.buttons.get(control);
    if (!b) return;
    relabel(b, key);
    setIcon(b, iconName);
    b.classList.toggle("active", active);
    b.disabled = !available;
  }
}

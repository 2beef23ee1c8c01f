// @ts-check
/**
 * The class controls. Which buttons a role gets follows classroom/roles.py: trainees cannot
 * share a screen, observers publish nothing, only the lecturer ends the class.
 */

import { button, el, relabel } from "../../shared/dom.js";
import { bind } from "../../shared/i18n.js";
import { icon, setIcon } from "./icons.js";

/** @typedef {import("../../shared/token.js").Role} Role */
/** @typedef {"mic" | "camera" | "share" | "record" | "hand" | "react" | "chat" | "people" | "audioOnly" | "saveData" | "leave" | "end"} Control */

/** A trainee's "share" shows only while they hold the floor and the lecturer allows sharing. */
const CONTROLS = /** @type {Record<Role, Control[]>} */ ({
  lecturer: ["mic", "camera", "share", "record", "react", "chat", "people", "leave", "end"],
  room: ["mic", "camera", "share", "leave"],
  trainee: ["mic", "camera", "share", "hand", "react", "chat", "audioOnly", "saveData", "leave"],
  observer: ["react", "chat", "audioOnly", "saveData", "leave"],
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
      record: ["toolbar.record", "record", "btn-toggle"],
      hand: ["toolbar.raise_hand", "hand", "btn-toggle"],
      react: ["toolbar.react", "smile", "btn-toggle"],
      chat: ["toolbar.chat", "chat", "btn-toggle"],
      people: ["toolbar.people", "people", "btn-toggle"],
      audioOnly: ["toolbar.audio_only", "headphones", "btn-toggle"],
      saveData: ["toolbar.save_data", "saveData", "btn-toggle"],
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
      if (control === "chat" || control === "people") {
        b.setAttribute("aria-expanded", "false");
        b.append(el("span", { className: "count-badge", attrs: { hidden: "", "aria-hidden": "true" } }));
      }
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

  /** @param {boolean} recording */
  setRecording(recording) {
    this.toggle("record", recording ? "toolbar.stop_record" : "toolbar.record", recording ? "stopRecord" : "record", recording, true);
  }

  /** @param {boolean} raised */
  setHand(raised) {
    this.toggle("hand", raised ? "toolbar.lower_hand" : "toolbar.raise_hand", "hand", raised, true);
  }

  /** Show or hide a control (a trainee's share button follows the floor). @param {Control} control @param {boolean} shown */
  show(control, shown) {
    const b = this.buttons.get(control);
    if (b) b.hidden = !shown;
  }

  /**
   * A panel button: pressed while its panel is open, with a count (unread lines, waiting people).
   * @param {"chat" | "people"} control @param {boolean} open @param {number} count @param {string} countKey
   */
  setPanel(control, open, count, countKey) {
    const b = this.buttons.get(control);
    if (!b) return;
    b.classList.toggle("active", open);
    b.setAttribute("aria-expanded", String(open));
    const badge = /** @type {HTMLElement} */ (b.querySelector(".count-badge"));
    badge.hidden = count === 0;
    badge.textContent = String(count);
    // The name stays "Chat" / "Participants"; the count is the button's description.
    if (count) bind(b, null, { count }, { title: countKey });
    else {
      delete b.dataset.i18nAttr;
      b.removeAttribute("title");
    }
  }

  /** @param {boolean} audioOnly */
  setAudioOnly(audioOnly) {
    this.toggle("audioOnly", audioOnly ? "toolbar.show_video" : "toolbar.audio_only", audioOnly ? "video" : "headphones", audioOnly, true);
  }

  /** "Save data" is on: the button is pressed and says how to turn it off. @param {boolean} on */
  setSaveData(on) {
    this.toggle("saveData", on ? "toolbar.save_data_off" : "toolbar.save_data", "saveData", on, true);
    this.buttons.get("saveData")?.setAttribute("aria-pressed", String(on));
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

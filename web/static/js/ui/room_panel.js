// @ts-check
/**
 * The lecturer's room controls inside the class page: the named camera positions, a PTZ pad
 * for the room's main camera, and the scenes marked for lecturers, with the last run's steps.
 * Shown only when the class is taught from a room this server controls (the room API answers
 * the lecturer's own join token with that one room). Which of these a lecturer may use is the
 * server's list (`GET /api/lecturer-actions`), asked once: positions need `position`, the pad
 * `move`, the scenes `scene`. The protocol and the PTZ pad are the console's too
 * (../../shared/rooms_api.js, ../../shared/ptz_pad.js).
 */

import { el } from "../../shared/dom.js";
import { bind, has, onLanguage, t } from "../../shared/i18n.js";
import { ptzPad } from "../../shared/ptz_pad.js";
import { ApiError, RoomFeed, RoomsApi } from "../../shared/rooms_api.js";
import { errorText, stepLabel } from "../../shared/room_words.js";

/** @typedef {import("../../shared/rooms_api.js").RoomView} RoomView */
/** @typedef {import("../../shared/rooms_api.js").SceneRunView} SceneRunView */
/** @typedef {import("../../shared/ptz_pad.js").Command} Command */

const STYLESHEET = "/static/css/room_panel.css";
const PAD_KEYS = /** @type {Record<string, string>} */ ({
  pad: "class.room_pad",
  speed: "class.room_speed",
  zoom_in: "class.room_zoom_in",
  zoom_out: "class.room_zoom_out",
  "up-left": "class.room_up_left",
  up: "class.room_up",
  "up-right": "class.room_up_right",
  left: "class.room_left",
  stop: "class.room_stop",
  right: "class.room_right",
  "down-left": "class.room_down_left",
  down: "class.room_down",
  "down-right": "class.room_down_right",
});

export class RoomPanel {
  /**
   * Add the panel to `container` (hidden until the room answers); it stops by itself once the
   * class view is gone. @param {HTMLElement} container @param {string} token the lecturer's join token
   */
  static mount(container, token) {
    if (!document.querySelector(`link[href="${STYLESHEET}"]`)) {
      document.head.append(el("link", { attrs: { rel: "stylesheet", href: STYLESHEET } }));
    }
    const panel = new RoomPanel(token);
    container.append(panel.element);
    panel.feed.start();
    return panel;
  }

  /** @param {string} token */
  constructor(token) {
    this.api = new RoomsApi(token);
    this.feed = new RoomFeed(token);
    this.element = el("section", { className: "room-panel", attrs: { hidden: "" }, i18nAttr: { "aria-label": "class.room_title" } });
    this.runBox = el("div", { className: "room-run", attrs: { "aria-live": "polite" } });
    this.status = el("p", { className: "room-status", attrs: { role: "status" } });
    /** @type {string | null} */
    this.room = null;
    /** @type {RoomView | null} the room's devices, positions and scenes, for the steps' words */
    this.view = null;
    /** What the lecturer may do: the server's list, asked once. The feed's messages wait for
     * it, in their order (reactions to one promise run in the order they were added). */
    this.actions = this.api.lecturerActions().catch(() => /** @type {Set<string>} */ (new Set()));
    this.feed.onwelcome = (welcome) => void this.actions.then((may) => this.show(welcome.rooms[0] ?? null, may));
    this.feed.onscene = (room, run) => void this.actions.then(() => this.alive() && room === this.room && this.showRun(run));
    this.feed.onrefused = () => this.stop();
    /** @type {SceneRunView | null} the run on show, built again in another language */
    this.shown = null;
    this.stopListening = onLanguage(() => this.alive() && this.showRun(this.shown));
  }

  alive() {
    if (this.element.isConnected) return true;
    this.stop();
    return false;
  }

  stop() {
    this.feed.stop();
    this.stopListening();
  }

  /** @param {RoomView | null} room @param {Set<string>} may the lecturer's actions */
  show(room, may) {
    if (!this.alive()) return;
    if (!room) {
      this.element.hidden = true;
      return;
    }
    this.room = room.name;
    this.view = room;
    const camera = !may.has("move")
      ? undefined
      : room.devices.find((d) => d.role === "main-camera" && d.controls.pan_tilt) ?? room.devices.find((d) => d.kind === "camera" && d.controls.pan_tilt);
    const positions = (may.has("position") ? room.positions : []).map((p) =>
      el("button", { className: "btn", text: p.title, attrs: { type: "button", "data-position": p.name }, on: { click: () => this.go(p.name) } }),
    );
    const scenes = room.scenes
      .filter((s) => s.lecturer && may.has("scene"))
      .map((s) =>
        el("button", { className: "btn", text: s.title, attrs: { type: "button", "data-scene": s.name }, on: { click: () => this.run(s.name) } }),
      );
    const send = (/** @type {Command} */ command) => (camera ? this.send(camera.name, command) : Promise.resolve());
    this.element.replaceChildren(
      el("h2", {}, el("span", { i18n: "class.room_title" }), " ", el("span", { className: "room-name", text: room.title })),
      positions.length ? el("h3", { i18n: "class.room_positions" }) : "",
      positions.length ? el("div", { className: "room-buttons" }, ...positions) : "",
      camera ? el("h3", { i18n: "class.room_camera_control" }) : "",
      camera ? ptzPad(send, camera.controls, (word) => t(PAD_KEYS[word])) : "",
      scenes.length ? el("h3", { i18n: "class.room_scenes" }) : "",
      scenes.length ? el("div", { className: "room-buttons" }, ...scenes) : "",
      this.runBox,
      this.status,
    );
    this.element.hidden = false;
    this.showRun(room.run);
  }

  /** @param {SceneRunView | null} run */
  showRun(run) {
    this.shown = run;
    if (!run) {
      this.runBox.replaceChildren();
      return;
    }
    this.runBox.dataset.state = run.state;
    this.runBox.replaceChildren(
      el("p", {}, el("strong", { text: run.title }), " ", el("span", { className: `room-badge run-${run.state}`, i18n: `room.run.${run.state}` })),
      el(
        "ol",
        {},
        // Each step in the page's language; a failed one says why by its code (the device's
        // own English words stay in the tooltip).
        ...run.steps.map((step) =>
          el(
            "li",
            { data: { step: String(step.index), state: step.state }, attrs: { title: step.detail || undefined } },
            step.state === "failed" ? `${stepLabel(step, this.view)}: ${errorText(step.error || "device_error")}` : stepLabel(step, this.view),
          ),
        ),
      ),
    );
  }

  /** @param {string} position */
  go(position) {
    this.call(this.api.position(/** @type {string} */ (this.room), position));
  }

  /** @param {string} scene */
  run(scene) {
    this.call(this.api.runScene(/** @type {string} */ (this.room), scene));
  }

  /** @param {string} device @param {Command} command */
  send(device, command) {
    return this.call(this.api.command(/** @type {string} */ (this.room), device, command));
  }

  /** Show a refusal or a device failure under the controls. @param {Promise<*>} request */
  async call(request) {
    try {
      await request;
      delete this.status.dataset.i18n;
      this.status.textContent = "";
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "unexpected";
      // Bound by key, so a language switch words it again.
      const why = has(`room.error.${code}`) ? `room.error.${code}` : "room.error.unexpected";
      bind(this.status, "class.room_failed", { why: { key: why } });
      this.status.title = error instanceof Error ? error.message : "";
      this.status.dataset.code = code;
    }
  }
}

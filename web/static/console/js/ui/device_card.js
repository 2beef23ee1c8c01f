// @ts-check
// One device: its live status (link, power, input, volume, mute, position, gains, who owns
// which setting) and the controls its kind and capabilities offer. The controls are built
// once; `update` refreshes the status and the controls' current values.

import { el, replace } from "../../../../static/shared/dom.js";
import { has, t } from "../../../../static/shared/i18n.js";
import { ptzPad } from "../../../../static/shared/ptz_pad.js";
import { ownerText, valueText } from "../../../../static/shared/room_words.js";

/** @typedef {import("../../../../static/shared/rooms_api.js").DeviceView} DeviceView */
/** @typedef {import("../../../../static/shared/ptz_pad.js").Command} Command */

/** @param {number} value */
function round(value) {
  return Math.abs(value) >= 10 ? value.toFixed(0) : value.toFixed(2);
}

export class DeviceCard {
  /**
   * @param {DeviceView} view
   * @param {(device: string, command: Command) => Promise<unknown>} send
   * @param {{canChange: (what: string) => boolean}} rights what the viewer may do
   */
  constructor(view, send, rights) {
    this.name = view.name;
    this.send = (/** @type {Command} */ command) => send(view.name, command);
    this.rights = rights;
    this.status = el("dl", { className: "facts" });
    this.badges = el("div", { className: "badges" });
    this.detail = el("p", { className: "detail" });
    /** @type {Array<(view: DeviceView) => void>} */
    this.refreshers = [];
    const heading = el(
      "header",
      {},
      el("h3", { text: view.name }),
      view.role && !has(`room.role.${view.role}`)
        ? el("span", { className: "role", text: view.role })
        : el("span", { className: "role" }, view.role ? t(`room.role.${view.role}`) : t(`room.kind.${view.kind}`)),
      el("span", { className: "protocol", text: view.protocol }),
    );
    this.controlsKey = JSON.stringify(view.controls);
    this.controlsBox = this.controls(view);
    this.element = el(
      "article",
      { className: `device ${view.kind}`, attrs: { "data-device": view.name, "data-kind": view.kind } },
      heading,
      this.badges,
      this.status,
      this.detail,
      this.controlsBox,
    );
    this.update(view);
  }

  /** @param {DeviceView} view */
  update(view) {
    const key = JSON.stringify(view.controls);
    if (key !== this.controlsKey) {
      // The device told us more once connected (an ONVIF profile, a projector's inputs).
      this.controlsKey = key;
      this.refreshers = [];
      const box = this.controls(view);
      this.controlsBox.replaceWith(box);
      this.controlsBox = box;
    }
    this.element.setAttribute("data-link", view.link);
    this.element.setAttribute("data-power", view.power || "");
    replace(
      this.badges,
      el("span", { className: `badge link-${view.link}`, attrs: { "data-field": "link" } }, t(`room.link.${view.link}`)),
      view.power ? el("span", { className: `badge power-${view.power}`, attrs: { "data-field": "power" } }, t(`power.${view.power}`)) : null,
    );
    /** @type {[string, string][]} field, value */
    const facts = [];
    if (view.input) facts.push(["input", view.input]);
    if (view.volume !== null && view.volume !== undefined) facts.push(["volume", String(view.volume)]);
    if (view.muted !== null && view.muted !== undefined) facts.push(["muted", valueText(view.muted)]);
    if (view.position) {
      const p = view.position;
      facts.push(["position", `${round(p.pan)} / ${round(p.tilt)} / ${round(p.zoom)}`]);
    }
    if (view.gain_db) {
      const gains = Object.entries(view.gain_db).map(([ch, db]) => `${ch}: ${db} dB`);
      facts.push(["gain", gains.join(", ")]);
    }
    for (const [attribute, want] of Object.entries(view.desired || {})) {
      const owner = want.owner_kind ? ownerText(want.owner_kind, want.owner_name || "") : want.owner;
      facts.push([`kept`, t("device.kept", { what: t(`field.${attribute.split(".")[0]}`), value: valueText(want.value), owner })]);
    }
    replace(this.status, ...facts.flatMap(([key, value]) => [el("dt", {}, t(`field.${key}`)), el("dd", { attrs: { "data-field": key } }, value)]));
    // Why it is not online, as the device or its driver said it (English): data, in the tooltip.
    this.detail.textContent = "";
    this.badges.title = view.link === "online" ? "" : view.detail;
    for (const refresh of this.refreshers) refresh(view);
  }

  /** @param {DeviceView} view */
  controls(view) {
    const c = view.controls;
    const box = el("div", { className: "controls" });
    const can = (/** @type {string} */ what) => this.rights.canChange(what);
    if (view.kind === "camera") {
      if ((c.pan_tilt || c.zoom) && can("move")) box.append(ptzPad(this.send, c, (word) => t(`camera.${word}`)));
      const row = el("div", { className: "row" });
      if (c.home && can("home")) row.append(this.action("home", { do: "home" }, t("camera.home")));
      if (c.presets > 0 && can("preset_recall")) {
        const number = el("input", { attrs: { type: "number", min: "0", max: String(c.presets - 1), value: "1", "data-control": "preset", "aria-label": t("camera.preset") } });
        row.append(
          el("label", {}, t("camera.preset"), number),
          this.action("preset-recall", () => ({ do: "preset_recall", preset: Number(number.value) }), t("camera.recall")),
        );
        if (can("preset_save")) {
          row.append(this.action("preset-save", () => ({ do: "preset_save", preset: Number(number.value) }), t("camera.save")));
        }
      }
      if (c.power && can("power")) row.append(...this.power());
      box.append(row);
    } else if (view.kind === "display") {
      const row = el("div", { className: "row" });
      if (c.power && can("power")) row.append(...this.power());
      if (c.inputs.length && can("input")) {
        const select = el("select", { attrs: { "data-control": "input", "aria-label": t("field.input") } }, ...c.inputs.map((name) => el("option", { attrs: { value: name }, text: name })));
        this.refreshers.push((v) => {
          if (v.input && document.activeElement !== select) select.value = v.input;
        });
        row.append(select, this.action("input", () => ({ do: "input", input: select.value }), t("display.set_input")));
      }
      if (c.volume && can("volume")) {
        const slider = el("input", { attrs: { type: "range", min: "0", max: "100", "data-control": "volume", "aria-label": t("field.volume") } });
        slider.addEventListener("change", () => this.send({ do: "volume", level: Number(slider.value) }));
        this.refreshers.push((v) => {
          if (v.volume !== null && v.volume !== undefined && document.activeElement !== slider) slider.value = String(v.volume);
        });
        row.append(el("label", {}, t("field.volume"), slider));
      }
      if (c.mute && can("mute")) row.append(...this.mute());
      box.append(row);
    } else {
      const row = el("div", { className: "row" });
      if (c.mute && can("mute")) row.append(...this.mute());
      if (c.gain && can("gain")) {
        const channel = el("input", { attrs: { type: "number", min: "1", max: String(c.channels || 1), value: "1", "data-control": "channel", "aria-label": t("mic.channel") } });
        const [low, high] = c.gain_range_db || [-110, 30];
        const db = el("input", { attrs: { type: "number", min: String(low), max: String(high), step: "0.5", value: "0", "data-control": "gain", "aria-label": t("field.gain") } });
        row.append(
          el("label", {}, t("mic.channel"), channel),
          el("label", {}, t("field.gain"), db),
          this.action("gain", () => ({ do: "gain", gain_db: Number(db.value), channel: Number(channel.value) }), t("mic.set_gain")),
        );
      }
      box.append(row);
    }
    return box;
  }

  power() {
    return [this.action("power-on", { do: "power", power: true }, t("device.power_on")), this.action("power-off", { do: "power", power: false }, t("device.power_off"))];
  }

  mute() {
    return [this.action("mute-on", { do: "mute", muted: true }, t("device.mute")), this.action("mute-off", { do: "mute", muted: false }, t("device.unmute"))];
  }

  /**
   * A button that sends a command, fixed or read from the controls at the click.
   * @param {string} action @param {Command | (() => Command)} command @param {string} label
   */
  action(action, command, label) {
    const click = () => this.send(typeof command === "function" ? command() : command);
    return el("button", { attrs: { type: "button", "data-action": action }, on: { click } }, label);
  }
}

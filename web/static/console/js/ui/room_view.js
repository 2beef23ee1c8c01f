// One room on screen: its device cards, its scenes and positions, its event log.

import { t } from "../i18n.js";
import { el } from "./dom.js";
import { DeviceCard } from "./device_card.js";
import { eventLog } from "./event_log.js";
import { scenePanel } from "./scenes.js";

/** @typedef {import("../api.js").RoomView} RoomView */
/** @typedef {import("../api.js").LogEntry} LogEntry */

/**
 * @param {RoomView} room
 * @param {{send: (device: string, command: Object) => Promise<*>, runScene: (scene: string) => void,
 *   position: (name: string) => void, canChange: (what: string) => boolean,
 *   mayRun: (lecturer: boolean) => boolean}} actions
 */
export function roomView(room, actions) {
  /** @type {Map<string, DeviceCard>} */
  const cards = new Map(room.devices.map((d) => [d.name, new DeviceCard(d, actions.send, actions)]));
  const scenes = scenePanel(room, { ...actions, mayMove: actions.canChange("position") });
  const log = eventLog();
  const element = el(
    "section",
    { class: "room", "data-room": room.name },
    el("h2", { class: "room-title", text: room.title }),
    el("div", { class: "layout" }, el("div", { class: "devices", "aria-label": t("device.list") }, ...[...cards.values()].map((c) => c.element)), el("aside", {}, scenes.element, log.element)),
  );
  return {
    element,
    /** @param {import("../api.js").DeviceView} view */
    device: (view) => cards.get(view.name)?.update(view),
    scene: scenes.update,
    /** @param {LogEntry[]} entries */
    log: (entries) => log.update(entries.filter((e) => e.room === room.name)),
  };
}

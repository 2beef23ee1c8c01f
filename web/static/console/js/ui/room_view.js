// @ts-check
// One room on screen: its device cards, its scenes and positions, its event log.

import { el } from "../../../../static/shared/dom.js";
import { t } from "../../../../static/shared/i18n.js";
import { agentCard } from "./agent_card.js";
import { DeviceCard } from "./device_card.js";
import { eventLog } from "./event_log.js";
import { scenePanel } from "./scenes.js";

/** @typedef {import("../../../../static/shared/rooms_api.js").RoomView} RoomView */
/** @typedef {import("../../../../static/shared/rooms_api.js").DeviceView} DeviceView */
/** @typedef {import("../../../../static/shared/rooms_api.js").LogEntry} LogEntry */
/** @typedef {import("../../../../static/shared/ptz_pad.js").Command} Command */

/**
 * @param {RoomView} room
 * @param {{agent?: import("../../../../static/shared/rooms_api.js").RoomsApi, send: (device: string, command: Command) => Promise<unknown>, runScene: (scene: string) => void,
 *   position: (name: string) => void, canChange: (what: string) => boolean,
 *   mayRun: (lecturer: boolean) => boolean}} actions
 */
export function roomView(room, actions) {
  /** @type {Map<string, DeviceCard>} */
  const cards = new Map(room.devices.map((d) => [d.name, new DeviceCard(d, actions.send, actions)]));
  const scenes = scenePanel(room, { ...actions, mayMove: actions.canChange("position") });
  const log = eventLog(room);
  const agent = actions.agent ? agentCard(actions.agent, room.name) : null;
  const element = el(
    "section",
    { className: "room", attrs: { "data-room": room.name } },
    el("h2", { className: "room-title", text: room.title }),
    el(
      "div",
      { className: "layout" },
      el("div", { className: "devices", attrs: { "aria-label": t("device.list") } }, ...[...cards.values()].map((c) => c.element), agent ? agent.element : null),
      el("aside", {}, scenes.element, log.element),
    ),
  );
  return {
    element,
    stop: () => agent?.stop(),
    /** @param {DeviceView} view */
    device: (view) => cards.get(view.name)?.update(view),
    scene: scenes.update,
    /** @param {LogEntry[]} entries */
    log: (entries) => log.update(entries.filter((e) => e.room === room.name)),
  };
}

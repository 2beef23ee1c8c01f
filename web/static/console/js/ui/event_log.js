// @ts-check
// The room's recent event log: commands, scene runs, drift corrections, link changes.

import { el, replace } from "../../../../static/shared/dom.js";
import { formatClock, t } from "../../../../static/shared/i18n.js";
import { actorText, entryWords } from "../../../../static/shared/room_words.js";

/** @typedef {import("../../../../static/shared/rooms_api.js").LogEntry} LogEntry */
/** @typedef {import("../../../../static/shared/rooms_api.js").RoomView} RoomView */

/** @param {RoomView} room whose devices, positions and scenes the entries name */
export function eventLog(room) {
  const list = el("ol", { className: "log", attrs: { reversed: true } });
  const element = el("section", { className: "events" }, el("h2", {}, t("log.title")), list);
  /** @param {LogEntry[]} entries oldest first */
  const update = (entries) => {
    const newest = entries.slice(-60).reverse();
    replace(
      list,
      ...newest.map((e) => {
        const said = entryWords(e, room);
        // The English detail (what the device or the driver said) is for the tooltip.
        return el(
          "li",
          { attrs: { "data-result": e.result, "data-event": e.event || "", title: e.detail || undefined } },
          el("time", { attrs: { datetime: e.at } }, formatClock(e.at)),
          el("span", { className: "who" }, actorText(e.actor)),
          el("span", { className: "target", attrs: { title: e.target } }, said.target),
          said.words ? el("span", { className: "action" }, said.action) : el("span", { className: "action", text: said.action }),
          el("span", { className: `badge result-${e.result}` }, t(`room.result.${e.result}`)),
          said.error ? el("span", { className: "detail", attrs: { "data-error": e.error || "" } }, said.error) : null,
          !said.words && e.detail ? el("span", { className: "detail", text: e.detail }) : null,
        );
      }),
    );
  };
  return { element, update };
}

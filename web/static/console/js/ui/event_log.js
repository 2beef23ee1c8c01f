// @ts-check
// The room's recent event log: commands, scene runs, drift corrections, link changes.

import { el, replace } from "../../../../static/shared/dom.js";
import { formatClock, t } from "../../../../static/shared/i18n.js";

/** @typedef {import("../../../../static/shared/rooms_api.js").LogEntry} LogEntry */

export function eventLog() {
  const list = el("ol", { className: "log", attrs: { reversed: true } });
  const element = el("section", { className: "events" }, el("h2", {}, t("log.title")), list);
  /** @param {LogEntry[]} entries oldest first */
  const update = (entries) => {
    const newest = entries.slice(-60).reverse();
    replace(
      list,
      ...newest.map((e) =>
        el(
          "li",
          { attrs: { "data-result": e.result } },
          el("time", { attrs: { datetime: e.at } }, formatClock(e.at)),
          el("span", { className: "who" }, `${t(`actor.${e.actor.kind}`)} ${e.actor.name}`.trim()),
          el("span", { className: "target", text: e.target }),
          el("span", { className: "action" }, e.action.startsWith("link ") ? t(`link.${e.action.slice(5)}`) : e.action),
          el("span", { className: `badge result-${e.result}` }, t(`result.${e.result}`)),
          e.detail ? el("span", { className: "detail", text: e.detail }) : null,
        ),
      ),
    );
  };
  return { element, update };
}

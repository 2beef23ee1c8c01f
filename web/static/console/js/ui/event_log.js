// The room's recent event log: commands, scene runs, drift corrections, link changes.

import { t } from "../i18n.js";
import { clock, el, replace } from "./dom.js";

/** @typedef {import("../api.js").LogEntry} LogEntry */

export function eventLog() {
  const list = el("ol", { class: "log", reversed: true });
  const element = el("section", { class: "events" }, el("h2", { text: t("log.title") }), list);
  /** @param {LogEntry[]} entries oldest first */
  const update = (entries) => {
    const newest = entries.slice(-60).reverse();
    replace(
      list,
      ...newest.map((e) =>
        el(
          "li",
          { "data-result": e.result },
          el("time", { datetime: e.at, text: clock(e.at) }),
          el("span", { class: "who", text: `${t(`actor.${e.actor.kind}`)} ${e.actor.name}`.trim() }),
          el("span", { class: "target", text: e.target }),
          el("span", { class: "action", text: e.action.startsWith("link ") ? t(`link.${e.action.slice(5)}`) : e.action }),
          el("span", { class: `badge result-${e.result}`, text: t(`result.${e.result}`) }),
          e.detail ? el("span", { class: "detail", text: e.detail }) : null,
        ),
      ),
    );
  };
  return { element, update };
}

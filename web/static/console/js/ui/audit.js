// The audit log (from the database): the newest entries, and exports as CSV or JSON.

import { t } from "../i18n.js";
import { el, replace } from "./dom.js";

/** @param {import("../api.js").RoomsApi} api @param {(error: *) => void} onerror */
export function auditPanel(api, onerror) {
  const body = el("tbody");
  const load = async () => {
    try {
      const entries = await api.audit({ limit: 100 });
      replace(
        body,
        ...entries.map((/** @type {*} */ e) =>
          el(
            "tr",
            {},
            el("td", { text: new Date(e.at).toLocaleString() }),
            el("td", { text: e.room }),
            el("td", { text: `${t(`actor.${e.actor_kind}`)} ${e.actor_name}`.trim() }),
            el("td", { text: e.target }),
            el("td", { text: e.action }),
            el("td", { text: t(`result.${e.result}`) }),
            el("td", { text: e.detail }),
          ),
        ),
      );
    } catch (error) {
      onerror(error);
    }
  };
  const download = async (/** @type {string} */ format) => {
    try {
      const data = await api.audit({ limit: 10000, format });
      const blob = data instanceof Blob ? data : new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const link = el("a", { href: URL.createObjectURL(blob), download: `room-audit.${format}` });
      link.click();
      URL.revokeObjectURL(link.getAttribute("href") || "");
    } catch (error) {
      onerror(error);
    }
  };
  const headings = ["when", "room", "who", "target", "action", "result", "detail"];
  const element = el(
    "section",
    { class: "audit" },
    el("h2", { text: t("audit.title") }),
    el(
      "div",
      { class: "buttons" },
      el("button", { type: "button", "data-action": "audit-load", onclick: load }, t("audit.refresh")),
      el("button", { type: "button", "data-action": "audit-csv", onclick: () => download("csv") }, t("audit.csv")),
      el("button", { type: "button", "data-action": "audit-json", onclick: () => download("json") }, t("audit.json")),
    ),
    el("table", {}, el("thead", {}, el("tr", {}, ...headings.map((h) => el("th", { text: t(`audit.${h}`) })))), body),
  );
  return { element, load };
}

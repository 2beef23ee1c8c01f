// @ts-check
// The audit log (from the database): the newest entries, and exports as CSV or JSON.

import { el, replace } from "../../../../static/shared/dom.js";
import { t } from "../../../../static/shared/i18n.js";

/**
 * @typedef {{at: string, room: string, actor_kind: string, actor_name: string, target: string,
 *   action: string, result: string, detail: string}} AuditEntry
 */

/** @param {import("../../../../static/shared/rooms_api.js").RoomsApi} api @param {(error: unknown) => void} onerror */
export function auditPanel(api, onerror) {
  const body = el("tbody");
  const load = async () => {
    try {
      const entries = /** @type {AuditEntry[]} */ (await api.audit({ limit: 100 }));
      replace(
        body,
        ...entries.map((e) =>
          el(
            "tr",
            {},
            el("td", {}, new Date(e.at).toLocaleString()),
            el("td", { text: e.room }),
            el("td", {}, `${t(`actor.${e.actor_kind}`)} ${e.actor_name}`.trim()),
            el("td", { text: e.target }),
            el("td", { text: e.action }),
            el("td", {}, t(`result.${e.result}`)),
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
      const link = el("a", { attrs: { href: URL.createObjectURL(blob), download: `room-audit.${format}` } });
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (error) {
      onerror(error);
    }
  };
  const headings = ["when", "room", "who", "target", "action", "result", "detail"];
  /** @param {string} action @param {string} label @param {() => void} onClick */
  const action = (action, label, onClick) => el("button", { attrs: { type: "button", "data-action": action }, on: { click: onClick } }, label);
  const element = el(
    "section",
    { className: "audit" },
    el("h2", {}, t("audit.title")),
    el(
      "div",
      { className: "buttons" },
      action("audit-load", t("audit.refresh"), load),
      action("audit-csv", t("audit.csv"), () => download("csv")),
      action("audit-json", t("audit.json"), () => download("json")),
    ),
    el("table", {}, el("thead", {}, el("tr", {}, ...headings.map((h) => el("th", {}, t(`audit.${h}`))))), body),
  );
  return { element, load };
}

// @ts-check
// The audit log (from the database): the newest entries, and exports as CSV or JSON.

import { el, replace } from "../../../../static/shared/dom.js";
import { t } from "../../../../static/shared/i18n.js";
import { actorText, entryWords } from "../../../../static/shared/room_words.js";

/**
 * @typedef {{at: string, room: string, actor_kind: string, actor_name: string, target: string,
 *   action: string, result: string, detail: string, actor_class?: ?string, event?: ?string, args?: ?Object<string, *>,
 *   error?: ?string}} AuditEntry
 */

/**
 * @param {import("../../../../static/shared/rooms_api.js").RoomsApi} api
 * @param {(error: unknown) => void} onerror
 * @param {(name: string) => import("../../../../static/shared/rooms_api.js").RoomView | undefined} roomOf
 */
export function auditPanel(api, onerror, roomOf) {
  const body = el("tbody");
  const load = async () => {
    try {
      const entries = /** @type {AuditEntry[]} */ (await api.audit({ limit: 100 }));
      replace(
        body,
        ...entries.map((e) => {
          const room = roomOf(e.room);
          const said = entryWords(e, room);
          // Rows from before the server sent their words keep their English text, as data.
          const words = (/** @type {string} */ text) => (said.words ? el("td", {}, text) : el("td", { text }));
          return el(
            "tr",
            { attrs: { "data-event": e.event || "", title: e.detail || undefined } },
            el("td", {}, new Date(e.at).toLocaleString(document.documentElement.lang || "vi")),
            el("td", { text: room?.title || e.room }),
            el("td", {}, actorText({ kind: e.actor_kind, name: e.actor_name, class_id: e.actor_class })),
            el("td", { attrs: { title: e.target } }, said.target),
            words(said.action),
            el("td", {}, t(`room.result.${e.result}`)),
            said.words ? el("td", {}, said.error) : el("td", { text: e.detail }),
          );
        }),
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

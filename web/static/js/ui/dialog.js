// @ts-check
/** A translated confirmation dialog (native <dialog>: focus trap and Escape come for free). */

import { el } from "../../shared/dom.js";

/**
 * @param {{titleKey: string, bodyKey: string, confirmKey: string, danger?: boolean, args?: import("../../shared/i18n.js").Params}} text
 * @returns {Promise<boolean>} true when confirmed
 */
export function confirmDialog({ titleKey, bodyKey, confirmKey, danger = false, args = {} }) {
  return new Promise((resolve) => {
    const cancel = el("button", { className: "btn", i18n: "confirm.cancel", attrs: { type: "button", value: "cancel" } });
    const confirm = el("button", { className: `btn ${danger ? "btn-danger" : "btn-primary"}`, i18n: confirmKey, attrs: { type: "button", value: "confirm" } });
    const dialog = el(
      "dialog",
      { className: "dialog", attrs: { "aria-labelledby": "dialog-title" } },
      el("h2", { i18n: titleKey, args, attrs: { id: "dialog-title" } }),
      el("p", { i18n: bodyKey, args }),
      el("div", { className: "card-actions" }, cancel, confirm),
    );
    let result = false;
    cancel.addEventListener("click", () => dialog.close());
    confirm.addEventListener("click", () => {
      result = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

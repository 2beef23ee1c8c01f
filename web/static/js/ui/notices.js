// @ts-check
/**
 * What the page tells the user besides the class itself: lasting banners (reconnecting…),
 * short toasts (an error that does not end the class) and full-page cards for states that
 * end it (link expired, class ended, browser unsupported). Nothing is ever console-only.
 */

import { el, clear } from "../../shared/dom.js";

/** @typedef {"info" | "warning" | "error" | "success"} Tone */
/** @typedef {{key: string, onClick: () => void, primary?: boolean}} Action */

export class Notices {
  /** @param {HTMLElement} region an aria-live region */
  constructor(region) {
    this.region = region;
    /** @type {Map<string, HTMLElement>} */
    this.banners = new Map();
  }

  /**
   * Show or update a lasting banner.
   * @param {string} id @param {string} key @param {import("../../shared/i18n.js").Params} [args] @param {Tone} [tone]
   * @param {Action[]} [actions]
   */
  banner(id, key, args = {}, tone = "info", actions = []) {
    const signature = JSON.stringify([key, args, tone]);
    if (this.banners.get(id)?.dataset.signature === signature) return; // screen readers hear it once
    this.clearBanner(id);
    const node = el(
      "div",
      { className: `notice notice-${tone}`, data: { notice: id }, attrs: { role: tone === "error" ? "alert" : "status" } },
      el("span", { i18n: key, args }),
      ...actions.map((a) => actionButton(a)),
    );
    node.dataset.signature = signature;
    this.banners.set(id, node);
    this.region.append(node);
  }

  /** @param {string} id */
  clearBanner(id) {
    this.banners.get(id)?.remove();
    this.banners.delete(id);
  }

  /** A message that goes away by itself. @param {string} key @param {import("../../shared/i18n.js").Params} [args] @param {Tone} [tone] */
  toast(key, args = {}, tone = "info", ms = 6000) {
    const node = el("div", { className: `notice notice-${tone} toast`, attrs: { role: "status" } }, el("span", { i18n: key, args }));
    this.region.append(node);
    setTimeout(() => node.remove(), ms);
  }
}

/**
 * A full-page card for a state that ends (or blocks) the class.
 * @param {HTMLElement} container
 * @param {{titleKey: string, bodyKey: string, args?: import("../../shared/i18n.js").Params, tone?: Tone, actions?: Action[], id: string}} card
 */
export function showCard(container, card) {
  clear(container);
  container.className = "card-page";
  const heading = el("h1", { i18n: card.titleKey, args: card.args, attrs: { tabindex: "-1" } });
  container.append(
    el(
      "section",
      { className: `card card-${card.tone ?? "info"}`, data: { state: card.id }, attrs: { "aria-labelledby": "card-title" } },
      heading,
      el("p", { i18n: card.bodyKey, args: card.args }),
      card.actions?.length ? el("div", { className: "card-actions" }, ...card.actions.map((a) => actionButton(a))) : null,
    ),
  );
  heading.id = "card-title";
  heading.focus();
}

/** @param {Action} action */
function actionButton(action) {
  const b = el("button", { className: `btn ${action.primary ? "btn-primary" : ""}`.trim(), i18n: action.key, attrs: { type: "button" } });
  b.addEventListener("click", action.onClick);
  return b;
}

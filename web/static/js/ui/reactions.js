// @ts-check
/**
 * Reactions: the six of docs/protocol.md, each an emoji with a translated name. The picker is
 * a small menu above the toolbar; a reaction shows for a few seconds on the sender's tile.
 */

import { el } from "../../shared/dom.js";

/** @typedef {import("../protocol.js").ReactionName} ReactionName */

/** The emoji and the translation key of each reaction (keys written out so the i18n test finds them). */
export const REACTIONS = /** @type {Record<ReactionName, {emoji: string, key: string}>} */ ({
  thumbs_up: { emoji: "👍", key: "react.thumbs_up" },
  clap: { emoji: "👏", key: "react.clap" },
  heart: { emoji: "❤️", key: "react.heart" },
  laugh: { emoji: "😄", key: "react.laugh" },
  surprised: { emoji: "😮", key: "react.surprised" },
  question: { emoji: "❓", key: "react.question" },
});

/** @param {string} name @returns {name is ReactionName} */
export function isReaction(name) {
  return Object.hasOwn(REACTIONS, name);
}

export class ReactionPicker {
  constructor() {
    /** @type {(reaction: ReactionName) => void} */
    this.onpick = () => {};
    this.element = el("div", { className: "reaction-picker", attrs: { role: "group", hidden: "" }, i18nAttr: { "aria-label": "react.label" } });
    for (const [name, { emoji, key }] of Object.entries(REACTIONS)) {
      const b = el("button", { className: "btn btn-reaction", attrs: { type: "button" }, data: { reaction: name }, i18nAttr: { "aria-label": key, title: key } }, emoji);
      b.addEventListener("click", () => {
        this.toggle(false);
        this.onpick(/** @type {ReactionName} */ (name));
      });
      this.element.append(b);
    }
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.toggle(false);
    });
  }

  get open() {
    return !this.element.hidden;
  }

  /** @param {boolean} open */
  toggle(open) {
    this.element.hidden = !open;
    if (open) /** @type {HTMLElement | null} */ (this.element.querySelector("button"))?.focus();
  }
}

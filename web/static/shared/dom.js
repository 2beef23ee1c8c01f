// @ts-check
/**
 * A tiny element builder for both front ends, so the UI modules read as the markup they
 * produce. No innerHTML anywhere: text from people and devices is always text.
 */

/**
 * @typedef {object} Props
 * @property {string} [className]
 * @property {string} [i18n] text translation key (re-translated in place on a language switch)
 * @property {import("./i18n.js").Params} [args] translation parameters
 * @property {Record<string, string>} [i18nAttr] attribute → translation key (aria-label, title…)
 * @property {Record<string, string | boolean | null | undefined>} [attrs] `true` sets an empty
 *   attribute (`disabled`, `required`); `false`, null and undefined leave it out
 * @property {Record<string, string>} [data]
 * @property {string} [text] user text (names, titles, what devices say): never translated
 * @property {Record<string, EventListener>} [on]
 */

import { bind } from "./i18n.js";

/** @typedef {Node | string | null | undefined | false} Child */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === true) element.setAttribute(name, "");
    else if (typeof value === "string") element.setAttribute(name, value);
  }
  for (const [name, value] of Object.entries(props.data ?? {})) element.dataset[name] = value;
  for (const [name, listener] of Object.entries(props.on ?? {})) element.addEventListener(name, listener);
  if (props.text !== undefined) {
    element.textContent = props.text;
    element.dataset.userText = ""; // data: the language checks skip it,
    element.translate = false; // and so does a browser's translator
  }
  if (props.i18n || props.i18nAttr) bind(element, props.i18n ?? null, props.args, props.i18nAttr);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** Remove every child of `node`. @param {Element} node */
export function clear(node) {
  node.replaceChildren();
}

/** Replace the children of `node` (absent ones are skipped). @param {Element} node @param {Child[]} children */
export function replace(node, ...children) {
  node.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
}

/**
 * A button with an icon and a translated label; the label stays visible on wide screens and
 * becomes the accessible name on narrow ones.
 * @param {string} key @param {SVGElement | null} icon @param {string} [className] @param {() => void} [onClick]
 */
export function button(key, icon, className = "", onClick) {
  const label = el("span", { className: "label", i18n: key });
  const b = el("button", { className: `btn ${className}`.trim(), attrs: { type: "button" } }, icon, label);
  if (onClick) b.addEventListener("click", onClick);
  return b;
}

/** Change a button's label key (e.g. "Mute" ↔ "Unmute"). @param {HTMLButtonElement} b @param {string} key */
export function relabel(b, key) {
  const label = /** @type {HTMLElement} */ (b.querySelector(".label"));
  bind(label, key);
}

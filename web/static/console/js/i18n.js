// Translations: one JSON file per language (../i18n/vi.json, en.json); Vietnamese first.
// `t(key, params)` looks a key up and fills {name} placeholders; `apply(root)` translates
// every element with data-i18n (text) or data-i18n-title / data-i18n-placeholder.

export const LANGUAGES = ["vi", "en"];
const STORAGE_KEY = "classbridge.console.lang";

/** @type {Object<string, string>} */
let table = {};
let current = "vi";

/** The remembered language, else the browser's if we have it, else Vietnamese. */
export function preferred() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && LANGUAGES.includes(saved)) return saved;
  const browser = (navigator.language || "vi").slice(0, 2);
  return LANGUAGES.includes(browser) ? browser : "vi";
}

/** @param {string} language */
export async function load(language) {
  const response = await fetch(`/console/static/i18n/${language}.json`);
  table = await response.json();
  current = language;
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
}

export function language() {
  return current;
}

/** @param {string} key @param {Object<string, *>} [params] */
export function t(key, params = {}) {
  const text = table[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** @param {string} key @param {string} fallback the text to show when there is no translation */
export function tOr(key, fallback) {
  return key in table ? table[key] : fallback;
}

/** @param {ParentNode} root */
export function apply(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.getAttribute("data-i18n"));
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.setAttribute("title", t(el.getAttribute("data-i18n-title")));
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.setAttribute("placeholder", t(el.getAttribute("data-i18n-placeholder")));
  }
}

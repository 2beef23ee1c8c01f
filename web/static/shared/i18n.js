// @ts-check
/**
 * Translations for both front ends: one JSON file per language and front end (the class page's
 * under /static/i18n/, the console's under /console/static/i18n/, see `translationsAt`), and
 * the room words both show (devices, scene steps, the logs, the room API's errors: `room.*`
 * keys under /static/shared/i18n/, used by room_words.js), loaded with each.
 * Vietnamese unless the user chose otherwise (`?lang=en` or the switch), and the choice is
 * remembered for both front ends.
 *
 * Markup names its text by key (`data-i18n="prejoin.join"`, attributes with
 * `data-i18n-attr="aria-label:toolbar.leave"`, parameters in `data-i18n-args` as JSON), so
 * switching language re-translates the page in place without re-rendering anything.
 */

export const LANGUAGES = /** @type {const} */ (["vi", "en"]);
export const DEFAULT_LANGUAGE = "vi";
const STORAGE_KEY = "classbridge.lang";

/** @typedef {"vi" | "en"} Language */
/**
 * Parameters of a translation: plain values, another key to translate (`{key: "role.trainee"}`)
 * or a time to format in the page's language (`{time: epochSeconds}`).
 * @typedef {Record<string, string | number | {key: string} | {time: number}>} Params
 */

/** @type {Record<string, string>} */
let strings = {};
/** The room words both front ends share. */
const SHARED_FOLDER = "/static/shared/i18n";
/** Where this page's translation files are: the class page's unless the page says otherwise. */
let folder = "/static/i18n";
/** @type {Language} */
let current = DEFAULT_LANGUAGE;
/** @type {Array<() => void>} */
const languageListeners = [];

/**
 * Call `listener` after each language change: for views whose text is built from several
 * keys (a scene's steps) rather than bound by one, so `translateTree` cannot redo it.
 * @param {() => void} listener
 * @returns {() => void} stops listening
 */
export function onLanguage(listener) {
  languageListeners.push(listener);
  return () => {
    const index = languageListeners.indexOf(listener);
    if (index >= 0) languageListeners.splice(index, 1);
  };
}

/**
 * The language to use: `?lang=` first (and remembered), then the remembered choice.
 * @param {string} search location.search
 * @param {Storage | null} storage
 * @returns {Language}
 */
export function chooseLanguage(search, storage) {
  const asked = new URLSearchParams(search).get("lang");
  if (asked && isLanguage(asked)) {
    storage?.setItem(STORAGE_KEY, asked);
    return asked;
  }
  const remembered = storage?.getItem(STORAGE_KEY);
  return remembered && isLanguage(remembered) ? remembered : DEFAULT_LANGUAGE;
}

/** @param {string} value @returns {value is Language} */
function isLanguage(value) {
  return /** @type {readonly string[]} */ (LANGUAGES).includes(value);
}

/**
 * Use the translation files under `url` (`${url}/vi.json`...): each front end has its own.
 * Call before the first `loadLanguage`. @param {string} url
 */
export function translationsAt(url) {
  folder = url.replace(/\/$/, "");
}

/**
 * Load a language's strings; the caller then calls `translateTree(document)`.
 * @param {Language} language
 * @param {Storage | null} [storage] remembers an explicit choice
 */
export async function loadLanguage(language, storage = null) {
  const tables = await Promise.all(
    [folder, SHARED_FOLDER].map(async (where) => {
      const response = await fetch(`${where}/${language}.json`, { cache: "no-cache" });
      if (!response.ok) throw new Error(`cannot load translations for ${language}: HTTP ${response.status}`);
      return /** @type {Record<string, string>} */ (await response.json());
    }),
  );
  strings = Object.assign({}, ...tables);
  current = language;
  storage?.setItem(STORAGE_KEY, language);
  const changed = document.documentElement.lang !== language;
  document.documentElement.lang = language;
  if (changed) for (const listener of [...languageListeners]) listener();
}

/** @returns {Language} */
export function language() {
  return current;
}

/** A BCP 47 locale for dates and numbers. */
export function locale() {
  return current === "vi" ? "vi-VN" : "en-GB";
}

/**
 * The translation of `key` with `{name}` placeholders filled in. A missing key shows the key
 * itself (and the language test fails), never an empty string.
 * @param {string} key
 * @param {Params} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  const template = strings[key];
  if (template === undefined) {
    console.warn(`classbridge: no ${current} translation for ${key}`);
    return key;
  }
  return template.replace(/\{(\w+)\}/g, (/** @type {string} */ whole, /** @type {string} */ name) => (name in params ? paramText(params[name]) : whole));
}

/** Is there a translation for `key`? @param {string} key */
export function has(key) {
  return key in strings;
}

/** @param {Params[string]} value @returns {string} */
function paramText(value) {
  if (typeof value === "object" && "key" in value) return t(value.key);
  if (typeof value === "object" && "time" in value) return formatTime(value.time);
  return String(value);
}

/** @param {number} epochSeconds */
export function formatTime(epochSeconds) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(epochSeconds * 1000),
  );
}

/** A time of day as hh:mm:ss, 24-hour, in the page's language. @param {string | null} iso */
export function formatClock(iso) {
  return iso ? new Date(iso).toLocaleTimeString(locale(), { hour12: false }) : "";
}

/**
 * Mark an element's text (and optionally attributes) as translated by key.
 * @template {HTMLElement} E
 * @param {E} element
 * @param {string | null} key text key, or null to only set attributes
 * @param {Params} [params]
 * @param {Record<string, string>} [attributes] attribute name → key
 * @returns {E}
 */
export function bind(element, key, params, attributes) {
  if (key) element.dataset.i18n = key;
  else delete element.dataset.i18n;
  if (params && Object.keys(params).length) element.dataset.i18nArgs = JSON.stringify(params);
  else delete element.dataset.i18nArgs;
  if (attributes) {
    element.dataset.i18nAttr = Object.entries(attributes)
      .map(([name, attrKey]) => `${name}:${attrKey}`)
      .join(";");
  }
  translateElement(element);
  return element;
}

/** @param {HTMLElement} element */
function translateElement(element) {
  const params = element.dataset.i18nArgs ? JSON.parse(element.dataset.i18nArgs) : {};
  if (element.dataset.i18n) element.textContent = t(element.dataset.i18n, params);
  for (const pair of (element.dataset.i18nAttr || "").split(";")) {
    if (!pair) continue;
    const [name, key] = pair.split(":");
    element.setAttribute(name, t(key, params));
  }
}

/** Re-translate every bound element under `root` (after a language switch). @param {ParentNode} root */
export function translateTree(root) {
  for (const element of root.querySelectorAll("[data-i18n], [data-i18n-attr]")) {
    translateElement(/** @type {HTMLElement} */ (element));
  }
}

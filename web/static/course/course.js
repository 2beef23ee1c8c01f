// @ts-check
/**
 * The page behind a personal course link (`{public_url}/course#t=<token>`): the course's
 * classes, each with a button that exchanges the course link for a join link to that class
 * (`POST /api/course-link/join`, carrying the trainee's id and name) and opens it.
 */

import { el, replace } from "../shared/dom.js";
import { chooseLanguage, loadLanguage, translateTree, translationsAt, t, locale } from "../shared/i18n.js";
import { tokenFromFragment } from "../shared/token.js";

/**
 * @typedef {object} CourseClass
 * @property {string} id
 * @property {string} title
 * @property {"created" | "live" | "ended"} status
 * @property {string | null} starts_at
 * @property {string | null} ends_at
 */
/**
 * @typedef {object} CourseView
 * @property {string} title
 * @property {string | null} name
 * @property {string} time_zone
 * @property {CourseClass[]} classes
 */

const card = /** @type {HTMLElement} */ (document.getElementById("course"));

/** @param {string} key */
function message(key) {
  replace(card, el("p", { className: "card-error", i18n: key, attrs: { role: "alert" } }));
}

/** @param {Response} response @returns {Promise<string>} the error code of a refusal */
async function codeOf(response) {
  try {
    const body = await response.json();
    return String(body?.error?.code ?? "");
  } catch {
    return "";
  }
}

/** @param {string | null} iso @param {string} zone */
function when(iso, zone) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "short", timeZone: zone }).format(new Date(iso));
}

/** @param {string} token @param {CourseView} view */
function render(token, view) {
  const list = el("ul", { className: "course-classes" });
  for (const c of view.classes) {
    const planned = c.starts_at ? t("course.when", { start: when(c.starts_at, view.time_zone), end: when(c.ends_at, view.time_zone) }) : t("course.not_planned");
    const join = el("button", { className: "btn btn-primary", i18n: "course.join", attrs: { type: "button" }, data: { classId: c.id } });
    join.disabled = c.status === "ended";
    join.addEventListener("click", () => void open(token, c.id, join));
    list.append(
      el("li", { className: "course-class" },
        el("strong", { text: c.title }),
        el("span", { text: ` · ${planned} · ` }),
        el("span", { i18n: `course.status_${c.status}` }),
        el("span", { text: " " }),
        join,
      ),
    );
  }
  replace(
    card,
    el("h1", { text: view.title }),
    el("p", { i18n: "course.hello", args: { name: view.name ?? "" } }),
    view.classes.length ? list : el("p", { i18n: "course.no_classes" }),
  );
}

/** @param {string} token @param {string} classId @param {HTMLButtonElement} button */
async function open(token, classId, button) {
  button.disabled = true;
  const response = await fetch("/api/course-link/join", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ class_id: classId }),
  });
  if (response.ok) {
    const link = /** @type {{link: string}} */ (await response.json()).link;
    location.assign(link);
    return;
  }
  const code = await codeOf(response);
  message(code === "not_on_roster" ? "course.not_on_roster" : code === "class_ended" ? "course.class_ended" : response.status === 403 ? "course.link_refused" : "course.failed");
}

async function main() {
  translationsAt("/static/course/i18n");
  await loadLanguage(chooseLanguage(location.search, localStorage));
  translateTree(document);
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("lang-select"));
  select.value = document.documentElement.lang;
  select.addEventListener("change", async () => {
    await loadLanguage(select.value === "en" ? "en" : "vi", localStorage);
    translateTree(document);
  });
  const token = tokenFromFragment(location.hash);
  if (!token) return message("course.no_link");
  const response = await fetch("/api/course-link", { headers: { Authorization: `Bearer ${token}` } });
  if (response.status === 401 || response.status === 403) return message("course.link_refused");
  if (!response.ok) return message("course.failed");
  render(token, /** @type {CourseView} */ (await response.json()));
  translateTree(card);
}

void main();

// @ts-check
/**
 * A module-end test, taken from the trainee's personal course link:
 * `{public_url}/test?test=<id>#t=<course token>`. The server keeps the paper, the answers and
 * the time: every answer is saved as soon as it is given (a reload or a dropped connection
 * loses nothing), the countdown follows the server's clock, and at the deadline the server
 * closes the attempt whether or not this page is open.
 */

import * as i18n from "../shared/i18n.js";
import { el, clear } from "../shared/dom.js";
import { tokenFromFragment } from "../shared/token.js";

/** @typedef {{kind: "single" | "multiple" | "true_false" | "short", text: string, options: string[]}} ShownQuestion */
/**
 * @typedef {{test_id: string, title: string, started_at: string, deadline: string, now: string, closed: boolean,
 *   questions: ShownQuestion[], answers: Record<string, number[] | string>, score: number | null}} Attempt
 */

const LETTERS = "ABCDEFGHIJ";

class TestPage {
  constructor() {
    this.main = /** @type {HTMLElement} */ (document.getElementById("main"));
    this.clock = /** @type {HTMLElement} */ (document.getElementById("exam-clock"));
    this.token = tokenFromFragment(location.hash) ?? "";
    this.testId = new URLSearchParams(location.search).get("test") ?? "";
    this.courseId = courseOf(this.token);
    /** @type {Attempt | null} */
    this.attempt = null;
    this.skewMs = 0; // the server's clock minus ours
    /** @type {ReturnType<typeof setInterval> | null} */
    this.ticker = null;
    /** @type {Map<number, HTMLElement>} question → its save status */
    this.status = new Map();
  }

  /** @param {string} path @param {RequestInit} [init] */
  async call(path, init = {}) {
    const response = await fetch(`/api/courses/${encodeURIComponent(this.courseId)}/tests/${encodeURIComponent(this.testId)}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
    });
    if (response.status === 204) return null;
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(body?.error?.code ?? `http_${response.status}`);
    return body;
  }

  async start() {
    if (!this.token || !this.courseId || !this.testId) return this.problem("link_invalid");
    try {
      this.show(/** @type {Attempt} */ (await this.call("/attempt", { method: "POST" })));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.problem(error.code);
    }
  }

  /** @param {string} code */
  problem(code) {
    clear(this.main);
    const key = i18n.has(`exam.error.${code}`) ? `exam.error.${code}` : "exam.error.other";
    this.main.append(el("section", { className: "card card-error", attrs: { role: "alert" } }, el("h1", { i18n: key, args: { code } })));
  }

  /** @param {Attempt} attempt */
  show(attempt) {
    this.attempt = attempt;
    this.skewMs = Date.parse(attempt.now) - Date.now();
    const title = /** @type {HTMLElement} */ (document.getElementById("test-title"));
    title.textContent = attempt.title;
    document.title = `${attempt.title} – ClassBridge`;
    clear(this.main);
    this.status.clear();
    const form = el("form", { className: "card exam-paper" });
    form.addEventListener("submit", (event) => event.preventDefault());
    if (attempt.closed) {
      form.append(el("p", { className: "exam-result", attrs: { role: "status" },
        i18n: attempt.score === null ? "exam.closed_pending" : "exam.closed_score",
        args: { score: attempt.score === null ? "" : new Intl.NumberFormat(i18n.locale(), { maximumFractionDigits: 1 }).format(attempt.score) } }));
    } else {
      form.append(el("p", { className: "hint", i18n: "exam.intro", args: { count: attempt.questions.length } }));
    }
    attempt.questions.forEach((q, n) => form.append(this.question(q, n, attempt)));
    if (!attempt.closed) {
      const submit = el("button", { className: "btn btn-primary", i18n: "exam.submit", attrs: { type: "button" }, data: { action: "submit" } });
      submit.addEventListener("click", () => void this.submit(submit));
      form.append(submit);
    }
    this.main.append(form);
    this.tick();
    if (this.ticker === null && !attempt.closed) this.ticker = setInterval(() => this.tick(), 500);
  }

  /** @param {ShownQuestion} q @param {number} n @param {Attempt} attempt */
  question(q, n, attempt) {
    const saved = attempt.answers[String(n)];
    const status = el("span", { className: "exam-status", attrs: { "aria-live": "polite" } });
    if (saved !== undefined) i18n.bind(status, "exam.saved");
    this.status.set(n, status);
    const box = el("fieldset", { className: "exam-question", data: { question: String(n) }, attrs: { disabled: attempt.closed } },
      el("legend", { text: `${n + 1}. ${q.text}` }));
    if (q.kind === "short") {
      const input = el("textarea", { attrs: { rows: "3", maxlength: "2000" }, i18nAttr: { "aria-label": "exam.your_answer" } });
      input.value = typeof saved === "string" ? saved : "";
      input.addEventListener("change", () => void this.save(n, { text: input.value }));
      box.append(input);
    } else {
      const labels = q.kind === "true_false" ? ["exam.true", "exam.false"] : null;
      const size = labels ? 2 : q.options.length;
      /** @type {HTMLInputElement[]} */
      const inputs = [];
      for (let i = 0; i < size; i += 1) {
        const input = el("input", { attrs: { type: q.kind === "multiple" ? "checkbox" : "radio", name: `q${n}`, value: String(i) } });
        input.checked = Array.isArray(saved) && saved.includes(i);
        input.addEventListener("change", () => {
          const choice = inputs.flatMap((x, j) => (x.checked ? [j] : []));
          if (choice.length) void this.save(n, { choice });
        });
        inputs.push(input);
        box.append(el("label", { className: "quiz-choice", data: { option: String(i) } }, input,
          labels ? el("span", { i18n: labels[i] }) : el("span", { text: `${LETTERS[i]}. ${q.options[i]}` })));
      }
    }
    box.append(status);
    return box;
  }

  /** @param {number} n @param {{choice?: number[], text?: string}} body */
  async save(n, body) {
    const status = this.status.get(n);
    if (status) i18n.bind(status, "exam.saving");
    try {
      await this.call(`/attempt/answers/${n}`, { method: "PUT", body: JSON.stringify(body) });
      if (status) i18n.bind(status, "exam.saved");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (status) i18n.bind(status, i18n.has(`exam.error.${error.code}`) ? `exam.error.${error.code}` : "exam.error.other", { code: error.code });
      if (error.code === "attempt_closed") void this.start();
    }
  }

  /** @param {HTMLButtonElement} button */
  async submit(button) {
    if (button.dataset.confirm !== "yes") {
      button.dataset.confirm = "yes";
      i18n.bind(button, "exam.submit_confirm");
      return;
    }
    try {
      this.show(/** @type {Attempt} */ (await this.call("/attempt/submit", { method: "POST" })));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      void this.start();
    }
  }

  /** The time left by the server's clock; at the deadline, ask the server for the closed attempt. */
  tick() {
    const attempt = this.attempt;
    if (!attempt) return;
    this.clock.hidden = false;
    if (attempt.closed) {
      i18n.bind(this.clock, "exam.ended");
      if (this.ticker !== null) clearInterval(this.ticker);
      this.ticker = null;
      return;
    }
    const left = Math.max(0, Math.ceil((Date.parse(attempt.deadline) - (Date.now() + this.skewMs)) / 1000));
    const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    i18n.bind(this.clock, "exam.time_left", { time });
    if (left === 0 && this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
      setTimeout(() => void this.start(), 1000); // the server has closed it
    }
  }
}

class ApiError extends Error {
  /** @param {string} code */
  constructor(code) {
    super(code);
    this.code = code;
  }
}

/** The course a course link's token names (the server checks the token itself). @param {string} token */
function courseOf(token) {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof payload.course_id === "string" ? payload.course_id : "";
  } catch {
    return "";
  }
}

async function main() {
  const storage = (() => {
    try {
      return localStorage;
    } catch {
      return null;
    }
  })();
  i18n.translationsAt("/static/i18n");
  await i18n.loadLanguage(i18n.chooseLanguage(location.search, storage));
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("lang-select"));
  select.value = i18n.language();
  select.addEventListener("change", async () => {
    await i18n.loadLanguage(/** @type {i18n.Language} */ (select.value), storage);
    i18n.translateTree(document);
  });
  await new TestPage().start();
}

void main();

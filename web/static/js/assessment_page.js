// @ts-check
/**
 * The lecturer's page for a course's assessment, from their personal course link:
 * `{public_url}/assessment#t=<course token>`. The question bank (with exports), the
 * module-end tests, and for a chosen test its results (CSV/XLSX), item statistics (how many
 * chose each option, difficulty index) and the short answers waiting for a grade.
 */

import * as i18n from "../shared/i18n.js";
import { el, clear } from "../shared/dom.js";
import { tokenFromFragment } from "../shared/token.js";

/** @typedef {{id: number, kind: string, text: string, options: string[], correct: number[], accepted: string[], topic: string, difficulty: string}} BankQuestion */
/** @typedef {{id: string, title: string, opens_at: string, closes_at: string, time_limit_s: number, questions: number}} Exam */
/** @typedef {{external_id: string, name: string, started_at: string | null, closed_at: string | null, answered: number, score: number | null, pending: number}} Result */
/** @typedef {{question_id: number, text: string, kind: string, attempts: number, option_counts: number[], difficulty_index: number | null}} Item */
/** @typedef {{external_id: string, name: string, question: number, text: string, accepted: string[], answer: string}} Ungraded */

const LETTERS = "ABCDEFGHIJ";

class AssessmentPage {
  constructor() {
    this.main = /** @type {HTMLElement} */ (document.getElementById("main"));
    this.token = tokenFromFragment(location.hash) ?? "";
    this.courseId = courseOf(this.token);
    this.bank = el("section", { className: "card assessment-bank" });
    this.tests = el("section", { className: "card assessment-tests" });
    this.detail = el("section", { className: "card assessment-detail", attrs: { hidden: true } });
  }

  /** @param {string} path @param {RequestInit} [init] */
  async call(path, init = {}) {
    const response = await fetch(`/api/courses/${encodeURIComponent(this.courseId)}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
    });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new ApiError(body?.error?.code ?? `http_${response.status}`);
    }
    return response;
  }

  async start() {
    const title = /** @type {HTMLElement} */ (document.getElementById("page-title"));
    i18n.bind(title, "assess.title");
    if (!this.token || !this.courseId) return this.problem("link_invalid");
    clear(this.main);
    this.main.append(el("div", { className: "assessment" }, this.bank, this.tests, this.detail));
    try {
      await Promise.all([this.showBank(), this.showTests()]);
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

  async showBank() {
    /** @type {{questions: BankQuestion[], topics: Record<string, number>}} */
    const bank = await (await this.call("/questions")).json();
    const rows = el("tbody");
    for (const q of bank.questions) {
      const answer = q.kind === "short" ? q.accepted.join(" | ") : q.kind === "true_false" ? i18n.t(q.correct[0] === 0 ? "exam.true" : "exam.false") : q.correct.map((i) => LETTERS[i]).join(", ");
      rows.append(el("tr", {}, el("td", { text: q.topic }), el("td", { i18n: `assess.difficulty.${q.difficulty}` }),
        el("td", { i18n: `assess.kind.${q.kind}` }), el("td", { text: q.text }), el("td", { text: answer })));
    }
    clear(this.bank);
    this.bank.append(
      el("h2", { i18n: "assess.bank_heading", args: { count: bank.questions.length } }),
      el("div", { className: "row-actions" },
        this.download("assess.export_xlsx", "/questions/export?format=xlsx", "ngan-hang-cau-hoi.xlsx"),
        this.download("assess.export_gift", "/questions/export?format=gift", "ngan-hang-cau-hoi.gift")),
      el("table", { className: "assessment-table bank-table" },
        el("thead", {}, el("tr", {}, ...["assess.col_topic", "assess.col_difficulty", "assess.col_kind", "assess.col_question", "assess.col_answer"].map((k) => el("th", { i18n: k })))),
        rows),
    );
  }

  async showTests() {
    /** @type {Exam[]} */
    const exams = await (await this.call("/tests")).json();
    const list = el("ul", { className: "assessment-list" });
    for (const exam of exams) {
      const open = el("button", { className: "btn btn-small", i18n: "assess.open_test", attrs: { type: "button" }, data: { test: exam.id } });
      open.addEventListener("click", () => void this.showTest(exam));
      list.append(el("li", {}, el("span", { text: exam.title }), el("span", { className: "hint", text: ` (${exam.questions})` }), open));
    }
    clear(this.tests);
    this.tests.append(el("h2", { i18n: "assess.tests_heading" }), exams.length ? list : el("p", { className: "hint", i18n: "assess.no_tests" }));
  }

  /** @param {Exam} exam */
  async showTest(exam) {
    const base = `/tests/${encodeURIComponent(exam.id)}`;
    /** @type {[Result[], Item[], Ungraded[]]} */
    const [results, items, ungraded] = await Promise.all([
      this.call(`${base}/results`).then((r) => r.json()),
      this.call(`${base}/items`).then((r) => r.json()),
      this.call(`${base}/grading`).then((r) => r.json()),
    ]);
    const score = (/** @type {number | null} */ s) => (s === null ? "" : new Intl.NumberFormat(i18n.locale(), { maximumFractionDigits: 1 }).format(s));
    const resultRows = el("tbody");
    for (const r of results) {
      resultRows.append(el("tr", { data: { trainee: r.external_id } }, el("td", { text: r.external_id }), el("td", { text: r.name }),
        el("td", { text: String(r.answered) }),
        r.started_at === null ? el("td", { i18n: "assess.not_taken" }) : r.pending ? el("td", { i18n: "assess.pending", args: { count: r.pending } }) : el("td", { className: "quiz-score", text: score(r.score) })));
    }
    const itemRows = el("tbody");
    for (const item of items) {
      const counts = item.kind === "short" ? "—" : item.option_counts.map((c, i) => `${item.kind === "true_false" ? i18n.t(i ? "exam.false" : "exam.true") : LETTERS[i]}: ${c}`).join(" · ");
      itemRows.append(el("tr", {}, el("td", { text: item.text }), el("td", { text: String(item.attempts) }), el("td", { text: counts }),
        el("td", { text: item.difficulty_index === null ? "" : item.difficulty_index.toFixed(2) })));
    }
    const grading = el("div", { className: "assessment-grading" });
    for (const u of ungraded) {
      const buttons = el("div", { className: "row-actions" });
      for (const [mark, key] of /** @type {[number, string][]} */ ([[1, "assess.mark_full"], [0.5, "assess.mark_half"], [0, "assess.mark_none"]])) {
        const b = el("button", { className: "btn btn-small", i18n: key, attrs: { type: "button" }, data: { mark: String(mark) } });
        b.addEventListener("click", async () => {
          await this.call(`${base}/grades`, { method: "POST", body: JSON.stringify({ external_id: u.external_id, question: u.question, mark }) });
          await this.showTest(exam);
        });
        buttons.append(b);
      }
      grading.append(el("div", { className: "grading-item", data: { trainee: u.external_id } },
        el("p", {}, el("strong", { text: u.name }), " — ", el("span", { text: u.text })),
        el("blockquote", { text: u.answer || "—" }),
        u.accepted.length ? el("p", { className: "hint" }, el("span", { i18n: "assess.model_answer" }), " ", el("span", { text: u.accepted.join(" | ") })) : null,
        buttons));
    }
    clear(this.detail);
    this.detail.hidden = false;
    this.detail.append(
      el("h2", { text: exam.title }),
      el("div", { className: "row-actions" },
        this.download("assess.results_xlsx", `${base}/results?format=xlsx`, `ket-qua-${exam.id}.xlsx`),
        this.download("assess.results_csv", `${base}/results?format=csv`, `ket-qua-${exam.id}.csv`)),
      el("h3", { i18n: "assess.results_heading" }),
      el("table", { className: "assessment-table results-table" },
        el("thead", {}, el("tr", {}, ...["assess.col_id", "assess.col_name", "assess.col_answered", "assess.col_score"].map((k) => el("th", { i18n: k })))), resultRows),
      el("h3", { i18n: "assess.grading_heading", args: { count: ungraded.length } }),
      ungraded.length ? grading : el("p", { className: "hint", i18n: "assess.nothing_to_grade" }),
      el("h3", { i18n: "assess.items_heading" }),
      el("table", { className: "assessment-table items-table" },
        el("thead", {}, el("tr", {}, ...["assess.col_question", "assess.col_attempts", "assess.col_counts", "assess.col_difficulty_index"].map((k) => el("th", { i18n: k })))), itemRows),
    );
  }

  /** A download through fetch (the link's token goes in a header, never in a URL). @param {string} key @param {string} path @param {string} filename */
  download(key, path, filename) {
    const b = el("button", { className: "btn btn-small", i18n: key, attrs: { type: "button" } });
    b.addEventListener("click", async () => {
      const blob = await (await this.call(path)).blob();
      const a = el("a", { attrs: { href: URL.createObjectURL(blob), download: filename } });
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    });
    return b;
  }
}

class ApiError extends Error {
  /** @param {string} code */
  constructor(code) {
    super(code);
    this.code = code;
  }
}

/** @param {string} token */
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
  const page = new AssessmentPage();
  select.addEventListener("change", async () => {
    await i18n.loadLanguage(/** @type {i18n.Language} */ (select.value), storage);
    i18n.translateTree(document);
  });
  await page.start();
}

void main();

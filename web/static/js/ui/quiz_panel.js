// @ts-check
/**
 * Polls and quizzes in class. The lecturer launches one (a question typed on the spot, or
 * questions drawn from the course's bank), watches the answers come in as a bar chart per
 * question and a score per trainee, ends it and releases the results. A trainee answers their
 * own paper (the server shuffled it for them), sees each answer saved, the time left, and
 * their score once released. The server keeps the time: the countdown here is only a guide.
 */

import { el, clear } from "../../shared/dom.js";
import { bind, locale } from "../../shared/i18n.js";

/** @typedef {import("../../shared/token.js").Role} Role */
/** @typedef {import("../protocol.js").QuizInfo} QuizInfo */
/** @typedef {import("../protocol.js").QuizNews} QuizNews */
/** @typedef {import("../protocol.js").QuizResult} QuizResult */
/** @typedef {import("../protocol.js").ClassRequest} ClassRequest */

const OPTION_FIELDS = 4;
const LETTERS = "ABCDEFGHIJ";

export class QuizPanel {
  /** @param {Role} role */
  constructor(role) {
    this.role = role;
    /** @type {(request: ClassRequest) => void} */
    this.onrequest = () => {};
    /** @type {QuizInfo | null} */
    this.quiz = null;
    /** @type {{counts: number[][], results: QuizResult[], open: boolean} | null} */
    this.results = null;
    /** @type {Map<number, number[]>} shown question → shown options, as saved by the server */
    this.saved = new Map();
    /** @type {{result: QuizResult | null, correct: number[][], counts: number[][]} | null} */
    this.released = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.ticker = null;
    /** @type {Map<number, number[]>} answers sent, waiting for `quiz_saved` */
    this.pending = new Map();
    /** the lecturer asked for the launch form again after a quiz ended */
    this.showForm = false;
    this.body = el("div", { className: "quiz-body" });
    this.clock = el("span", { className: "quiz-clock", attrs: { role: "timer", "aria-live": "off" } });
    this.form = this.role === "lecturer" ? this.launchForm() : null;
    this.element = el(
      "section",
      { className: "panel panel-quiz", attrs: { hidden: this.role === "lecturer" ? false : true }, i18nAttr: { "aria-label": "quiz.heading" } },
      el("div", { className: "panel-head" }, el("h2", { i18n: "quiz.heading" }), this.clock),
      this.body,
    );
    this.render();
  }

  /** @param {QuizNews} news */
  apply(news) {
    switch (news.type) {
      case "quiz":
        if (this.quiz?.id !== news.quiz.id) {
          this.results = null;
          this.released = null;
          this.saved.clear();
        }
        this.quiz = news.quiz;
        if (news.quiz.open) this.showForm = false;
        for (const a of news.quiz.answered) this.saved.set(a.question, a.choice);
        break;
      case "quiz_saved":
        if (this.quiz?.id === news.quiz_id) this.saved.set(news.question, this.pending.get(news.question) ?? []);
        break;
      case "quiz_results":
        if (this.quiz?.id === news.quiz_id) this.results = { counts: news.counts, results: news.results, open: news.open };
        break;
      case "quiz_ended":
        if (this.quiz?.id === news.quiz_id) this.quiz = { ...this.quiz, open: false };
        break;
      case "quiz_released":
        if (this.quiz?.id === news.quiz_id || this.quiz === null) this.released = { result: news.result, correct: news.correct, counts: news.counts };
        break;
    }
    this.render();
  }

  render() {
    const quiz = this.quiz;
    this.element.hidden = this.role !== "lecturer" && quiz === null && this.released === null;
    this.element.dataset.state = quiz === null ? "none" : quiz.open ? "open" : "ended";
    this.tick();
    if (this.ticker === null && quiz?.open) this.ticker = setInterval(() => this.tick(), 500);
    if (this.role === "lecturer") return this.renderLecturer();
    if (this.role === "trainee") return this.renderTrainee();
    return this.renderWatcher();
  }

  /** The countdown: whole seconds left by the server's deadline. */
  tick() {
    const quiz = this.quiz;
    if (!quiz || !quiz.open) {
      bind(this.clock, quiz ? "quiz.ended" : null);
      if (!quiz) this.clock.textContent = "";
      if (this.ticker !== null) clearInterval(this.ticker);
      this.ticker = null;
      return;
    }
    const left = Math.max(0, Math.ceil((Date.parse(quiz.deadline) - Date.now()) / 1000));
    bind(this.clock, "quiz.time_left", { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` });
  }

  // ---- the lecturer -------------------------------------------------------------------------

  launchForm() {
    const kind = el("select", { attrs: { id: "quiz-kind" } },
      el("option", { i18n: "quiz.kind_quiz", attrs: { value: "quiz" } }),
      el("option", { i18n: "quiz.kind_poll", attrs: { value: "poll" } }));
    const text = el("textarea", { attrs: { id: "quiz-text", rows: "2", maxlength: "2000" }, i18nAttr: { placeholder: "quiz.text_placeholder" } });
    const options = [...Array(OPTION_FIELDS).keys()].map((i) => {
      const input = el("input", { attrs: { type: "text", maxlength: "500", "data-option": String(i) }, i18nAttr: { "aria-label": "quiz.option_label" } });
      const right = el("input", { attrs: { type: "checkbox", "data-right": String(i) }, i18nAttr: { "aria-label": "quiz.right_label" } });
      return { input, right, row: el("label", { className: "quiz-option-field" }, el("span", { className: "quiz-letter", text: LETTERS[i] }), input, right, el("span", { className: "hint", i18n: "quiz.right" })) };
    });
    const drawCount = el("input", { attrs: { id: "quiz-draw", type: "number", min: "0", max: "50", value: "0" } });
    const topic = el("input", { attrs: { id: "quiz-topic", type: "text", maxlength: "100" }, i18nAttr: { placeholder: "quiz.topic_placeholder" } });
    const seconds = el("input", { attrs: { id: "quiz-seconds", type: "number", min: "5", max: "14400", value: "60" } });
    const anonymous = el("input", { attrs: { id: "quiz-anonymous", type: "checkbox" } });
    const launch = el("button", { className: "btn btn-primary", i18n: "quiz.launch", attrs: { type: "submit" } });
    const form = el(
      "form",
      { className: "quiz-launch" },
      el("label", { className: "quiz-row" }, el("span", { i18n: "quiz.kind_label" }), kind),
      el("label", { className: "visually-hidden", i18n: "quiz.text_label", attrs: { for: "quiz-text" } }),
      text,
      ...options.map((o) => o.row),
      el("p", { className: "hint", i18n: "quiz.or_bank" }),
      el("div", { className: "quiz-row" }, el("label", { i18n: "quiz.draw_label", attrs: { for: "quiz-draw" } }), drawCount, topic),
      el("div", { className: "quiz-row" }, el("label", { i18n: "quiz.seconds_label", attrs: { for: "quiz-seconds" } }), seconds),
      el("label", { className: "switch" }, anonymous, el("span", { i18n: "quiz.anonymous" })),
      launch,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const filled = options.filter((o) => o.input.value.trim());
      /** @type {Extract<ClassRequest, {type: "quiz_start"}>} */
      const request = {
        type: "quiz_start",
        kind: kind.value === "poll" ? "poll" : "quiz",
        time_limit_s: Number(seconds.value) || 60,
        anonymous: anonymous.checked,
        questions: [],
        draw: [],
      };
      if (text.value.trim()) {
        const correct = filled.map((o, i) => (o.right.checked ? i : -1)).filter((i) => i >= 0);
        request.questions.push({ kind: correct.length > 1 ? "multiple" : "single", text: text.value.trim(), options: filled.map((o) => o.input.value.trim()), correct });
      }
      const count = Number(drawCount.value) || 0;
      if (count > 0) request.draw.push({ count, topic: topic.value.trim() || null });
      this.onrequest(request);
    });
    return { element: form, reset: () => { text.value = ""; for (const o of options) { o.input.value = ""; o.right.checked = false; } } };
  }

  renderLecturer() {
    const quiz = this.quiz;
    /** @type {Node[]} */
    const parts = [];
    if (quiz === null || (!quiz.open && this.released !== null) || (!quiz.open && this.showForm)) {
      if (this.form) parts.push(this.form.element);
    }
    if (quiz !== null) {
      const counts = this.results?.counts ?? [];
      const answered = this.results?.results.filter((r) => r.answered > 0).length ?? 0;
      parts.push(el("p", { className: "quiz-summary", i18n: quiz.open ? "quiz.answering" : "quiz.ended_summary", args: { count: answered } }));
      quiz.questions.forEach((q, n) => parts.push(this.chart(q, n, counts[n] ?? [], q.correct ?? null)));
      if (quiz.kind === "quiz") parts.push(this.scoreTable(this.results?.results ?? [], quiz.anonymous));
      const actions = el("div", { className: "row-actions" });
      if (quiz.open) actions.append(this.action("quiz.end", () => this.onrequest({ type: "quiz_end", quiz_id: quiz.id }), "end"));
      if (this.released === null) actions.append(this.action("quiz.release", () => this.onrequest({ type: "quiz_release", quiz_id: quiz.id }), "release"));
      else actions.append(el("span", { className: "hint", i18n: "quiz.released" }));
      if (!quiz.open) actions.append(this.action("quiz.new", () => { this.showForm = true; this.form?.reset(); this.render(); }, "new"));
      parts.push(actions);
    }
    clear(this.body);
    this.body.append(...parts);
  }

  /** One question's answers as a bar chart. @param {{text: string, kind: string, options: string[]}} q @param {number} n @param {number[]} counts @param {number[] | null} correct */
  chart(q, n, counts, correct) {
    const labels = q.kind === "true_false" ? ["quiz.true", "quiz.false"] : null;
    const total = counts.reduce((a, b) => a + b, 0);
    const bars = el("ol", { className: "quiz-bars" });
    const size = labels ? 2 : q.options.length;
    for (let i = 0; i < size; i += 1) {
      const count = counts[i] ?? 0;
      const share = total ? Math.round((100 * count) / total) : 0;
      const label = labels ? el("span", { className: "quiz-bar-label", i18n: labels[i] }) : el("span", { className: "quiz-bar-label", text: `${LETTERS[i]}. ${q.options[i]}` });
      const fill = el("span", { className: "quiz-bar-fill" });
      fill.style.width = `${share}%`; // the CSSOM, not a style attribute: the page's CSP allows only that
      bars.append(el("li", { className: `quiz-bar${correct?.includes(i) ? " right" : ""}`, data: { option: String(i) } },
        label,
        el("span", { className: "quiz-bar-track" }, fill),
        el("span", { className: "quiz-bar-count", text: String(count) })));
    }
    return el("div", { className: "quiz-question", data: { question: String(n) } },
      el("h3", { text: `${n + 1}. ${q.text}` }), bars);
  }

  /** @param {QuizResult[]} results @param {boolean} anonymous */
  scoreTable(results, anonymous) {
    const body = el("tbody");
    for (const r of results) {
      body.append(el("tr", { data: { identity: r.identity } },
        anonymous ? el("td", { i18n: "quiz.someone" }) : el("td", { text: r.name }),
        el("td", { text: String(r.answered) }),
        el("td", { className: "quiz-score", text: formatScore(r.score) })));
    }
    return el("table", { className: "quiz-scores" },
      el("thead", {}, el("tr", {}, el("th", { i18n: "quiz.col_name" }), el("th", { i18n: "quiz.col_answered" }), el("th", { i18n: "quiz.col_score" }))),
      body);
  }

  /** @param {string} key @param {() => void} onClick @param {string} action */
  action(key, onClick, action) {
    const b = el("button", { className: "btn btn-small", i18n: key, attrs: { type: "button" }, data: { action } });
    b.addEventListener("click", onClick);
    return b;
  }

  // ---- a trainee ------------------------------------------------------------------------------

  renderTrainee() {
    const quiz = this.quiz;
    /** @type {Node[]} */
    const parts = [];
    if (this.released?.result) {
      parts.push(el("p", { className: "quiz-your-score", i18n: "quiz.your_score", args: { score: formatScore(this.released.result.score), correct: this.released.result.correct, count: quiz?.questions.length ?? 0 } }));
    }
    if (quiz !== null) {
      if (!quiz.open && !this.released) parts.push(el("p", { className: "quiz-closed", attrs: { role: "status" }, i18n: "quiz.time_up" }));
      quiz.questions.forEach((q, n) => parts.push(this.paperQuestion(quiz, q, n)));
    } else if (this.released && this.released.counts.length) {
      parts.push(el("p", { className: "hint", i18n: "quiz.poll_results" }));
    }
    clear(this.body);
    this.body.append(...parts);
  }

  /** @param {QuizInfo} quiz @param {{kind: string, text: string, options: string[]}} q @param {number} n */
  paperQuestion(quiz, q, n) {
    const saved = this.saved.get(n);
    const correct = this.released?.correct[n] ?? null;
    const multiple = q.kind === "multiple";
    const labels = q.kind === "true_false" ? ["quiz.true", "quiz.false"] : null;
    const size = labels ? 2 : q.options.length;
    const locked = saved !== undefined || !quiz.open;
    const list = el("div", { className: "quiz-choices", attrs: { role: multiple ? "group" : "radiogroup" } });
    /** @type {HTMLInputElement[]} */
    const inputs = [];
    for (let i = 0; i < size; i += 1) {
      const input = el("input", { attrs: { type: multiple ? "checkbox" : "radio", name: `quiz-${quiz.id}-${n}`, value: String(i), disabled: locked } });
      input.checked = saved?.includes(i) ?? false;
      inputs.push(input);
      const label = labels ? el("span", { i18n: labels[i] }) : el("span", { text: `${LETTERS[i]}. ${q.options[i]}` });
      const mark = correct === null ? "" : correct.includes(i) ? " right" : saved?.includes(i) ? " wrong" : "";
      list.append(el("label", { className: `quiz-choice${mark}`, data: { option: String(i) } }, input, label));
    }
    const send = el("button", { className: "btn btn-primary btn-small", i18n: "quiz.send", attrs: { type: "button", disabled: locked }, data: { action: "answer" } });
    send.addEventListener("click", () => {
      const choice = inputs.flatMap((input, i) => (input.checked ? [i] : []));
      if (!choice.length) return;
      this.pending.set(n, choice);
      send.disabled = true;
      this.onrequest({ type: "quiz_answer", quiz_id: quiz.id, question: n, choice });
    });
    const status = saved !== undefined ? el("span", { className: "quiz-saved", i18n: "quiz.saved" }) : null;
    return el("div", { className: "quiz-question", data: { question: String(n), saved: saved !== undefined ? "yes" : "no" } },
      el("h3", { text: `${n + 1}. ${q.text}` }), list, el("div", { className: "row-actions" }, saved === undefined && quiz.open ? send : null, status));
  }

  /** The answer was refused (late, already given): allow no second try on that question. @param {string} code */
  refused(code) {
    if (code === "quiz_closed" && this.quiz) this.quiz = { ...this.quiz, open: false };
    this.render();
  }

  // ---- observers and the room: the questions, and a poll's counts once shown -------------------

  renderWatcher() {
    const quiz = this.quiz;
    /** @type {Node[]} */
    const parts = [];
    if (quiz !== null) {
      const counts = this.released?.counts ?? [];
      quiz.questions.forEach((q, n) => parts.push(this.chart(q, n, counts[n] ?? [], null)));
    }
    clear(this.body);
    this.body.append(...parts);
  }
}

/** @param {number} score 0..100 */
function formatScore(score) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(score);
}

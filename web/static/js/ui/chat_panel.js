// @ts-check
/**
 * The class chat: the lines with sender, role and time, a box to write (at most 1000
 * characters), and for the lecturer a recipient picker (everyone, or one person privately) and
 * the switch that lets trainees chat. Text from people is only ever text: a link stays plain
 * text, nothing is fetched or previewed.
 */

import { el } from "../../shared/dom.js";
import { bind, formatClock } from "../../shared/i18n.js";
import { CHAT_MAX_CHARS } from "../class_state.js";

/** @typedef {import("../protocol.js").ChatLine} ChatLine */
/** @typedef {import("../protocol.js").ParticipantInfo} ParticipantInfo */
/** @typedef {import("../../shared/token.js").Role} Role */

export class ChatPanel {
  /** @param {Role} role @param {string} selfId */
  constructor(role, selfId) {
    /** @type {(text: string, to: string | null) => void} */
    this.onsend = () => {};
    /** @type {(on: boolean) => void} lecturer: trainee chat on or off */
    this.onallow = () => {};
    /** @type {() => void} */
    this.onclose = () => {};
    this.role = role;
    this.selfId = selfId;
    /** @type {Set<number>} lines already shown */
    this.shown = new Set();
    this.list = el("ol", { className: "chat-lines", attrs: { "aria-live": "polite" }, i18nAttr: { "aria-label": "chat.heading" } });
    this.empty = el("p", { className: "hint chat-empty", i18n: "chat.empty" });
    this.input = el("textarea", {
      attrs: { id: "chat-input", rows: "2", maxlength: String(CHAT_MAX_CHARS), "aria-describedby": "chat-left" },
      i18nAttr: { placeholder: "chat.placeholder" },
    });
    this.left = el("span", { className: "hint chat-left", attrs: { id: "chat-left" } });
    this.offNote = el("p", { className: "chat-off", i18n: "chat.off_notice", attrs: { hidden: "", role: "status" } });
    this.to = el("select", { attrs: { id: "chat-to" } });
    this.allow = el("input", { attrs: { id: "chat-allow", type: "checkbox" } });
    this.sendButton = el("button", { className: "btn btn-primary", i18n: "chat.send", attrs: { type: "submit" } });
    const lecturer = role === "lecturer";
    const form = el(
      "form",
      { className: "chat-form" },
      lecturer ? el("div", { className: "chat-to" }, el("label", { i18n: "chat.to_label", attrs: { for: "chat-to" } }), this.to) : null,
      el("label", { className: "visually-hidden", i18n: "chat.input_label", attrs: { for: "chat-input" } }),
      this.input,
      el("div", { className: "chat-send-row" }, this.left, this.sendButton),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.countLeft());
    this.allow.addEventListener("change", () => this.onallow(this.allow.checked));
    const close = el("button", { className: "btn btn-small panel-close", i18n: "chat.close", attrs: { type: "button" } });
    close.addEventListener("click", () => this.onclose());
    this.element = el(
      "section",
      { className: "panel panel-chat", attrs: { "aria-labelledby": "chat-heading", hidden: "" } },
      el("div", { className: "panel-head" }, el("h2", { i18n: "chat.heading", attrs: { id: "chat-heading" } }), close),
      lecturer ? el("label", { className: "switch" }, this.allow, el("span", { i18n: "chat.allow_trainees" })) : null,
      this.list,
      this.empty,
      this.offNote,
      form,
    );
    this.countLeft();
    /** @type {string} */
    this.peopleKey = "";
  }

  get open() {
    return !this.element.hidden;
  }

  /** @param {boolean} open */
  setOpen(open) {
    this.element.hidden = !open;
    if (open) {
      this.list.scrollTop = this.list.scrollHeight;
      this.input.focus();
    }
  }

  submit() {
    const text = this.input.value.trim();
    if (!text || this.input.disabled) return;
    this.onsend(text, this.to.value || null);
    this.input.value = "";
    this.countLeft();
  }

  countLeft() {
    bind(this.left, "chat.chars_left", { count: CHAT_MAX_CHARS - this.input.value.length });
  }

  /**
   * @param {ChatLine[]} lines oldest first
   * @param {{chatOn: boolean, people: ParticipantInfo[]}} context
   */
  render(lines, { chatOn, people }) {
    for (const line of lines) {
      if (this.shown.has(line.id)) continue;
      this.shown.add(line.id);
      this.list.append(this.line(line));
    }
    while (this.list.children.length > lines.length) this.list.firstElementChild?.remove();
    this.empty.hidden = lines.length > 0;
    if (this.open) this.list.lastElementChild?.scrollIntoView({ block: "end" });
    this.allow.checked = chatOn;
    const muted = this.role === "trainee" && !chatOn;
    const silent = this.role === "room" || this.role === "observer";
    this.offNote.hidden = !muted;
    this.input.disabled = muted || silent;
    this.sendButton.disabled = muted || silent;
    if (this.role === "lecturer") this.recipients(people);
  }

  /** The lecturer's recipient picker: everyone, or one trainee or observer privately. @param {ParticipantInfo[]} people */
  recipients(people) {
    const candidates = people.filter((p) => p.role === "trainee" || p.role === "observer");
    const key = JSON.stringify(candidates.map((p) => [p.id, p.name]));
    if (key === this.peopleKey) return;
    this.peopleKey = key;
    const chosen = this.to.value;
    this.to.replaceChildren(
      el("option", { i18n: "chat.to_everyone", attrs: { value: "" } }),
      ...candidates.map((p) => el("option", { text: p.name, attrs: { value: p.id } })),
    );
    this.to.value = candidates.some((p) => p.id === chosen) ? chosen : "";
  }

  /** @param {ChatLine} line */
  line(line) {
    const mine = line.sender_id === this.selfId;
    const item = el(
      "li",
      { className: `chat-line${mine ? " mine" : ""}${line.to_id ? " private" : ""}`, data: { line: String(line.id) } },
      el(
        "div",
        { className: "chat-meta" },
        el("span", { className: "chat-sender", text: line.sender_name }),
        el("span", { className: "chat-role", i18n: `role.${line.sender_role}` }),
        line.to_id && line.to_name
          ? el("span", { className: "chat-private", i18n: "chat.private_to", args: { name: line.to_name } })
          : null,
        el("time", { className: "chat-time", attrs: { datetime: line.at }, text: formatClock(line.at) }),
      ),
      el("p", { className: "chat-text", text: line.text }),
    );
    return item;
  }
}

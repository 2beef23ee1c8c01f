// @ts-check
/**
 * The check-in page (/checkin) on a trainee's phone in the room: the room's PIN (typed, or
 * carried by the QR code's URL), then the trainee's name from the class's roster, then a
 * confirmation. The server gives the phone a device cookie when the page loads; it checks in
 * one person per class. Every refusal is shown in the page's language from its error code.
 */

import * as i18n from "../shared/i18n.js";
import { el } from "../shared/dom.js";

/** @typedef {{id: string, title: string, room: string | null, ends_at: string | null}} CheckInClass */
/** @typedef {{class_id: string, external_id: string, name: string, checked_in_at: string, checked_out_at: string | null}} CheckIn */
/** @typedef {{ticket: string, expires_at: string, class: CheckInClass, me: CheckIn | null}} Ticket */
/** @typedef {{external_id: string, name: string, unit: string | null}} Match */

/** Error codes of the check-in routes → their message. */
const PROBLEMS = /** @type {Record<string, string>} */ ({
  pin_invalid: "checkin.err_pin_invalid",
  too_many_attempts: "checkin.err_too_many",
  no_roster: "checkin.err_no_roster",
  not_on_roster: "checkin.err_not_on_roster",
  device_used: "checkin.err_device_used",
  already_checked_in: "checkin.err_already",
  checked_out: "checkin.err_checked_out",
  ticket_expired: "checkin.err_ticket_expired",
  ticket_required: "checkin.err_ticket_expired",
  ticket_invalid: "checkin.err_ticket_expired",
  class_ended: "checkin.err_class_ended",
  not_checked_in: "checkin.err_not_checked_in",
});
const SEARCH_DELAY_MS = 250;

class ApiError extends Error {
  /** @param {string} code @param {string} message @param {number} retryAfter */
  constructor(code, message, retryAfter) {
    super(message);
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/**
 * @param {string} url
 * @param {{method?: string, body?: unknown, ticket?: string}} [options]
 */
async function call(url, options = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.ticket) headers.Authorization = `Bearer ${options.ticket}`;
  let response;
  try {
    response = await fetch(url, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError("network", "network", 0);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(error.code ?? "unknown", error.message ?? "", Number(response.headers.get("Retry-After") ?? 0));
  }
  return body;
}

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

class CheckInPage {
  constructor() {
    this.steps = ["pin-step", "name-step", "confirm-step", "done-step", "out-step"].map(byId);
    this.problem = byId("problem");
    this.pin = /** @type {HTMLInputElement} */ (byId("pin"));
    this.who = /** @type {HTMLInputElement} */ (byId("who"));
    this.matches = byId("matches");
    /** @type {Ticket | null} */
    this.ticket = null;
    /** @type {Match | null} */
    this.chosen = null;
    /** @type {string | null} */
    this.room = null;
    /** @type {CheckIn | null} the phone's check-in, once made */
    this.current = null;
    this.searchTimer = 0;
    this.searchSeq = 0;
  }

  /** @param {string} id */
  show(id) {
    for (const step of this.steps) step.hidden = step.id !== id;
    const first = /** @type {HTMLElement | null} */ (byId(id).querySelector("input, button"));
    first?.focus();
  }

  /** @param {string | null} key @param {import("../shared/i18n.js").Params} [params] */
  say(key, params) {
    this.problem.hidden = key === null;
    if (key) i18n.bind(this.problem, key, params);
  }

  /** @param {unknown} error */
  fail(error) {
    const code = error instanceof ApiError ? error.code : "unknown";
    const key = PROBLEMS[code] ?? (code === "network" ? "checkin.err_network" : "checkin.err_unknown");
    const seconds = error instanceof ApiError ? Math.max(1, Math.ceil(error.retryAfter)) : 0;
    this.say(key, { seconds });
    if (code.startsWith("ticket_")) this.restart();
  }

  restart() {
    this.ticket = null;
    this.pin.value = "";
    byId("class-line").hidden = true;
    this.show("pin-step");
  }

  start() {
    i18n.bind(this.who, null, {}, { placeholder: "checkin.name_hint" });
    byId("pin-step").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.sendPin(this.pin.value);
    });
    byId("name-step").addEventListener("submit", (event) => event.preventDefault());
    this.who.addEventListener("input", () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => void this.search(this.who.value), SEARCH_DELAY_MS);
    });
    byId("confirm-yes").addEventListener("click", () => void this.confirm());
    byId("confirm-no").addEventListener("click", () => {
      this.chosen = null;
      this.show("name-step");
    });
    byId("checkout").addEventListener("click", () => void this.checkout());
    const query = new URLSearchParams(location.search);
    this.room = query.get("room");
    const pin = query.get("pin");
    if (pin) {
      history.replaceState(null, "", location.pathname); // the PIN expires: do not keep it
      this.pin.value = pin;
      void this.sendPin(pin);
    } else {
      this.show("pin-step");
    }
  }

  /** @param {string} typed */
  async sendPin(typed) {
    const pin = typed.replace(/\s/g, "");
    if (!/^\d{6}$/.test(pin)) {
      this.say("checkin.err_pin_format");
      this.show("pin-step");
      return;
    }
    try {
      /** @type {Ticket} */
      const ticket = await call("/checkin/pin", { method: "POST", body: this.room ? { pin, room: this.room } : { pin } });
      this.ticket = ticket;
      this.say(null);
      const line = byId("class-line");
      line.textContent = ticket.class.title;
      line.hidden = false;
      if (ticket.me && !ticket.me.checked_out_at) this.done(ticket.me);
      else if (ticket.me) this.out(ticket.me);
      else {
        this.show("name-step");
      }
    } catch (error) {
      this.show("pin-step");
      this.fail(error);
    }
  }

  /** @param {string} text */
  async search(text) {
    if (!this.ticket) return;
    const seq = ++this.searchSeq;
    if (text.trim().length < 2) {
      this.matches.replaceChildren();
      byId("no-match").hidden = true;
      return;
    }
    try {
      /** @type {Match[]} */
      const found = await call(`/checkin/roster?q=${encodeURIComponent(text)}`, { ticket: this.ticket.ticket });
      if (seq !== this.searchSeq) return; // a later search has answered or will
      this.matches.replaceChildren(...found.map((match) => this.matchItem(match)));
      byId("no-match").hidden = found.length > 0;
    } catch (error) {
      this.fail(error);
    }
  }

  /** @param {Match} match */
  matchItem(match) {
    const detail = [match.unit, match.external_id].filter(Boolean).join(" · ");
    return el(
      "li",
      {},
      el(
        "button",
        { attrs: { type: "button" }, data: { externalId: match.external_id }, on: { click: () => this.choose(match) } },
        el("span", { className: "name", text: match.name }),
        el("span", { className: "detail", text: detail }),
      ),
    );
  }

  /** @param {Match} match */
  choose(match) {
    this.chosen = match;
    byId("confirm-name").textContent = match.name;
    byId("confirm-unit").textContent = [match.unit, match.external_id].filter(Boolean).join(" · ");
    this.show("confirm-step");
  }

  async confirm() {
    if (!this.ticket || !this.chosen) return;
    const button = /** @type {HTMLButtonElement} */ (byId("confirm-yes"));
    button.disabled = true;
    try {
      /** @type {CheckIn} */
      const done = await call("/checkin/confirm", {
        method: "POST",
        body: { external_id: this.chosen.external_id },
        ticket: this.ticket.ticket,
      });
      this.say(null);
      this.done(done);
    } catch (error) {
      this.fail(error);
      if (!(error instanceof ApiError && error.code.startsWith("ticket_"))) this.show("name-step");
    } finally {
      button.disabled = false;
    }
  }

  /** @param {CheckIn} checkin */
  done(checkin) {
    this.current = checkin;
    i18n.bind(byId("done-title"), "checkin.done_title", { name: checkin.name });
    i18n.bind(byId("done-when"), "checkin.done_when", { time: { time: Date.parse(checkin.checked_in_at) / 1000 } });
    this.show("done-step");
  }

  /** @param {CheckIn} checkin */
  out(checkin) {
    i18n.bind(byId("out-title"), "checkin.out_title", { name: checkin.name });
    this.show("out-step");
  }

  async checkout() {
    if (!this.current) return;
    try {
      /** @type {CheckIn} */
      const out = await call("/checkin/checkout", { method: "POST", body: { class_id: this.current.class_id } });
      this.say(null);
      this.out(out);
    } catch (error) {
      this.fail(error);
    }
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
  await i18n.loadLanguage(i18n.chooseLanguage(location.search, storage));
  i18n.translateTree(document);
  const select = /** @type {HTMLSelectElement} */ (byId("lang-select"));
  select.value = i18n.language();
  select.addEventListener("change", async () => {
    await i18n.loadLanguage(select.value === "en" ? "en" : "vi", storage);
    i18n.translateTree(document);
  });
  new CheckInPage().start();
  document.body.dataset.ready = "true";
}

void main();

// @ts-check
/**
 * Live attendance for the lecturer, in the people panel: who is in the class now and since
 * when, who has left and when, and each person's time online (reconnects and two tabs counted
 * once, as the school's report counts them). It reads the server's attendance report with the
 * lecturer's own link every few seconds and lets the time online tick in between; a button
 * downloads the report as CSV. In-room check-ins join this list when the room counts them.
 */

import { el } from "../../shared/dom.js";
import { bind, formatClock } from "../../shared/i18n.js";

const POLL_MS = 10_000;

/**
 * @typedef {object} PersonAttendance the server's report row (signaling/api/attendance.py)
 * @property {string} person
 * @property {string | null} external_id
 * @property {string | null} display_name
 * @property {string} role
 * @property {number} sessions
 * @property {string} first_join
 * @property {string | null} last_leave
 * @property {boolean} online_now
 * @property {number} seconds_online
 */

/** Seconds as h:mm:ss, as schools write attendance time. @param {number} seconds */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

export class AttendancePanel {
  /** @param {HTMLElement} container @param {string} classId @param {string} token */
  static mount(container, classId, token) {
    const panel = new AttendancePanel(classId, token);
    container.append(panel.element);
    void panel.refresh();
    return panel;
  }

  /** @param {string} classId @param {string} token the lecturer's join-link token */
  constructor(classId, token) {
    this.url = `/api/classes/${encodeURIComponent(classId)}/attendance`;
    this.token = token;
    this.list = el("ul", { className: "people-list attendance-list" });
    this.summary = el("p", { className: "hint attendance-summary", attrs: { role: "status" } });
    const download = el("button", { className: "btn btn-small", i18n: "attendance.download", attrs: { type: "button" }, data: { action: "download_attendance" } });
    download.addEventListener("click", () => void this.download());
    this.element = el(
      "section",
      { className: "attendance-panel", attrs: { "aria-labelledby": "attendance-heading" } },
      el("div", { className: "panel-head" }, el("h3", { i18n: "attendance.heading", attrs: { id: "attendance-heading" } }), download),
      this.summary,
      this.list,
    );
    /** @type {PersonAttendance[]} */
    this.people = [];
    this.fetchedAt = Date.now();
    this.ticker = setInterval(() => this.tick(), 1000);
    this.poller = setInterval(() => void this.refresh(), POLL_MS);
  }

  /** Read the report again; stop once the page left the class. */
  async refresh() {
    if (!this.element.isConnected) return this.destroy();
    try {
      const response = await fetch(this.url, { headers: { Authorization: `Bearer ${this.token}` } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const report = /** @type {{people: PersonAttendance[]}} */ (await response.json());
      this.people = report.people.filter((p) => p.role !== "lecturer");
      this.fetchedAt = Date.now();
      this.render();
    } catch {
      bind(this.summary, "attendance.error", {});
    }
  }

  render() {
    const sorted = [...this.people].sort((a, b) => Number(b.online_now) - Number(a.online_now) || (a.display_name ?? "").localeCompare(b.display_name ?? ""));
    const inClass = sorted.filter((p) => p.online_now).length;
    if (sorted.length) bind(this.summary, "attendance.count", { in: inClass, total: sorted.length });
    else bind(this.summary, "attendance.empty", {});
    this.list.replaceChildren(
      ...sorted.map((p) =>
        el(
          "li",
          { className: `person attendance-person ${p.online_now ? "is-in" : "has-left"}`, data: { person: p.person } },
          el("span", { className: "person-name", text: p.display_name ?? p.external_id ?? "?" }),
          el("span", {
            className: "hint attendance-when",
            i18n: p.online_now ? "attendance.in_since" : "attendance.left_at",
            args: { time: formatClock(p.online_now ? p.first_join : p.last_leave) },
          }),
          el("span", {
            className: "attendance-online",
            i18n: "attendance.online_for",
            args: { time: duration(p.seconds_online) },
            data: { seconds: String(p.seconds_online), live: String(p.online_now) },
          }),
        ),
      ),
    );
  }

  /** The time online of those still in the class goes on between two reports. */
  tick() {
    const since = (Date.now() - this.fetchedAt) / 1000;
    for (const node of this.list.querySelectorAll('[data-live="true"]')) {
      const item = /** @type {HTMLElement} */ (node);
      bind(item, "attendance.online_for", { time: duration(Number(item.dataset.seconds) + since) });
    }
  }

  /** The report as CSV, fetched with the lecturer's link (a plain link could not send it). */
  async download() {
    try {
      const response = await fetch(`${this.url}?format=csv`, { headers: { Authorization: `Bearer ${this.token}` } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const href = URL.createObjectURL(await response.blob());
      const name = (response.headers.get("content-disposition") ?? "").match(/filename="([^"]+)"/)?.[1] ?? "attendance.csv";
      const a = el("a", { attrs: { href, download: name, hidden: "" } });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch {
      bind(this.summary, "attendance.error", {});
    }
  }

  destroy() {
    clearInterval(this.ticker);
    clearInterval(this.poller);
  }
}

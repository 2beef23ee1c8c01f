// @ts-check
/**
 * Live attendance for the lecturer, in the people panel: which trainees are in the class now
 * (online, checked in in the room, or both) and since when, who has left and when, who on the
 * course's roster has not come, and each one's time in class (reconnects and two tabs counted
 * once, as the school's report counts them). It reads the class's report with the lecturer's
 * own link every few seconds and lets the time tick in between; a button downloads the report.
 */

import { el } from "../../shared/dom.js";
import { bind, formatClock, language } from "../../shared/i18n.js";

const POLL_MS = 10_000;

/**
 * @typedef {object} ClassAttendance one trainee in this class (classroom/reports/build.py)
 * @property {string | null} first_join
 * @property {string | null} last_leave
 * @property {boolean} present_now
 * @property {number} seconds
 * @property {"remote" | "room" | "both" | "absent"} mode
 */
/**
 * @typedef {object} TraineeLine
 * @property {string | null} external_id
 * @property {string | null} name
 * @property {ClassAttendance[]} classes
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
    this.url = `/api/classes/${encodeURIComponent(classId)}/attendance/report`;
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
    /** @type {{line: TraineeLine, here: ClassAttendance}[]} */
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
      const report = /** @type {{trainees: TraineeLine[]}} */ (await response.json());
      this.people = report.trainees.flatMap((line) => (line.classes[0] ? [{ line, here: line.classes[0] }] : []));
      this.fetchedAt = Date.now();
      this.render();
    } catch {
      bind(this.summary, "attendance.error", {});
    }
  }

  render() {
    const rank = (/** @type {ClassAttendance} */ a) => (a.present_now ? 0 : a.mode === "absent" ? 2 : 1);
    const sorted = [...this.people].sort((a, b) => rank(a.here) - rank(b.here) || (a.line.name ?? "").localeCompare(b.line.name ?? ""));
    const inClass = sorted.filter((p) => p.here.present_now).length;
    const joined = sorted.filter((p) => p.here.mode !== "absent").length;
    if (sorted.length) bind(this.summary, "attendance.count", { in: inClass, total: joined });
    else bind(this.summary, "attendance.empty", {});
    this.list.replaceChildren(
      ...sorted.map(({ line, here }) => {
        const state = here.present_now ? "is-in" : here.mode === "absent" ? "is-absent" : "has-left";
        const when = here.present_now
          ? el("span", { className: "hint attendance-when", i18n: "attendance.in_since", args: { time: formatClock(here.first_join) } })
          : here.mode === "absent"
            ? el("span", { className: "hint attendance-when", i18n: "attendance.absent" })
            : el("span", { className: "hint attendance-when", i18n: "attendance.left_at", args: { time: formatClock(here.last_leave) } });
        return el(
          "li",
          { className: `person attendance-person ${state}`, data: { person: line.external_id ?? line.name ?? "", mode: here.mode } },
          el("span", { className: "person-name", text: line.name ?? line.external_id ?? "?" }),
          here.mode === "absent" ? null : el("span", { className: "chip attendance-where", i18n: `attendance.where.${here.mode}` }),
          when,
          here.mode === "absent"
            ? null
            : el("span", {
                className: "attendance-online",
                i18n: "attendance.online_for",
                args: { time: duration(here.seconds) },
                data: { seconds: String(here.seconds), live: String(here.present_now) },
              }),
        );
      }),
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

  /** The report as a spreadsheet, fetched with the lecturer's link (a plain link could not send it). */
  async download() {
    try {
      const response = await fetch(`${this.url}?format=xlsx&lang=${language()}`, { headers: { Authorization: `Bearer ${this.token}` } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const href = URL.createObjectURL(await response.blob());
      const name = (response.headers.get("content-disposition") ?? "").match(/filename="([^"]+)"/)?.[1] ?? "attendance.xlsx";
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

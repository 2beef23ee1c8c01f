// @ts-check
/** The top bar: class title, role, people count, connection status and quality, language. */

import { bind } from "../../shared/i18n.js";

/** @typedef {import("../quality.js").Quality} Quality */
/** @typedef {import("../protocol.js").Status} Status */

export class StatusBar {
  /** @param {HTMLElement} header the page's <header> from join.html */
  constructor(header) {
    const find = (/** @type {string} */ selector) => /** @type {HTMLElement} */ (header.querySelector(selector));
    this.title = find("#class-title");
    this.role = find("#role-badge");
    this.count = find("#people-count");
    this.recording = find("#recording-indicator");
    this.status = find("#connection-status");
    this.quality = find("#quality");
    this.qualityLevel = find("#quality-level");
  }

  /** @param {string} title */
  setTitle(title) {
    this.title.textContent = title;
  }

  /** @param {string} role */
  setRole(role) {
    bind(this.role, `role.${role}`);
    this.role.hidden = false;
  }

  /** @param {number} people including oneself */
  setCount(people) {
    bind(this.count, "class.participants_count", { count: people });
    this.count.hidden = false;
  }

  /** “Đang ghi hình / Recording”, for everyone, while the class is recorded. @param {boolean} active */
  setRecording(active) {
    this.recording.hidden = !active;
  }

  /** @param {Status} status */
  setStatus(status) {
    const key = { idle: "status.connecting", connecting: "status.connecting", waiting: "status.waiting", joined: "status.joined", reconnecting: "status.reconnecting_short", closed: "status.closed" }[status];
    bind(this.status, key);
    this.status.dataset.status = status;
    this.status.hidden = false;
  }

  /** @param {Quality | null} quality null hides the indicator */
  setQuality(quality) {
    this.quality.hidden = quality === null;
    if (!quality) return;
    this.quality.dataset.level = quality.level;
    bind(this.qualityLevel, `quality.${quality.level}`);
    const args = {
      rtt: quality.rttMs === null ? "–" : Math.round(quality.rttMs),
      loss: quality.lossPercent === null ? "–" : quality.lossPercent.toFixed(1),
      jitter: quality.jitterMs === null ? "–" : Math.round(quality.jitterMs),
    };
    bind(this.quality, null, args, { title: "quality.details" });
  }
}

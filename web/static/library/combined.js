// @ts-check
/**
 * The combined MP4 on the playback page (signaling/api/library_combined.py): lecturers and the
 * admin ask for it; everyone sees how far the job got and downloads the file when it is done.
 * The server makes it in the background, at low priority: the only re-encoded file.
 */

import { el, replace } from "../shared/dom.js";

const POLL_MS = 3000;
let shown = 0; // the recording on show: a slow answer about an earlier one is dropped

/**
 * @param {HTMLElement} box
 * @param {{class_id: string, id: string}} recording
 * @param {Record<string, string>} headers
 * @param {boolean} asks  a lecturer or the admin: may ask for it
 */
export function showCombined(box, recording, headers, asks) {
  const mine = ++shown;
  const api = `/api/recordings/${encodeURIComponent(recording.class_id)}/${encodeURIComponent(recording.id)}/combined`;

  /** @param {{status: string, progress: number, url: string | null, bytes: number | null}} job */
  const draw = (job) => {
    if (mine !== shown) return;
    const ask = (/** @type {string} */ key) =>
      el("button", { className: "btn", i18n: key, attrs: { type: "button" }, on: { click: () => void load("POST") } });
    /** @type {(HTMLElement | null)[]} */
    let parts = [];
    if (job.status === "done" && job.url) {
      parts = [el("a", { attrs: { href: job.url }, i18n: "library.combined_download", args: { size: Math.max(0.1, Math.round((job.bytes ?? 0) / 1e5) / 10) } })];
    } else if (job.status === "queued" || job.status === "running") {
      parts = [el("span", { i18n: "library.combined_working", args: { percent: Math.round(job.progress * 100) } })];
      setTimeout(() => void load("GET"), POLL_MS);
    } else if (job.status === "failed") {
      parts = [el("span", { i18n: "library.combined_failed" }), asks ? ask("library.combined_retry") : null];
    } else if (asks) {
      parts = [ask("library.combined_ask"), el("small", { i18n: "library.combined_hint" })];
    }
    box.hidden = parts.length === 0;
    replace(box, ...parts);
  };

  /** @param {"GET" | "POST"} method */
  const load = async (method) => {
    if (mine !== shown) return;
    const response = await fetch(api, { method, headers, cache: "no-store" }).catch(() => null);
    if (response?.ok) draw(await response.json());
  };
  box.hidden = true;
  void load("GET");
}

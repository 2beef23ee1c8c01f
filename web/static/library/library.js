// @ts-check
/**
 * The e-lecture library and its playback page: `/library#t=<course token>` (an admin adds
 * `&course=<id>`; `&r=<class id>/<recording id>` opens one recording).
 *
 * A recording is one file per track, each placed on the recording's time line by its start
 * (signaling/api/library.py). The page keeps one clock and sets every track to it: the shared
 * screen large when there is one (else the camera), the speaker's camera beside it, the
 * sound of every track; seeking, speed 0.75–2×, chapters. What a trainee actually played is
 * reported as ranges (a seek ends one range and starts the next), so skipping counts nothing.
 *
 * Lecturers and the admin also upload existing e-lectures here (an MP4 video and/or PDF
 * slides, streamed as the request's body) and delete recordings and uploads.
 */

import * as i18n from "../shared/i18n.js";
import { browserStorage } from "../shared/storage.js";
import { el, replace } from "../shared/dom.js";
import { tokenFromFragment } from "../shared/token.js";
import { showCombined } from "./combined.js";

/** @typedef {{file: string, url: string, kind: string, source: string, name: string, role: string, start: number, end: number | null}} Track */
/** @typedef {{t: number, title: string | null, kind: string, name: string | null}} Chapter */
/**
 * @typedef {object} Recording
 * @property {string} id
 * @property {string} class_id
 * @property {string | null} course_id
 * @property {string} title
 * @property {string | null} lecturer
 * @property {string} started_at
 * @property {number} duration
 * @property {string} status
 * @property {Chapter[]} chapters
 * @property {Track[]} tracks
 * @property {string} [source] "class" or "upload"
 * @property {string | null} [held_on] an upload's day (ISO date)
 * @property {{file: string, url: string, pages: number} | null} [slides]
 */

const REPORT_EVERY_MS = 10000;
const DRIFT_S = 0.35;

const find = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {string} token @returns {{course_id?: string, role?: string, external_id?: string} | null} */
function claimsOf(token) {
  try {
    const part = token.split(".")[1] ?? "";
    const padded = part.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (part.length % 4)) % 4);
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))));
  } catch {
    return null; // the admin token is not a signed token
  }
}

/** m:ss or h:mm:ss @param {number} seconds */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** Ranges actually played: a seek closes the current range. */
export class WatchLog {
  constructor() {
    /** @type {[number, number][]} */
    this.pending = [];
    /** @type {number | null} */
    this.from = null;
    this.to = 0;
  }

  /** The clock moved while playing. @param {number} position */
  played(position) {
    if (this.from === null) this.from = position;
    this.to = position;
  }

  /** Playing stopped or jumped: the range so far is done. */
  cut() {
    if (this.from !== null && this.to > this.from) this.pending.push([this.from, this.to]);
    this.from = null;
  }

  /** @returns {[number, number][]} the ranges to report, forgotten here */
  take() {
    const out = this.pending;
    this.pending = [];
    if (this.from !== null && this.to > this.from) {
      out.push([this.from, this.to]);
      this.from = this.to;
    }
    return out;
  }
}

class Player {
  /** @param {Recording} recording @param {(ranges: [number, number][]) => void} report */
  constructor(recording, report) {
    this.recording = recording;
    this.report = report;
    this.position = 0;
    this.rate = 1;
    this.playing = false;
    this.last = performance.now();
    this.watch = new WatchLog();
    this.main = /** @type {HTMLVideoElement} */ (find("main-video"));
    this.side = /** @type {HTMLVideoElement} */ (find("side-video"));
    this.seek = /** @type {HTMLInputElement} */ (find("seek"));
    /** @type {Map<Track, HTMLAudioElement>} */
    this.audio = new Map();
    for (const track of recording.tracks.filter((t) => t.kind === "audio")) {
      const audio = el("audio", { attrs: { preload: "auto", src: track.url } });
      this.audio.set(track, audio);
    }
    replace(find("audio"), ...this.audio.values());
    this.seek.max = String(recording.duration);
    this.apply(); // the files start loading now, not at Play
    this.timer = setInterval(() => this.tick(), 200);
    this.reporter = setInterval(() => this.flush(), REPORT_EVERY_MS);
  }

  /** The tracks sounding or showing at `t`. @param {number} t */
  active(t) {
    return this.recording.tracks.filter((track) => track.start <= t && t < (track.end ?? this.recording.duration));
  }

  /** A track that should play but has no data yet: the clock waits for it (no seek storms). */
  stalled() {
    return [this.main, this.side, ...this.audio.values()].some((m) => m.dataset.file && !m.paused && m.readyState < HTMLMediaElement.HAVE_FUTURE_DATA);
  }

  tick() {
    const now = performance.now();
    if (this.playing && !this.stalled()) {
      this.position = Math.min(this.recording.duration, this.position + ((now - this.last) / 1000) * this.rate);
      this.watch.played(this.position);
      if (this.position >= this.recording.duration) this.pause();
    }
    this.last = now;
    this.apply();
  }

  apply() {
    const t = this.position;
    const videos = this.active(t).filter((track) => track.kind === "video");
    const screen = videos.find((track) => track.source === "screen");
    const camera = videos.find((track) => track.source === "camera" && track.role !== "trainee") ?? videos.find((track) => track.source === "camera");
    const large = screen ?? camera ?? videos.find((track) => track.source === "upload") ?? null;
    const small = screen ? camera ?? null : null;
    this.main.muted = large?.source !== "upload"; // an uploaded MP4 carries its own sound
    this.follow(this.main, large, t);
    this.follow(this.side, small, t);
    (/** @type {HTMLElement} */ (document.querySelector(".main-view .empty"))).hidden = large !== null;
    (/** @type {HTMLElement} */ (document.querySelector(".side-view"))).hidden = small === null;
    for (const [track, audio] of this.audio) {
      const on = track.start <= t && t < (track.end ?? this.recording.duration);
      this.follow(audio, on ? track : null, t);
    }
    this.seek.value = String(t);
    find("time").textContent = `${clock(t)} / ${clock(this.recording.duration)}`;
    for (const item of document.querySelectorAll("#chapters li")) {
      const li = /** @type {HTMLElement} */ (item);
      const next = /** @type {HTMLElement | null} */ (li.nextElementSibling);
      li.classList.toggle("current", Number(li.dataset.t) <= t && (!next || t < Number(next.dataset.t)));
    }
  }

  /** Keep one media element on `track` at time `t`. @param {HTMLMediaElement} media @param {Track | null} track @param {number} t */
  follow(media, track, t) {
    if (!track) {
      if (!media.paused) media.pause();
      if (media instanceof HTMLVideoElement && media.dataset.file) {
        media.removeAttribute("src");
        delete media.dataset.file;
        media.load();
      }
      return;
    }
    if (media.dataset.file !== track.file) {
      media.dataset.file = track.file;
      media.src = track.url;
    }
    const want = t - track.start;
    if (Math.abs(media.currentTime - want) > DRIFT_S * this.rate) media.currentTime = want;
    media.playbackRate = this.rate;
    if (this.playing && media.paused) void media.play().catch(() => {});
    if (!this.playing && !media.paused) media.pause();
  }

  play() {
    if (this.position >= this.recording.duration) this.jump(0);
    this.playing = true;
    this.last = performance.now();
    find("play").textContent = i18n.t("library.pause");
    this.apply();
  }

  pause() {
    this.playing = false;
    this.watch.cut();
    this.flush();
    find("play").textContent = i18n.t("library.play");
    this.apply();
  }

  /** @param {number} t */
  jump(t) {
    this.watch.cut();
    this.position = Math.max(0, Math.min(this.recording.duration, t));
    this.last = performance.now();
    this.apply();
  }

  /** @param {number} rate */
  speed(rate) {
    this.rate = rate;
    this.apply();
  }

  flush() {
    const ranges = this.watch.take();
    if (ranges.length) this.report(ranges);
  }

  close() {
    this.pause();
    clearInterval(this.timer);
    clearInterval(this.reporter);
    for (const media of [this.main, this.side, ...this.audio.values()]) {
      media.pause();
      media.removeAttribute("src");
      delete media.dataset.file;
    }
  }
}

/**
 * Send a file as the request's body (streamed by the browser), with progress.
 * @param {string} url @param {File} file @param {string} token @param {(fraction: number) => void} progress
 * @returns {Promise<{status: number, body: any}>}
 */
function sendFile(url, file, token, progress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.addEventListener("progress", (event) => event.lengthComputable && progress(event.loaded / event.total));
    const done = () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* no JSON: the status says enough */
      }
      resolve({ status: xhr.status, body });
    };
    xhr.addEventListener("load", done);
    xhr.addEventListener("error", done);
    xhr.send(file);
  });
}

/** The words for a refusal's code. @param {{error?: {code?: string}}} body @param {number} status */
function refusal(body, status) {
  const code = body?.error?.code ?? (status === 413 ? "payload_too_large" : "");
  return i18n.has(`library.error_${code}`) ? i18n.t(`library.error_${code}`) : i18n.t("library.error_other", { code: code || String(status) });
}

/** An upload's day in the page's language (the date alone). @param {string} iso */
function day(iso) {
  return new Intl.DateTimeFormat(i18n.locale(), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
}

/** @param {Chapter} chapter */
function chapterTitle(chapter) {
  if (chapter.title) return chapter.title;
  if (chapter.kind === "start") return i18n.t("library.chapter_start");
  return i18n.t(`library.chapter_${chapter.kind}`, { name: chapter.name ?? "" });
}

async function main() {
  const storage = browserStorage();
  i18n.translationsAt("/static/library/i18n");
  await i18n.loadLanguage(i18n.chooseLanguage(location.search, storage));
  i18n.translateTree(document);
  for (const b of document.querySelectorAll("[data-lang]")) {
    const lang = /** @type {HTMLElement} */ (b).dataset.lang === "en" ? "en" : "vi";
    b.setAttribute("aria-pressed", String(i18n.language() === lang));
    b.addEventListener("click", async () => {
      await i18n.loadLanguage(lang, storage);
      i18n.translateTree(document);
      for (const other of document.querySelectorAll("[data-lang]")) other.setAttribute("aria-pressed", String(/** @type {HTMLElement} */ (other).dataset.lang === lang));
      render();
    });
  }
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = tokenFromFragment(location.hash);
  const notice = find("notice");
  const say = (/** @type {string} */ key, /** @type {i18n.Params} */ args = {}) => {
    i18n.bind(notice, key, args);
    notice.hidden = false;
  };
  if (!token) return say("library.no_link");
  const claims = claimsOf(token);
  const courseId = claims?.course_id ?? fragment.get("course");
  if (!courseId) return say("library.no_link");
  const headers = { Authorization: `Bearer ${token}` };
  const response = await fetch(`/api/courses/${encodeURIComponent(courseId)}/recordings`, { headers, cache: "no-store" });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    return say("library.load_failed", { code: String(body.error?.code ?? response.status) });
  }
  /** @type {Recording[]} */
  let recordings = await response.json();
  const reports = claims?.role === "trainee" && claims.external_id;
  const edits = !claims || claims.role === "lecturer"; // the admin, or a lecturer of the course
  /** @type {Player | null} */
  let player = null;

  /** @param {Recording} recording @returns {(ranges: [number, number][]) => void} */
  const reporter = (recording) => (ranges) => {
    if (!reports) return;
    const url = `/api/recordings/${recording.class_id}/${recording.id}/watched`;
    void fetch(url, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ ranges }), keepalive: true });
  };

  const render = () => {
    find("empty").hidden = recordings.length > 0;
    replace(
      find("recordings"),
      ...recordings.map((r) =>
        el(
          "li",
          { data: { recording: `${r.class_id}/${r.id}` } },
          el(
            "div",
            { className: "info" },
            el("h2", { text: r.title }, r.source === "upload" && el("span", { className: "tag", i18n: "library.uploaded" })),
            el("p", {
              className: "meta",
              i18n: r.source !== "upload" ? "library.meta" : r.tracks.length ? "library.meta_upload" : "library.meta_slides",
              args: {
                lecturer: r.lecturer ?? "",
                date: r.held_on ? day(r.held_on) : { time: Date.parse(r.started_at) / 1000 },
                duration: clock(r.duration),
                pages: String(r.slides?.pages ?? 0),
              },
            }),
          ),
          el("button", { className: "btn", i18n: "library.watch", attrs: { type: "button" }, on: { click: () => open(r) } }),
          edits && el("button", { className: "btn danger", i18n: "library.delete", attrs: { type: "button" }, on: { click: () => remove(r) } }),
        ),
      ),
    );
    if (player) showChapters(player);
  };

  /** @param {Player} p */
  const showChapters = (p) => {
    replace(
      find("chapters"),
      ...p.recording.chapters.map((c) =>
        el("li", { data: { t: String(c.t) } }, el("button", { attrs: { type: "button" }, on: { click: () => p.jump(c.t) } }, el("span", { className: "at", text: clock(c.t) }), el("span", { text: chapterTitle(c) }))),
      ),
    );
    const slides = p.recording.slides;
    find("slides").hidden = !slides;
    if (slides) {
      const link = find("slides-link");
      link.setAttribute("href", slides.url);
      i18n.bind(link, "library.slides_open");
      i18n.bind(find("slides-pages"), "library.slides_pages", { pages: String(slides.pages) });
    }
    const files = p.recording.tracks.map((track) =>
      el("li", {}, el("a", { attrs: { href: track.url, download: track.file }, i18n: track.source === "upload" ? "library.video_file" : "library.track", args: { name: track.name, source: { key: `library.source_${track.source}` } } })),
    );
    if (slides) files.push(el("li", {}, el("a", { attrs: { href: slides.url, download: slides.file }, i18n: "library.slides_file" })));
    replace(find("downloads"), ...files);
    const playable = p.recording.tracks.length > 0;
    // Slides alone: nothing to play, only the slides to open.
    for (const part of document.querySelectorAll(".stage, #play, #seek, #time, .speed")) (/** @type {HTMLElement} */ (part)).hidden = !playable;
  };

  const reload = async () => {
    const again = await fetch(`/api/courses/${encodeURIComponent(courseId)}/recordings`, { headers, cache: "no-store" });
    if (again.ok) recordings = await again.json();
    render();
  };

  /** Ask, then delete a recording or an upload. @param {Recording} recording */
  const remove = (recording) => {
    const dialog = /** @type {HTMLDialogElement} */ (find("confirm-delete"));
    i18n.bind(find("confirm-text"), "library.delete_confirm", { title: recording.title });
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      async () => {
        if (dialog.returnValue !== "delete") return;
        const gone = await fetch(`/api/recordings/${recording.class_id}/${recording.id}`, { method: "DELETE", headers });
        if (!gone.ok) {
          notice.textContent = refusal(await gone.json().catch(() => ({})), gone.status);
          notice.hidden = false;
        }
        await reload();
      },
      { once: true },
    );
    dialog.showModal();
  };

  /** Upload the form's files: the slides first (small, checked at once), then the video. */
  const upload = async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    const status = find("upload-status");
    const progress = /** @type {HTMLProgressElement} */ (find("upload-progress"));
    const files = [data.get("slides"), data.get("video")].filter((f) => f instanceof File && f.size > 0).map((f) => /** @type {File} */ (f));
    const show = (/** @type {string} */ text, error = false) => {
      status.textContent = text;
      status.classList.toggle("error", error);
    };
    if (!files.length) return show(i18n.t("library.upload_pick"), true);
    const query = new URLSearchParams({ title: String(data.get("title") ?? "") });
    for (const name of ["lecturer", "held_on"]) if (data.get(name)) query.set(name, String(data.get(name)));
    const submit = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    submit.disabled = true;
    progress.hidden = false;
    try {
      let created = null;
      for (const [n, file] of files.entries()) {
        show(i18n.t("library.upload_sending", { name: file.name }));
        const url = created ? `/api/recordings/${created.class_id}/${created.id}/files` : `/api/courses/${encodeURIComponent(courseId ?? "")}/uploads?${query}`;
        const answer = await sendFile(url, file, token, (f) => (progress.value = (n + f) / files.length));
        if (answer.status !== 200 && answer.status !== 201) {
          // One form, one e-lecture: what the first file made goes when the second is refused.
          if (created) await fetch(`/api/recordings/${created.class_id}/${created.id}`, { method: "DELETE", headers });
          return show(`${file.name}: ${refusal(answer.body, answer.status)}`, true);
        }
        created = answer.body;
      }
      form.reset();
      show(i18n.t("library.upload_done"));
      await reload();
    } finally {
      submit.disabled = false;
      progress.hidden = true;
    }
  };

  /** @param {Recording} recording */
  const open = (recording) => {
    player?.close();
    player = new Player(recording, reporter(recording));
    find("player-title").textContent = recording.title;
    find("player").hidden = false;
    find("list").hidden = true;
    showChapters(player);
    showCombined(find("combined"), recording, headers, !claims || claims.role === "lecturer");
    history.replaceState(null, "", `${location.pathname}${location.search}#${new URLSearchParams({ ...Object.fromEntries(fragment), r: `${recording.class_id}/${recording.id}` })}`);
  };

  find("upload").hidden = !edits;
  // The file pickers show their words in the page's language, not the browser's.
  const picked = () => {
    for (const input of document.querySelectorAll("#upload-form input[type=file]")) {
      const file = /** @type {HTMLInputElement} */ (input).files?.[0];
      const name = /** @type {HTMLElement} */ (input.parentElement?.querySelector(".file-name"));
      if (file) {
        delete name.dataset.i18n;
        name.dataset.userText = ""; // a file's name is data
        name.textContent = file.name;
      } else {
        delete name.dataset.userText;
        i18n.bind(name, "library.no_file");
      }
    }
  };
  find("upload-form").addEventListener("change", picked);
  find("upload-form").addEventListener("reset", () => setTimeout(picked));
  find("upload-form").addEventListener("submit", (event) => void upload(/** @type {SubmitEvent} */ (event)));
  find("play").addEventListener("click", () => (player?.playing ? player.pause() : player?.play()));
  find("seek").addEventListener("input", (event) => player?.jump(Number(/** @type {HTMLInputElement} */ (event.target).value)));
  find("speed").addEventListener("change", (event) => player?.speed(Number(/** @type {HTMLSelectElement} */ (event.target).value)));
  find("back").addEventListener("click", () => {
    player?.close();
    player = null;
    find("player").hidden = true;
    find("list").hidden = false;
  });
  addEventListener("pagehide", () => player?.flush());
  render();
  const wanted = fragment.get("r");
  const chosen = recordings.find((r) => `${r.class_id}/${r.id}` === wanted);
  if (chosen) open(chosen);
  // For tests and diagnostics: the player's state.
  Object.assign(globalThis, { __library: { player: () => player } });
}

void main();

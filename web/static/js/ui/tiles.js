// @ts-check
/**
 * A video tile: one person's camera (with their microphone) or one shared screen, with the
 * name, a muted-microphone badge, a speaking ring and a placeholder when there is no picture.
 */

import { el } from "../../shared/dom.js";
import { icon } from "./icons.js";
import { bind } from "../../shared/i18n.js";

/** @typedef {{text: string} | {key: string, args?: import("../../shared/i18n.js").Params}} Label */

export class Tile {
  /**
   * @param {string} key stable id (participant id, `id:screen`, `self`)
   * @param {{label: Label, local?: boolean, screen?: boolean}} options
   */
  constructor(key, { label, local = false, screen = false }) {
    /** @type {() => void} called when the browser refused to play sound without a click */
    this.onsoundblocked = () => {};
    this.key = key;
    this.local = local;
    this.video = el("video");
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = local; // never play our own microphone back
    this.initials = el("span", { className: "avatar", attrs: { "aria-hidden": "true" } });
    this.placeholder = el("div", { className: "tile-placeholder" }, this.initials);
    this.name = el("span", { className: "tile-name" });
    this.micBadge = el("span", { className: "badge badge-mic", attrs: { hidden: "" } }, icon("micOff"), el("span", { className: "visually-hidden", i18n: "class.mic_muted" }));
    this.speakingBadge = el("span", { className: "badge badge-speaking", i18n: "class.speaking", attrs: { hidden: "" } });
    this.element = el(
      "figure",
      { className: `tile${local ? " tile-local" : ""}${screen ? " tile-screen" : ""}`, data: { tile: key } },
      this.video,
      this.placeholder,
      el("figcaption", {}, this.name, this.micBadge, this.speakingBadge),
    );
    /** @type {string} */
    this.trackKey = "";
    this.setLabel(label);
    this.setTracks([]);
  }

  /** @param {Label} label */
  setLabel(label) {
    if ("text" in label) {
      delete this.name.dataset.i18n;
      delete this.name.dataset.i18nArgs;
      this.name.textContent = label.text;
      this.name.dataset.userText = "";
      this.initials.textContent = initialsOf(label.text);
    } else {
      delete this.name.dataset.userText;
      bind(this.name, label.key, label.args);
      const name = label.args && typeof label.args.name === "string" ? label.args.name : "";
      this.initials.textContent = name ? initialsOf(name) : "";
    }
  }

  /**
   * Show these tracks; the element is only reloaded when the set of tracks changes.
   * @param {MediaStreamTrack[]} tracks
   */
  setTracks(tracks) {
    const key = tracks.map((t) => t.id).sort().join(",");
    this.element.classList.toggle("has-video", tracks.some((t) => t.kind === "video"));
    if (key === this.trackKey) return;
    this.trackKey = key;
    this.video.srcObject = tracks.length ? new MediaStream(tracks) : null;
    if (tracks.length) this.play();
    if (!this.local && tracks.some((t) => t.kind === "video")) markFirstFrame(this.video);
  }

  play() {
    this.video.play().catch((error) => {
      if (error.name !== "NotAllowedError" || this.video.muted) return;
      // Autoplay policy (no click yet, e.g. after a reload): play muted now, sound after a click.
      this.video.muted = true;
      this.video.play().catch(() => {});
      this.onsoundblocked();
    });
  }

  /** After a user gesture: play sound again. */
  unmuteSound() {
    if (this.local || !this.video.muted) return;
    this.video.muted = false;
    this.play();
  }

  /** @param {boolean} muted */
  setMicMuted(muted) {
    this.micBadge.hidden = !muted;
  }

  /** @param {boolean} off the camera is muted or absent: show the placeholder */
  setCameraOff(off) {
    this.element.classList.toggle("camera-off", off);
  }

  /** @param {boolean} speaking */
  setSpeaking(speaking) {
    this.element.classList.toggle("speaking", speaking);
    this.speakingBadge.hidden = !speaking;
  }

  remove() {
    this.video.srcObject = null;
    this.element.remove();
  }
}

/** User Timing mark of the first remote video frame shown: the join time people feel. */
export const FIRST_FRAME_MARK = "classbridge:first-remote-video";

/** @param {HTMLVideoElement} video */
function markFirstFrame(video) {
  if (performance.getEntriesByName(FIRST_FRAME_MARK).length || !("requestVideoFrameCallback" in video)) return;
  video.requestVideoFrameCallback(() => {
    if (!performance.getEntriesByName(FIRST_FRAME_MARK).length) performance.mark(FIRST_FRAME_MARK);
  });
}

/** "Nguyễn Thị Lan" → "NL": the family name's and the given name's first letters. @param {string} name */
export function initialsOf(name) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return "";
  const first = [...words[0]][0] ?? "";
  const last = words.length > 1 ? [...words[words.length - 1]][0] ?? "" : "";
  return (first + last).toLocaleUpperCase();
}

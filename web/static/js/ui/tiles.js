// @ts-check
/**
 * A video tile: one person's camera (with their microphone) or one shared screen, with the
 * name, a muted-microphone badge, a speaking ring and a placeholder when there is no picture.
 */

import { el } from "../../shared/dom.js";
import { icon } from "./icons.js";
import { bind } from "../../shared/i18n.js";

/** @typedef {{text: string} | {key: string, args?: import("../../shared/i18n.js").Params}} Label */
/** A button on a tile (the lecturer's: give the floor, mute...). @typedef {{key: string, name: string, onClick: () => void}} TileAction */

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
    /** plays no sound at all: the lecturer is in the room, whose speakers carry the class */
    this.silent = false;
    this.initials = el("span", { className: "avatar", attrs: { "aria-hidden": "true" } });
    this.placeholder = el("div", { className: "tile-placeholder" }, this.initials);
    this.name = el("span", { className: "tile-name" });
    this.micBadge = el("span", { className: "badge badge-mic", attrs: { hidden: "" } }, icon("micOff"), el("span", { className: "visually-hidden", i18n: "class.mic_muted" }));
    this.speakingBadge = el("span", { className: "badge badge-speaking", i18n: "class.speaking", attrs: { hidden: "" } });
    this.handBadge = el("span", { className: "badge badge-hand", attrs: { hidden: "" } });
    this.floorBadge = el("span", { className: "badge badge-floor", i18n: "floor.badge", attrs: { hidden: "" } });
    this.blockedBadge = el("span", { className: "badge badge-blocked", i18n: "mod.muted_by_lecturer", attrs: { hidden: "" } });
    this.reaction = el("span", { className: "tile-reaction", attrs: { hidden: "", role: "img" } });
    this.actions = el("div", { className: "tile-actions", attrs: { role: "group", hidden: "" } });
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.reactionTimer = null;
    this.actionsKey = "";
    this.element = el(
      "figure",
      { className: `tile${local ? " tile-local" : ""}${screen ? " tile-screen" : ""}`, data: { tile: key } },
      this.video,
      this.placeholder,
      this.reaction,
      this.actions,
      el("figcaption", {}, this.name, this.micBadge, this.blockedBadge, this.handBadge, this.floorBadge, this.speakingBadge),
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

  /** No sound from this tile (or sound again). @param {boolean} silent */
  setSilent(silent) {
    this.silent = silent;
    if (silent) this.video.muted = true;
    else this.unmuteSound();
  }

  /** After a user gesture: play sound again. */
  unmuteSound() {
    if (this.local || this.silent || !this.video.muted) return;
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

  /** @param {number} position 1-based place in the hand queue, 0: no hand raised */
  setHand(position) {
    this.handBadge.hidden = position === 0;
    if (position) bind(this.handBadge, "hands.raised_badge", { position });
  }

  /** @param {boolean} holds the participant holds the floor: the tile is shown large */
  setFloor(holds) {
    this.floorBadge.hidden = !holds;
    this.element.classList.toggle("tile-floor", holds);
  }

  /** @param {boolean} blocked the lecturer muted this microphone */
  setBlocked(blocked) {
    this.blockedBadge.hidden = !blocked;
  }

  /** Show a reaction for a few seconds. @param {string} emoji @param {string} key its translated name @param {number} ms */
  showReaction(emoji, key, ms) {
    this.reaction.textContent = emoji;
    bind(this.reaction, null, {}, { "aria-label": key });
    this.reaction.hidden = false;
    if (this.reactionTimer !== null) clearTimeout(this.reactionTimer);
    this.reactionTimer = setTimeout(() => {
      this.reaction.hidden = true;
      this.reactionTimer = null;
    }, ms);
  }

  /**
   * The buttons on this tile, rebuilt only when they change.
   * @param {TileAction[]} actions @param {string} groupName who the buttons act on (accessible name of the group)
   */
  setActions(actions, groupName) {
    const key = JSON.stringify([actions.map((a) => a.key), groupName]);
    this.actions.hidden = actions.length === 0;
    if (key === this.actionsKey) {
      actions.forEach((a, i) => ((/** @type {HTMLButtonElement} */ (this.actions.children[i])).onclick = a.onClick));
      return;
    }
    this.actionsKey = key;
    bind(this.actions, null, { name: groupName }, { "aria-label": "mod.actions_for" });
    this.actions.replaceChildren(
      ...actions.map((a) => {
        const b = el("button", { className: "btn btn-small", i18n: a.key, attrs: { type: "button" }, data: { action: a.name } });
        b.onclick = a.onClick;
        return b;
      }),
    );
  }

  remove() {
    if (this.reactionTimer !== null) clearTimeout(this.reactionTimer);
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

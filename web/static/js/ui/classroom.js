// @ts-check
/**
 * The class itself, laid out for the role. A trainee or observer sees the lecturer large
 * (or the shared slides, with the lecturer beside them), the room camera, and themself small;
 * the lecturer sees the trainees as tiles and themself small. A trainee who holds the floor is
 * large on every page (the room's too). Beside the stage, the panels: chat for everyone, and
 * for the lecturer the hand queue, the people and the lobby. Rendering only: the app passes
 * a model and this module makes the page match it, keeping video elements alive across renders.
 */

import { bind } from "../../shared/i18n.js";
import { el, clear } from "../../shared/dom.js";
import { Tile } from "./tiles.js";
import { Toolbar } from "./toolbar.js";
import { ChatPanel } from "./chat_panel.js";
import { PeoplePanel } from "./people_panel.js";
import { REACTIONS, ReactionPicker } from "./reactions.js";
import { REACTION_SHOWN_MS } from "../class_state.js";

/** @typedef {import("../../shared/token.js").Role} Role */
/** @typedef {import("../protocol.js").ParticipantInfo} ParticipantInfo */
/** @typedef {import("../protocol.js").RemoteTrack} RemoteTrack */
/**
 * @typedef {object} ClassModel
 * @property {ParticipantInfo[]} participants everyone else
 * @property {RemoteTrack[]} remote what the server sends us
 * @property {MediaStreamTrack | null} camera own camera (preview)
 * @property {MediaStreamTrack | null} screen own shared screen
 * @property {string} selfName
 * @property {boolean} cameraMuted
 * @property {boolean} micMuted
 * @property {boolean} audioOnly
 * @property {import("../class_state.js").ClassState} state
 * @property {string} selfId
 */

const SPEAKING_LEVEL = 0.02; // getStats audioLevel (0..1, linear): above room noise, below speech
const BROADCASTERS = new Set(["lecturer", "room"]);

export class ClassroomView {
  /** @param {HTMLElement} container @param {Role} role @param {string} selfId */
  constructor(container, role, selfId) {
    this.role = role;
    this.selfId = selfId;
    this.toolbar = new Toolbar(role);
    /** @type {(request: import("../protocol.js").ClassRequest) => void} the lecturer's tile buttons */
    this.onrequest = () => {};
    /** @type {(participant: ParticipantInfo) => void} */
    this.onremove = () => {};
    this.chat = new ChatPanel(role, selfId);
    this.people = role === "lecturer" ? new PeoplePanel() : null;
    this.reactions = new ReactionPicker();
    this.floorArea = el("div", { className: "stage-floor" });
    /** @type {() => void} the trainee hands the floor back */
    this.onhandback = () => {};
    const handBack = el("button", { className: "btn btn-small", i18n: "floor.hand_back", attrs: { type: "button" }, data: { action: "hand_back" } });
    handBack.addEventListener("click", () => this.onhandback());
    this.floorBanner = el("div", { className: "floor-banner", attrs: { hidden: "", role: "status" } }, el("span", { i18n: "floor.you_have" }), handBack);
    /** @type {() => void} */
    this.onsoundblocked = () => {};
    /** the page plays none of the class's sound ("I am in the room": no echo loop) */
    this.silent = false;
    /** @type {Map<string, Tile>} */
    this.tiles = new Map();
    this.main = el("div", { className: "stage-main" });
    this.side = el("div", { className: "stage-side" });
    this.grid = el("div", { className: "grid" });
    this.selfArea = el("div", { className: "self-area" });
    this.empty = el("p", { className: "empty", attrs: { role: "status" } });
    this.sharingBanner = el("p", { className: "sharing-banner", i18n: "class.sharing_banner", attrs: { hidden: "" } });
    this.audioOnlyNote = el("p", { className: "audio-only-note", i18n: "class.audio_only_notice", attrs: { hidden: "" } });
    /** the relay sends a smaller picture than the tiles ask for, because of the connection */
    this.reducedNote = el("p", { className: "reduced-note", i18n: "quality.picture_reduced", attrs: { hidden: "", role: "status" } });
    const broadcaster = BROADCASTERS.has(role);
    const stage = el(
      "section",
      { className: "stage", i18nAttr: { "aria-label": "class.stage_label" } },
      this.audioOnlyNote,
      this.reducedNote,
      broadcaster ? this.floorArea : null,
      broadcaster ? el("h2", { className: "visually-hidden", i18n: "class.trainees_heading" }) : null,
      broadcaster ? this.grid : this.main,
      broadcaster ? null : this.side,
      this.empty,
    );
    clear(container);
    container.className = `classroom role-${role}`;
    const panels = el(
      "div",
      { className: "panels" },
      this.people ? this.people.handsSection : null,
      this.people ? this.people.peopleSection : null,
      this.chat.element,
    );
    this.panels = panels;
    container.append(
      stage,
      el("aside", { className: "self" }, this.floorBanner, this.sharingBanner, this.selfArea),
      panels,
      this.reactions.element,
      this.toolbar.element,
    );
  }

  /** After a rejoin the server gives us a new participant id. @param {string} selfId */
  setSelf(selfId) {
    this.selfId = selfId;
    this.chat.selfId = selfId;
  }

  /** Show a reaction on the sender's tile (ours: the self tile). @param {string} participantId @param {import("../protocol.js").ReactionName} reaction */
  showReaction(participantId, reaction) {
    const tile = this.tiles.get(participantId === this.selfId ? "self" : participantId);
    const { emoji, key } = REACTIONS[reaction];
    tile?.showReaction(emoji, key, REACTION_SHOWN_MS);
  }

  /** @param {ClassModel} model */
  render(model) {
    const wanted = new Map(); // tile key → where it goes
    const byParticipant = groupTracks(model.remote);
    /** @param {ParticipantInfo} p @param {boolean} screen */
    const tileFor = (p, screen) => {
      const key = screen ? `${p.id}:screen` : p.id;
      const label = screen ? { key: "class.screen_of", args: { name: p.name } } : p.role === "room" ? { key: "class.room_camera" } : { text: p.name };
      const tile = this.tile(key, { label, screen });
      const tracks = (screen ? byParticipant.get(key) : byParticipant.get(p.id)) ?? [];
      tile.setTracks(tracks);
      if (!screen) {
        const mic = p.tracks.find((t) => t.source === "microphone");
        const camera = p.tracks.find((t) => t.source === "camera");
        const blocked = model.state.block(p.id, "microphone") !== null;
        tile.setMicMuted(Boolean(mic?.muted) || blocked);
        tile.setBlocked(blocked);
        tile.setCameraOff(!camera || camera.muted || model.state.block(p.id, "camera") !== null || !tracks.some((t) => t.kind === "video"));
        tile.setHand(model.state.handPosition(p.id));
        tile.setFloor(model.state.holdsFloor(p.id));
        tile.setActions(this.tileActions(p, model), p.name);
      }
      return tile;
    };

    const holders = model.participants.filter((p) => model.state.holdsFloor(p.id));
    if (BROADCASTERS.has(this.role)) {
      const shown = model.participants.filter((p) => p.role === "trainee" || p.role === "room" || (p.role === "lecturer" && p.tracks.length));
      for (const p of shown) {
        const region = model.state.holdsFloor(p.id) ? this.floorArea : this.grid;
        wanted.set(tileFor(p, false), region);
        if (byParticipant.has(`${p.id}:screen`)) wanted.set(tileFor(p, true), region);
      }
      this.setEmpty(shown.length ? null : "class.no_trainees");
    } else {
      const broadcasters = model.participants.filter((p) => BROADCASTERS.has(p.role));
      const screenOwner = [...holders, ...broadcasters].find((p) => byParticipant.has(`${p.id}:screen`));
      const lecturer = broadcasters.find((p) => p.role === "lecturer");
      const ordered = [...holders, ...[...broadcasters].sort((a, b) => Number(b.role === "lecturer") - Number(a.role === "lecturer"))];
      const tiles = ordered.map((p) => tileFor(p, false));
      // The floor first, then shared slides, then the lecturer.
      const mainTile = holders.length ? tiles[0] : screenOwner ? tileFor(screenOwner, true) : tiles[0];
      if (mainTile) wanted.set(mainTile, this.main);
      for (const tile of tiles) if (tile !== mainTile) wanted.set(tile, this.side);
      if (holders.length && screenOwner) wanted.set(tileFor(screenOwner, true), this.side);
      this.setEmpty(lecturer ? null : "class.waiting_lecturer");
    }
    this.floorArea.hidden = !holders.length;
    this.floorBanner.hidden = !model.state.holdsFloor(model.selfId);

    if (model.camera) {
      const self = this.tile("self", { label: { key: "class.you_named", args: { name: model.selfName } }, local: true });
      self.setTracks([model.camera]);
      self.setCameraOff(model.cameraMuted);
      self.setMicMuted(model.micMuted);
      self.setHand(model.state.handPosition(model.selfId));
      self.setFloor(false);
      wanted.set(self, this.selfArea);
    }
    if (model.screen) {
      const own = this.tile("self:screen", { label: { key: "class.your_screen" }, local: true, screen: true });
      own.setTracks([model.screen]);
      wanted.set(own, this.selfArea);
    }
    this.sharingBanner.hidden = !model.screen;
    this.audioOnlyNote.hidden = !model.audioOnly;

    for (const [key, tile] of this.tiles) {
      if (!wanted.has(tile)) {
        tile.remove();
        this.tiles.delete(key);
      }
    }
    for (const [tile, region] of wanted) if (tile.element.parentElement !== region) region.append(tile.element);
    this.grid.dataset.count = String(this.grid.childElementCount);
  }

  /**
   * The lecturer's buttons on a trainee's tile: the floor and the microphone.
   * @param {ParticipantInfo} p @param {ClassModel} model
   * @returns {import("./tiles.js").TileAction[]}
   */
  tileActions(p, model) {
    if (this.role !== "lecturer" || p.role !== "trainee") return [];
    const holds = model.state.holdsFloor(p.id);
    const blocked = model.state.block(p.id, "microphone") !== null;
    return [
      {
        key: holds ? "floor.take_back" : "floor.give",
        name: holds ? "take_floor" : "give_floor",
        onClick: () => this.onrequest({ type: "floor", participant_id: p.id, give: !holds }),
      },
      blocked
        ? { key: "mod.allow_mic", name: "allow_mic", onClick: () => this.onrequest({ type: "allow", participant_id: p.id, source: "microphone" }) }
        : {
            key: "mod.mute",
            name: "mute",
            onClick: () => this.onrequest({ type: "block", participant_id: p.id, source: "microphone", may_resume: this.people?.mayUnmute.checked ?? true }),
          },
    ];
  }

  /** Speaking rings from the stats' audio levels. @param {Map<string, number>} levels participant id → 0..1 */
  setLevels(levels) {
    for (const [key, tile] of this.tiles) tile.setSpeaking((levels.get(key) ?? 0) > SPEAKING_LEVEL);
  }

  /** The calm "picture reduced because of your connection" note. @param {boolean} reduced */
  setReduced(reduced) {
    this.reducedNote.hidden = !reduced;
  }

  /**
   * The elements showing received video, by the receiver's track id (for the tile sizes the
   * relay is told: view_sizes.js).
   * @returns {Map<string, HTMLElement>}
   */
  remoteVideoElements() {
    /** @type {Map<string, HTMLElement>} */
    const out = new Map();
    for (const tile of this.tiles.values()) {
      if (tile.local || !(tile.video.srcObject instanceof MediaStream)) continue;
      for (const track of tile.video.srcObject.getVideoTracks()) out.set(track.id, tile.video);
    }
    return out;
  }

  /** Play none of the class's sound (the lecturer is in the room). @param {boolean} silent */
  setSilent(silent) {
    this.silent = silent;
    for (const tile of this.tiles.values()) tile.setSilent(silent);
  }

  /** After a click: play the sound autoplay blocked. */
  unmuteSound() {
    for (const tile of this.tiles.values()) tile.unmuteSound();
  }

  /** @param {string} key @param {{label: import("./tiles.js").Label, local?: boolean, screen?: boolean}} options */
  tile(key, options) {
    let tile = this.tiles.get(key);
    if (!tile) {
      tile = new Tile(key, options);
      tile.onsoundblocked = () => this.onsoundblocked();
      if (this.silent) tile.setSilent(true);
      this.tiles.set(key, tile);
    } else {
      tile.setLabel(options.label);
    }
    return tile;
  }

  /** @param {string | null} key what to say when the stage is empty */
  setEmpty(key) {
    this.empty.hidden = key === null;
    if (key) bind(this.empty, key);
  }
}

/**
 * Received tracks by tile: `participantId` (camera + microphone) and `participantId:screen`.
 * @param {RemoteTrack[]} remote
 * @returns {Map<string, MediaStreamTrack[]>}
 */
export function groupTracks(remote) {
  /** @type {Map<string, MediaStreamTrack[]>} */
  const groups = new Map();
  for (const { info, track } of remote) {
    const screen = info.source === "screen" || info.source === "screen_audio";
    const key = screen ? `${info.participant_id}:screen` : info.participant_id;
    groups.set(key, [...(groups.get(key) ?? []), track]);
  }
  return groups;
}

// @ts-check
/**
 * How the class is being run, as the server last told it: chat lines, the hand queue, who
 * holds the floor, the lecturer's blocks, the settings and (for lecturers) the lobby. Kept
 * from `joined.state`/`joined.chat` and the server's news (docs/protocol.md); no DOM. The
 * server enforces every rule: this only remembers what it said, so the page can show it.
 */

/** @typedef {import("./protocol.js").ChatLine} ChatLine */
/** @typedef {import("./protocol.js").ClassSettings} ClassSettings */
/** @typedef {import("./protocol.js").RaisedHand} RaisedHand */
/** @typedef {import("./protocol.js").MediaBlock} MediaBlock */
/** @typedef {import("./protocol.js").Lobby} Lobby */
/** @typedef {import("./protocol.js").ClassNews} ClassNews */
/** @typedef {import("./protocol.js").Joined} Joined */
/** @typedef {import("./protocol.js").CheckIn} CheckIn */

/** The chat lines a page keeps (the server sends the last 200 on join). */
export const CHAT_KEPT = 500;
/** The longest chat line the server takes (classroom/chat.py). */
export const CHAT_MAX_CHARS = 1000;
/** How long a reaction stays on a tile. */
export const REACTION_SHOWN_MS = 4000;

/** @type {ClassSettings} */
const DEFAULT_SETTINGS = { chat: true, locked: false, lobby: false, auto_admit_personal: false, floor_screen_share: false };

export class ClassState {
  constructor() {
    /** @type {ChatLine[]} */
    this.chat = [];
    /** @type {RaisedHand[]} first raised first */
    this.hands = [];
    /** @type {string[]} */
    this.floor = [];
    /** @type {MediaBlock[]} */
    this.blocks = [];
    /** @type {ClassSettings} */
    this.settings = { ...DEFAULT_SETTINGS };
    /** @type {Lobby} */
    this.lobby = { waiting: [], removed: [] };
    /** @type {CheckIn[]} trainees checked in from the room, first first (lecturers only) */
    this.checkins = [];
    /** chat lines that arrived while the chat panel was closed */
    this.unread = 0;
  }

  /** Start over from a `joined` message (a join, or a rejoin after a drop). @param {Joined} joined */
  reset(joined) {
    const state = joined.state;
    this.settings = { ...DEFAULT_SETTINGS, ...(state?.settings ?? {}) };
    this.hands = [...(state?.hands ?? [])];
    this.floor = [...(state?.floor ?? [])];
    this.blocks = [...(state?.blocks ?? [])];
    const known = new Set(this.chat.map((line) => line.id));
    const fresh = (joined.chat ?? []).filter((line) => !known.has(line.id));
    this.chat = [...this.chat, ...fresh].sort((a, b) => a.id - b.id).slice(-CHAT_KEPT);
  }

  /**
   * Apply one piece of news; returns what it changed, for the page to react.
   * @param {ClassNews} news
   * @returns {"chat" | "hands" | "floor" | "reaction" | "blocked" | "settings" | "lobby" | "checkin"}
   */
  apply(news) {
    switch (news.type) {
      case "chat":
        if (!this.chat.some((line) => line.id === news.line.id)) this.chat = [...this.chat, news.line].slice(-CHAT_KEPT);
        break;
      case "hands":
        this.hands = news.hands;
        break;
      case "floor":
        this.floor = news.holders;
        break;
      case "blocked": {
        const others = this.blocks.filter((b) => !(b.participant_id === news.participant_id && b.source === news.source));
        this.blocks = news.blocked ? [...others, { participant_id: news.participant_id, source: news.source, may_resume: news.may_resume }] : others;
        break;
      }
      case "settings":
        this.settings = { ...DEFAULT_SETTINGS, ...news.settings };
        break;
      case "lobby":
        this.lobby = { waiting: news.waiting, removed: news.removed };
        break;
      case "reaction":
        break;
      case "checkin": {
        const { type: _, ...checkin } = news;
        this.setCheckins([...this.checkins.filter((c) => c.external_id !== checkin.external_id), checkin]);
        break;
      }
    }
    return news.type;
  }

  /** The check-ins so far (fetched on join: `GET /api/classes/{id}/checkins`). @param {CheckIn[]} checkins */
  setCheckins(checkins) {
    this.checkins = [...checkins].sort((a, b) => Date.parse(a.checked_in_at) - Date.parse(b.checked_in_at));
  }

  /** @param {string} participantId */
  handRaised(participantId) {
    return this.hands.some((h) => h.participant_id === participantId);
  }

  /** 1-based place in the hand queue, or 0. @param {string} participantId */
  handPosition(participantId) {
    return this.hands.findIndex((h) => h.participant_id === participantId) + 1;
  }

  /** @param {string} participantId */
  holdsFloor(participantId) {
    return this.floor.includes(participantId);
  }

  /** The lecturer's block on this source, if any. @param {string} participantId @param {"microphone" | "camera"} source */
  block(participantId, source) {
    return this.blocks.find((b) => b.participant_id === participantId && b.source === source) ?? null;
  }
}

/** How long someone has waited, as m:ss. @param {string} sinceIso @param {number} nowMs */
export function waited(sinceIso, nowMs) {
  const seconds = Math.max(0, Math.floor((nowMs - Date.parse(sinceIso)) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

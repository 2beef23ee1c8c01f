// @ts-check
/**
 * The LED-wall page (/room/{room}/screen#k=<room key>): what the back of a lecture hall sees.
 *
 * It follows the room's schedule by asking `GET /api/rooms/{room}/now` with the room key
 * (signaling/api/room_keys.py), joins the class on now with the room-role token it gets, and
 * shows it laid out for a wall: the shared slides large, the trainee holding the floor large
 * beside them, the other remote trainees as a strip, the class title, the clock and the
 * room's check-in QR code and PIN. Between classes: a big clock and the next class. It joins
 * as the room but publishes nothing; it plays the class's sound only when no room agent
 * (`agent` in the roster) plays it to the room's speakers. The class connection, the roster,
 * the class state and the tiles are the class page's own modules.
 */

import * as i18n from "../shared/i18n.js";
import { ClassConnection } from "./protocol.js";
import { ClassState } from "./class_state.js";
import { Tile } from "./ui/tiles.js";
import { groupTracks } from "./ui/classroom.js";

/** @typedef {import("./protocol.js").ParticipantInfo} ParticipantInfo */
/** @typedef {import("./protocol.js").RemoteTrack} RemoteTrack */
/** @typedef {{id: string, title: string, starts_at: string | null, ends_at: string | null, join_token: string}} NowClass */
/** @typedef {{room: string, class: NowClass | null, next: {id: string, title: string, starts_at: string | null} | null}} RoomNow */
/** @typedef {{class_id: string, pin: string, url: string, qr_svg: string, changes_at: string}} RoomCode */

const POLL_MS = 15_000;
const CODE_RETRY_MS = 20_000;
const STRIP_MAX = 10;
const KEY_STORAGE = (/** @type {string} */ room) => `classbridge.room_key.${room}`;
/** Refusals of the room key, each with what the wall says. */
const KEY_PROBLEMS = /** @type {Record<string, string>} */ ({
  room_key_required: "screen.key_missing",
  room_key_invalid: "screen.key_invalid",
  key_revoked: "screen.key_revoked",
  wrong_room: "screen.key_wrong_room",
});

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

class RequestFailed extends Error {
  /** @param {number} status @param {string} code */
  constructor(status, code) {
    super(code);
    this.status = status;
    this.code = code;
  }
}

class Wall {
  /** @param {string} room @param {string} key */
  constructor(room, key) {
    this.room = room;
    this.key = key;
    /** @type {NowClass | null} */
    this.current = null;
    /** @type {ClassConnection | null} */
    this.connection = null;
    this.state = new ClassState();
    /** @type {ParticipantInfo[]} */
    this.participants = [];
    /** @type {RemoteTrack[]} */
    this.remote = [];
    /** @type {Map<string, Tile>} */
    this.tiles = new Map();
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.codeTimer = null;
    this.clientId = clientIdFor(room);
    /** a room agent plays the class's sound: the wall stays silent */
    this.agent = false;
  }

  /** @param {string} path */
  async get(path) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${this.key}` }, cache: "no-store" });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new RequestFailed(response.status, body?.error?.code ?? "unknown");
    return body;
  }

  start() {
    byId("room-name").textContent = this.room;
    i18n.bind(byId("checkin-label"), "screen.checkin_label", { url: `${location.host}/checkin` });
    this.tickClock();
    setInterval(() => this.tickClock(), 1000);
    void this.poll();
    setInterval(() => void this.poll(), POLL_MS);
  }

  tickClock() {
    const now = i18n.formatClock(new Date().toISOString()).slice(0, 5);
    byId("clock").textContent = now;
    byId("idle-clock").textContent = now;
  }

  async poll() {
    /** @type {RoomNow} */
    let now;
    try {
      now = await this.get(`/api/rooms/${encodeURIComponent(this.room)}/now`);
    } catch (error) {
      if (error instanceof RequestFailed && KEY_PROBLEMS[error.code]) {
        this.leaveClass();
        this.problem(KEY_PROBLEMS[error.code]);
      }
      return; // the network or the server: keep showing what we show, ask again later
    }
    byId("problem").hidden = true;
    if (now.class?.id !== this.current?.id) {
      this.leaveClass();
      if (now.class) this.enterClass(now.class);
    }
    this.current = now.class;
    if (!now.class) this.idle(now.next);
  }

  /** @param {string} key */
  problem(key) {
    document.body.classList.add("idle");
    byId("live").hidden = true;
    byId("idle").hidden = true;
    byId("problem").hidden = false;
    i18n.bind(byId("problem-text"), key, { room: this.room });
  }

  /** @param {RoomNow["next"]} next */
  idle(next) {
    document.body.classList.add("idle");
    byId("live").hidden = true;
    byId("idle").hidden = false;
    byId("class-title").textContent = "";
    const line = byId("idle-next");
    line.hidden = !next;
    if (next) {
      const at = next.starts_at ? Date.parse(next.starts_at) / 1000 : 0;
      i18n.bind(line, "screen.next_class", { title: next.title, time: at ? { time: at } : "" });
    }
  }

  /** @param {NowClass} info */
  enterClass(info) {
    document.body.classList.remove("idle");
    byId("idle").hidden = true;
    byId("live").hidden = false;
    byId("class-title").textContent = info.title;
    document.title = info.title;
    this.state = new ClassState();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const connection = new ClassConnection({
      url: `${scheme}//${location.host}/ws/${encodeURIComponent(info.id)}`,
      token: info.join_token,
      name: i18n.t("screen.participant_name", { room: this.room }),
      clientId: this.clientId,
    });
    this.connection = connection;
    connection.onjoined = (joined) => {
      this.state.reset(joined);
      this.render();
    };
    connection.onroster = (participants) => {
      this.participants = participants;
      this.render();
    };
    connection.onremotetracks = (tracks) => {
      this.remote = tracks;
      this.render();
    };
    connection.onnews = (news) => {
      this.state.apply(news);
      this.render();
      if (news.type === "checkin") this.renderCheckinCount();
    };
    connection.onclosed = () => {
      if (this.connection === connection) {
        this.connection = null;
        this.current = null; // ended or refused: the next poll decides what to show
      }
    };
    connection.connect();
    void this.loadCheckins(info.id);
    void this.refreshCode();
  }

  leaveClass() {
    this.connection?.leave();
    this.connection = null;
    this.current = null;
    this.participants = [];
    this.remote = [];
    for (const tile of this.tiles.values()) tile.remove();
    this.tiles.clear();
    if (this.codeTimer !== null) clearTimeout(this.codeTimer);
    this.codeTimer = null;
    byId("checkin").hidden = true;
  }

  /** @param {string} classId */
  async loadCheckins(classId) {
    try {
      const token = this.connection?.token ?? "";
      const response = await fetch(`/api/classes/${encodeURIComponent(classId)}/checkins`, { headers: { Authorization: `Bearer ${token}` } });
      if (response.ok) this.state.setCheckins(await response.json());
      this.renderCheckinCount();
    } catch {
      // the count is shown again with the next check-in
    }
  }

  renderCheckinCount() {
    const present = this.state.checkins.filter((c) => !c.checked_out_at).length;
    i18n.bind(byId("checkin-count"), "screen.checked_in_count", { count: present });
  }

  /** The PIN and QR code, fetched again when they change (every minute). */
  async refreshCode() {
    if (this.codeTimer !== null) clearTimeout(this.codeTimer);
    const classId = this.current?.id;
    let wait = CODE_RETRY_MS;
    try {
      /** @type {RoomCode} */
      const code = await this.get(`/api/rooms/${encodeURIComponent(this.room)}/checkin`);
      byId("checkin-pin").textContent = `${code.pin.slice(0, 3)} ${code.pin.slice(3)}`;
      byId("checkin-pin").dataset.pin = code.pin;
      const qr = /** @type {HTMLImageElement} */ (byId("checkin-qr"));
      qr.src = `data:image/svg+xml;base64,${btoa(code.qr_svg)}`;
      i18n.bind(qr, null, {}, { alt: "screen.qr_alt" });
      byId("checkin").hidden = false;
      wait = Math.max(1000, Date.parse(code.changes_at) - Date.now() + 300);
    } catch {
      byId("checkin").hidden = true; // no roster, or no class any more
    }
    if (this.current?.id === classId || classId === undefined) this.codeTimer = setTimeout(() => void this.refreshCode(), wait);
  }

  /** Who goes where on the wall. */
  render() {
    const groups = groupTracks(this.remote);
    const people = new Map(this.participants.map((p) => [p.id, p]));
    const lecturer = this.participants.find((p) => p.role === "lecturer");
    const sharer = [...groups.keys()].find((k) => k.endsWith(":screen") && people.get(k.split(":")[0])?.role === "lecturer")
      ?? [...groups.keys()].find((k) => k.endsWith(":screen"));
    const floorId = this.state.floor.find((id) => people.has(id)) ?? null;
    const mainKey = sharer ?? (lecturer && groups.has(lecturer.id) ? lecturer.id : null);
    const sideKey = floorId ?? (sharer && lecturer && groups.has(lecturer.id) ? lecturer.id : null);
    const stripKeys = this.participants
      .filter((p) => p.role === "trainee" && p.id !== floorId)
      .slice(0, STRIP_MAX)
      .map((p) => p.id);
    const agent = this.participants.some((p) => p.role === "room" && p.agent === true);
    if (!agent && this.agent) {
      for (const tile of this.tiles.values()) {
        tile.video.muted = false; // the agent left: the wall's own speakers carry the class again
        tile.play();
      }
    }
    this.agent = agent;

    /** @type {Map<string, HTMLElement>} */
    const places = new Map();
    if (mainKey) places.set(mainKey, byId("main-stage"));
    if (sideKey && sideKey !== mainKey) places.set(sideKey, byId("side-stage"));
    for (const key of stripKeys) if (!places.has(key)) places.set(key, byId("strip"));

    for (const [key, tile] of this.tiles) {
      if (!places.has(key)) {
        tile.remove();
        this.tiles.delete(key);
      }
    }
    for (const [key, place] of places) {
      const [id, what] = key.split(":");
      const person = people.get(id);
      let tile = this.tiles.get(key);
      if (!tile) {
        tile = new Tile(key, { label: { text: person?.name ?? "" }, screen: what === "screen" });
        this.tiles.set(key, tile);
      }
      if (tile.element.parentElement !== place) place.append(tile.element);
      if (person) tile.setLabel({ text: person.name });
      tile.setFloor(this.state.holdsFloor(id));
      if (agent) tile.video.muted = true; // the agent plays the class to the room's speakers
      tile.setTracks(groups.get(key) ?? []);
      tile.setCameraOff(!(groups.get(key) ?? []).some((t) => t.kind === "video"));
    }
    byId("main-empty").hidden = Boolean(mainKey);
    byId("strip").hidden = stripKeys.length === 0;
    byId("live").classList.toggle("no-strip", stripKeys.length === 0);
    document.body.dataset.agent = String(agent);
    document.body.dataset.main = mainKey ?? "";
    document.body.dataset.side = sideKey ?? "";
  }
}

/** A stable id for this wall's seat, so that a reload replaces its old seat. @param {string} room */
function clientIdFor(room) {
  const name = `classbridge.screen_client.${room}`;
  try {
    const known = localStorage.getItem(name);
    if (known) return known;
    const fresh = `screen-${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
    localStorage.setItem(name, fresh);
    return fresh;
  } catch {
    return `screen-${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
  }
}

/** The room key: from the fragment (then kept, and the fragment cleared), else kept before. @param {string} room */
function roomKey(room) {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get("k");
  try {
    if (fromFragment) {
      localStorage.setItem(KEY_STORAGE(room), fromFragment);
      history.replaceState(null, "", location.pathname + location.search);
      return fromFragment;
    }
    return localStorage.getItem(KEY_STORAGE(room)) ?? "";
  } catch {
    return fromFragment ?? "";
  }
}

async function main() {
  let storage = null;
  try {
    storage = localStorage;
  } catch {
    // a kiosk profile without storage still shows the wall
  }
  await i18n.loadLanguage(i18n.chooseLanguage(location.search, storage));
  i18n.translateTree(document);
  const match = /^\/room\/([^/]+)\/screen\/?$/.exec(location.pathname);
  const room = match ? decodeURIComponent(match[1]) : "";
  const wall = new Wall(room, roomKey(room));
  if (!wall.key) wall.problem("screen.key_missing");
  else wall.start();
  document.body.dataset.ready = "true";
}

void main();

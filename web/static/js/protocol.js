// @ts-check
/**
 * The classbridge signaling protocol, version 1 (docs/protocol.md), in the browser.
 *
 * `ClassConnection` owns the WebSocket and both peer connections: on `publish` the page offers
 * and the server answers; on `subscribe` the server offers and the page answers, so neither
 * side ever meets offer glare. It keeps the roster, reconnects by itself with backoff after a
 * network drop or a server restart (rejoining with the same `client_id`, so the server
 * replaces the stale seat and the page gets its media back), and reports everything through
 * `on*` callbacks. It never touches the DOM: the UI modules render what it reports.
 */

import { Backoff } from "./backoff.js";
import { ROSTER_MESSAGES, Roster } from "./roster.js";
import { steadyLevel } from "./quality.js";
import { summarize } from "./stats.js";
import { CAMERA_LAYERS, SCREEN_ENCODING, encodeWith, setActive } from "./layers.js";

export const PROTOCOL_VERSION = 1;

/** @typedef {import("./backoff.js").BackoffOptions} BackoffOptions */
/** @typedef {import("./stats.js").StatsSample} StatsSample */
/** @typedef {"camera" | "microphone" | "screen" | "screen_audio"} Source */
/** @typedef {"publish" | "subscribe"} Transport */
/** @typedef {{track_id: string, source: Source, kind: "audio" | "video", muted: boolean}} TrackInfo */
/** @typedef {{id: string, role: string, name: string, external_id: string | null, tracks: TrackInfo[], agent?: boolean}} ParticipantInfo */
/** @typedef {{mid: string, participant_id: string, track_id: string, source: Source, kind: "audio" | "video"}} SubscribedTrack */
/** @typedef {{id: string, title: string, room: string | null}} ClassInfo */
/**
 * @typedef {object} Joined
 * @property {ParticipantInfo} participant
 * @property {ClassInfo} class
 * @property {ParticipantInfo[]} participants
 * @property {{urls: string[], username?: string | null, credential?: string | null}[]} ice_servers
 * @property {{max_message_bytes: number, rate_per_second: number, keepalive_timeout_s: number}} limits
 * @property {ClassState} state
 * @property {ChatLine[]} chat the history this participant may see
 */
/** @typedef {{code: string, message: string, fatal: boolean, ref: string | null, retry_after_s?: number | null}} ServerError */
/** @typedef {{chat: boolean, locked: boolean, lobby: boolean, auto_admit_personal: boolean, floor_screen_share: boolean}} ClassSettings */
/** @typedef {{participant_id: string, raised_at: string}} RaisedHand */
/** @typedef {{participant_id: string, source: Source, may_resume: boolean}} MediaBlock */
/** @typedef {{active: boolean, since: string | null, by: string | null, reason: string | null}} RecordingState */
/** @typedef {{settings: ClassSettings, hands: RaisedHand[], floor: string[], blocks: MediaBlock[], recording?: RecordingState}} ClassState */
/**
 * @typedef {object} ChatLine
 * @property {number} id
 * @property {string} at ISO time
 * @property {string} sender_id
 * @property {string} sender_name
 * @property {string} sender_role
 * @property {string} text
 * @property {string | null} to_id set: a private line
 * @property {string | null} to_name
 */
/** @typedef {{seat_id: string, name: string, external_id: string | null, since: string}} WaitingPerson */
/** @typedef {{identity: string, name: string, at: string}} RemovedPerson */
/** @typedef {{waiting: WaitingPerson[], removed: RemovedPerson[]}} Lobby */
/** @typedef {"thumbs_up" | "clap" | "heart" | "laugh" | "surprised" | "question"} ReactionName */
/**
 * What a participant asks of the class besides media (docs/protocol.md, "Client → server");
 * the server decides who may do what.
 * @typedef {{type: "chat", text: string, to?: string}
 *   | {type: "hand", raised: boolean, participant_id?: string}
 *   | {type: "floor", participant_id: string, give: boolean}
 *   | {type: "react", reaction: ReactionName}
 *   | {type: "block", participant_id: string | null, source: "microphone" | "camera", may_resume: boolean}
 *   | {type: "allow", participant_id: string, source: "microphone" | "camera"}
 *   | {type: "remove", participant_id: string}
 *   | {type: "readmit", identity: string}
 *   | {type: "settings"} & Partial<ClassSettings>
 *   | {type: "admit", seat_id: string, admit: boolean}
 *   | {type: "quiz_start", kind: "poll" | "quiz", time_limit_s: number, anonymous: boolean, questions: QuizQuestionIn[], draw: {count: number, topic: string | null}[]}
 *   | {type: "quiz_answer", quiz_id: string, question: number, choice: number[]}
 *   | {type: "quiz_end", quiz_id: string}
 *   | {type: "quiz_release", quiz_id: string}
 *   | {type: "record", on: boolean}} ClassRequest
 */
/** @typedef {{kind: "single" | "multiple" | "true_false", text: string, options: string[], correct: number[]}} QuizQuestionIn */
/** @typedef {{kind: "single" | "multiple" | "true_false", text: string, options: string[], correct: number[] | null}} QuizQuestion */
/**
 * @typedef {{id: string, kind: "poll" | "quiz", anonymous: boolean, started_at: string, deadline: string, time_limit_s: number,
 *   open: boolean, questions: QuizQuestion[], answered: {question: number, choice: number[]}[]}} QuizInfo
 */
/** @typedef {{identity: string, name: string, answered: number, correct: number, score: number}} QuizResult */
/**
 * A poll or quiz in class (docs/protocol.md, quiz_*).
 * @typedef {{type: "quiz", quiz: QuizInfo}
 *   | {type: "quiz_saved", quiz_id: string, question: number}
 *   | {type: "quiz_results", quiz_id: string, open: boolean, counts: number[][], results: QuizResult[]}
 *   | {type: "quiz_ended", quiz_id: string}
 *   | {type: "quiz_released", quiz_id: string, counts: number[][], result: QuizResult | null, correct: number[][]}} QuizNews
 */
/**
 * What the server tells about the running class (chat, hands, floor, reactions, blocks,
 * settings, the lobby), as it arrives.
 * @typedef {{type: "chat", line: ChatLine}
 *   | {type: "hands", hands: RaisedHand[]}
 *   | {type: "floor", holders: string[]}
 *   | {type: "reaction", participant_id: string, reaction: ReactionName}
 *   | {type: "blocked", participant_id: string, source: Source, blocked: boolean, may_resume: boolean}
 *   | {type: "settings", settings: ClassSettings}
 *   | {type: "lobby", waiting: WaitingPerson[], removed: RemovedPerson[]}
 *   | ({type: "checkin"} & CheckIn)
 *   | {type: "recording", recording: RecordingState}} ClassNews
 */
/** A trainee checked in from the room's PIN (docs/checkin.md). @typedef {{external_id: string, name: string, checked_in_at: string, checked_out_at: string | null}} CheckIn */
/** @typedef {{info: SubscribedTrack, track: MediaStreamTrack}} RemoteTrack */
/**
 * @typedef {"idle" | "connecting" | "waiting" | "joined" | "reconnecting" | "closed"} Status
 * @typedef {"network" | "server_restart" | "offline" | "media_failed" | "timeout" | string} DropReason
 * @typedef {{attempt: number, reason: DropReason | null, delayMs: number}} StatusDetail
 * @typedef {{kind: "left" | "ended" | "error", code: string | null}} Ending
 */
/**
 * @typedef {object} Timing
 * @property {number} joinTimeoutMs no `joined` in this time: try again
 * @property {number} answerTimeoutMs no answer to a publish offer in this time: start afresh
 * @property {number} pingIntervalMs keepalive
 * @property {number} silenceTimeoutMs nothing heard from the server in this time: the link is dead
 * @property {number} probeTimeoutMs after the browser reports a network change, a ping unanswered this long means the link is dead
 * @property {number} statsIntervalMs quality and speaking indicators
 * @property {Partial<BackoffOptions>} backoff
 */

/** @type {Timing} */
export const DEFAULT_TIMING = Object.freeze({
  joinTimeoutMs: 10_000,
  answerTimeoutMs: 15_000,
  pingIntervalMs: 10_000,
  silenceTimeoutMs: 25_000,
  probeTimeoutMs: 4_000,
  statsIntervalMs: 2_000,
  backoff: {},
});

/** The connection status as a state machine: which status may follow which. */
const TRANSITIONS = /** @type {Record<Status, Status[]>} */ ({
  idle: ["connecting", "closed"],
  connecting: ["waiting", "joined", "reconnecting", "closed"],
  waiting: ["joined", "reconnecting", "closed"],
  joined: ["reconnecting", "closed"],
  reconnecting: ["reconnecting", "waiting", "joined", "closed"],
  closed: [],
});

/** The server's keepalive timeout before `joined` tells it (docs/protocol.md: 45 s by default). */
const DEFAULT_KEEPALIVE_S = 45;

/** Fatal server errors that a fresh connection can cure; every other fatal error is final. */
const RETRYABLE = new Set(["keepalive_timeout", "internal", "too_large", "server_busy"]);

/**
 * One local track the page publishes. `trackId` is the id the server knows (the SDP msid);
 * after `replace` the sender carries a new track under the same id until the next rejoin.
 * A layered camera also sends `layers`: clones of the track, smaller (layers.js).
 * @typedef {{trackId: string, track: MediaStreamTrack, source: Source, muted: boolean, transceiver: RTCRtpTransceiver | null, announced: boolean, layered: boolean, layers: LayerTrack[]}} LocalTrack
 */
/**
 * A smaller copy of a published camera, declared with `layer_of` (docs/protocol.md, `publish`).
 * @typedef {{quality: import("./layers.js").Quality, track: MediaStreamTrack, trackId: string, transceiver: RTCRtpTransceiver | null}} LayerTrack
 */
/** @typedef {"good" | "fair" | "poor"} LinkQuality */
/** @typedef {"high" | "medium" | "low" | "paused"} LayerName */
/**
 * What the relay says of the link it sends us (docs/protocol.md, `link`).
 * @typedef {{quality: LinkQuality, reduced: boolean, estimate_kbps: number | null, tracks: {track_id: string, layer: LayerName}[]}} LinkInfo
 */
/**
 * The lecturer's view of every trainee's link (docs/protocol.md, `link_quality`).
 * @typedef {{id: string, quality: LinkQuality, layer: LayerName | null, estimate_kbps: number | null}} ParticipantLink
 */

/** One peer connection and the candidates it gathered before its description went out. */
class Leg {
  /** @param {Transport} transport @param {RTCConfiguration} configuration @param {(message: object) => void} send */
  constructor(transport, configuration, send) {
    this.transport = transport;
    this.pc = new RTCPeerConnection(configuration);
    /** @type {(object | null)[]} */
    this.pending = [];
    this.ready = false;
    this.pc.onicecandidate = (event) => {
      const c = event.candidate;
      const candidate = c && c.candidate ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : null;
      if (this.ready) send({ type: "candidate", transport, candidate });
      else this.pending.push(candidate);
    };
    this.flush = () => {
      this.ready = true;
      for (const candidate of this.pending.splice(0)) send({ type: "candidate", transport, candidate });
    };
  }

  close() {
    this.pc.onicecandidate = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }
}

export class ClassConnection {
  /**
   * @param {object} options
   * @param {string} options.url the WebSocket URL, `ws(s)://host/ws/{class_id}`
   * @param {string} options.token the join link's token
   * @param {string | null} options.name used when the token carries no name
   * @param {string} options.clientId stable per browser, so a reload replaces the stale seat
   * @param {Partial<Timing>} [options.timing]
   */
  constructor({ url, token, name, clientId, timing = {} }) {
    this.url = url;
    this.token = token;
    this.name = name;
    this.clientId = clientId;
    this.timing = { ...DEFAULT_TIMING, ...timing };
    this.backoff = new Backoff(this.timing.backoff);

    /** @type {(status: Status, detail: StatusDetail) => void} */
    this.onstatus = () => {};
    /** @type {(joined: Joined, rejoined: boolean) => void} */
    this.onjoined = () => {};
    /** @type {(participants: ParticipantInfo[]) => void} everyone else in the class */
    this.onroster = () => {};
    /** @type {(tracks: RemoteTrack[]) => void} what the server currently sends us */
    this.onremotetracks = () => {};
    /** @type {(error: ServerError) => void} */
    this.onerror = () => {};
    /** @type {(ending: Ending) => void} the connection is over for good */
    this.onclosed = () => {};
    /** @type {(sample: StatsSample) => void} */
    this.onstats = () => {};
    /** @type {(classInfo: ClassInfo) => void} in the lobby: the lecturer has not let us in yet */
    this.onwaiting = () => {};
    /** @type {(news: ClassNews) => void} chat, hands, floor, reactions, blocks, settings, lobby */
    this.onnews = () => {};
    /** @type {(news: QuizNews) => void} polls and quizzes */
    this.onquiz = () => {};
    /** @type {(link: LinkInfo) => void} the relay lowered (or restored) what it sends us */
    this.onlink = () => {};
    /** @type {(participants: ParticipantLink[]) => void} lecturers: each trainee's link */
    this.onlinkquality = () => {};

    /** @type {Status} */
    this.status = "idle";
    /** @type {Joined | null} */
    this.joined = null;
    this.roster = new Roster();
    /** @type {Map<Source, LocalTrack>} */
    this.local = new Map();
    this.receiveVideo = true;
    /** metered link: the lowest layer of every camera, slides only when they change */
    this.saveData = false;
    /** @type {Map<string, boolean>} layer track id → encoding, as the relay's last `layers` said */
    this.layerActive = new Map();
    /**
     * Every published track goes out in this one stream: the server matches `publish`
     * declarations to the SDP's msid track ids, and its WebRTC stack (aiortc) reads those only
     * for streams named in `a=msid-semantic: WMS`, where Chrome lists the streams of its first
     * offer only. (The server groups tracks into streams for subscribers itself.)
     */
    this.sendStream = new MediaStream();

    /** @type {WebSocket | null} */
    this.ws = null;
    /** @type {Leg | null} */
    this.publishLeg = null;
    /** @type {Leg | null} */
    this.subscribeLeg = null;
    /** @type {Map<string, SubscribedTrack>} by mid */
    this.subscribed = new Map();
    /** @type {Ending | null} set once the connection must not come back */
    this.ending = null;
    this.session = 0; // counts sockets: work for an old socket stops when it changes
    this.everJoined = false;
    this.lastHeard = 0;
    /** @type {{resolve: (sdp: string) => void, reject: (error: Error) => void} | null} */
    this.pendingAnswer = null;
    /** @type {Promise<void>} publish negotiations, one at a time */
    this.publishChain = Promise.resolve();
    /** @type {Promise<void>} subscribe offers, one at a time, in order */
    this.subscribeChain = Promise.resolve();
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
    /** the server's retry hint (`server_busy`): the next reconnect waits at least this long */
    this.retryHintMs = 0;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.pingTimer = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.statsTimer = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.joinTimer = null;
    /** @type {import("./quality.js").Counters | null} */
    this.lastCounters = null;
    /** @type {import("./quality.js").QualityLevel[]} the latest quality levels, newest last */
    this.recentLevels = [];
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.probeTimer = null;
    // The browser noticed a network change. Back online while waiting to reconnect: try now.
    // Either way, check the socket with a ping: a dead one is dropped in seconds, not at the
    // silence timeout (the browser's "offline" says nothing of a server on this very machine).
    this.onNetworkChange = () => {
      if (this.retryTimer !== null && globalThis.navigator?.onLine !== false) {
        clearTimeout(this.retryTimer);
        this.open();
      } else if (this.status === "joined") {
        this.probe();
      }
    };
  }

  // ---- public API ---------------------------------------------------------------------------

  /** Join the class (and keep rejoining after drops until left, ended or refused). */
  connect() {
    globalThis.addEventListener?.("online", this.onNetworkChange);
    globalThis.addEventListener?.("offline", this.onNetworkChange);
    this.setStatus("connecting", { attempt: 0, reason: null, delayMs: 0 });
    this.open();
  }

  /**
   * Publish tracks now, or at the next join if not joined yet.
   * `layered`: a camera sent as layers (the lecturer's, the room's, a trainee's holding the floor).
   * @param {{track: MediaStreamTrack, source: Source, muted?: boolean, layered?: boolean}[]} entries
   */
  publish(entries) {
    for (const entry of entries) {
      this.local.set(entry.source, {
        trackId: entry.track.id,
        track: entry.track,
        source: entry.source,
        muted: Boolean(entry.muted),
        transceiver: null,
        announced: false,
        layered: Boolean(entry.layered) && entry.track.kind === "video",
        layers: [],
      });
      entry.track.enabled = !entry.muted;
    }
    if (this.status === "joined") this.queuePublish(this.session, () => this.negotiatePublish(this.session));
  }

  /** Stop publishing a source (e.g. screen sharing ends). @param {Source} source */
  unpublish(source) {
    const entry = this.local.get(source);
    if (!entry) return;
    this.local.delete(source);
    entry.track.stop();
    for (const layer of entry.layers) layer.track.stop();
    if (this.status !== "joined" || !entry.transceiver) return;
    const session = this.session;
    this.queuePublish(session, async () => {
      // The server unpublishes the layers with their high track.
      if (entry.announced) this.send({ type: "unpublish", track_ids: [entry.trackId] });
      for (const t of [entry.transceiver, ...entry.layers.map((l) => l.transceiver)]) {
        if (t && this.publishLeg) this.publishLeg.pc.removeTrack(t.sender);
      }
      await this.negotiatePublish(session);
    });
  }

  /**
   * Send a camera as layers, or as one track again (a trainee given or losing the floor).
   * @param {Source} source @param {boolean} layered
   */
  setLayered(source, layered) {
    const entry = this.local.get(source);
    if (!entry || entry.track.kind !== "video" || entry.layered === layered) return;
    entry.layered = layered;
    if (this.status !== "joined" || !entry.transceiver) return;
    const session = this.session;
    this.queuePublish(session, async () => {
      if (!layered) {
        const gone = entry.layers.splice(0);
        if (entry.announced && gone.length) this.send({ type: "unpublish", track_ids: gone.map((l) => l.trackId) });
        for (const layer of gone) {
          layer.track.stop();
          if (layer.transceiver && this.publishLeg) this.publishLeg.pc.removeTrack(layer.transceiver.sender);
        }
      }
      await this.negotiatePublish(session);
    });
  }

  /**
   * Swap the device behind a published source (another camera; a replugged microphone).
   * @param {Source} source @param {MediaStreamTrack} track
   */
  async replaceTrack(source, track) {
    const entry = this.local.get(source);
    if (!entry) return;
    const old = entry.track;
    entry.track = track;
    track.enabled = !entry.muted;
    old.stop();
    if (entry.transceiver) await entry.transceiver.sender.replaceTrack(track);
    for (const layer of entry.layers) {
      const clone = track.clone();
      layer.track.stop();
      layer.track = clone;
      if (layer.transceiver) await layer.transceiver.sender.replaceTrack(clone);
    }
  }

  /** Mute or unmute a published source; the others' pages show it. @param {Source} source @param {boolean} muted */
  setMuted(source, muted) {
    const entry = this.local.get(source);
    if (!entry) return;
    entry.muted = muted;
    entry.track.enabled = !muted;
    for (const layer of entry.layers) layer.track.enabled = !muted; // the server mutes them with it
    if (entry.announced) this.send({ type: "mute", track_id: entry.trackId, muted });
  }

  /** Audio only (false) for weak links, or video again (true). @param {boolean} video */
  setReceiveVideo(video) {
    this.receiveVideo = video;
    this.sendReceive();
  }

  /** Save data (metered 4G): the smallest layers, slides only when they change. @param {boolean} on */
  setSaveData(on) {
    this.saveData = on;
    this.sendReceive();
  }

  sendReceive() {
    if (this.status === "joined") this.send({ type: "receive", video: this.receiveVideo, save_data: this.saveData });
  }

  /** How large each received video is shown (view_sizes.js). @param {import("./view_sizes.js").ViewSize[]} tracks */
  setView(tracks) {
    if (this.status === "joined") this.send({ type: "view", tracks });
  }

  /** Chat, hands, the floor, reactions, moderation, the lobby: the server enforces who may. @param {ClassRequest} request */
  request(request) {
    this.send(request);
  }

  /** Lecturer only: end the class for everyone. */
  endClass() {
    this.send({ type: "end_class" });
  }

  /** Leave for good. */
  leave() {
    this.ending = { kind: "left", code: null };
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.send({ type: "leave" });
    this.finish();
  }

  // ---- socket lifecycle --------------------------------------------------------------------

  open() {
    this.retryTimer = null;
    const session = ++this.session;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      /** @type {Record<string, unknown>} */
      const join = { type: "join", v: PROTOCOL_VERSION, token: this.token, client_id: this.clientId };
      if (this.name) join.name = this.name;
      this.send(join);
    };
    ws.onmessage = (event) => {
      if (session !== this.session) return;
      this.lastHeard = Date.now();
      if (this.probeTimer !== null) clearTimeout(this.probeTimer);
      this.probeTimer = null;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.dispatch(session, message);
    };
    ws.onclose = (event) => this.socketLost(session, dropReason(event));
    ws.onerror = () => {}; // always followed by close
    this.joinTimer = setTimeout(() => this.socketLost(session, "timeout"), this.timing.joinTimeoutMs);
  }

  /**
   * The socket is gone (closed, dead or replaced): drop its media and, unless the class is over
   * for us, come back after a backoff delay.
   * @param {number} session @param {DropReason} reason
   */
  socketLost(session, reason) {
    if (session !== this.session || this.status === "closed") return;
    this.session += 1;
    this.teardown();
    if (this.ending) {
      this.finish();
      return;
    }
    const delayMs = Math.max(this.backoff.next(), this.retryHintMs);
    this.retryHintMs = 0;
    this.setStatus("reconnecting", { attempt: this.backoff.attempt, reason, delayMs });
    this.retryTimer = setTimeout(() => this.open(), delayMs);
  }

  /** Close the socket and both peer connections; local tracks stay (they are republished). */
  teardown() {
    for (const timer of [this.pingTimer, this.statsTimer]) if (timer !== null) clearInterval(timer);
    for (const timer of [this.joinTimer, this.probeTimer]) if (timer !== null) clearTimeout(timer);
    this.pingTimer = this.statsTimer = this.joinTimer = this.probeTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState <= WebSocket.OPEN) ws.close(1000, "client closing");
    }
    this.pendingAnswer?.reject(new Error("connection lost"));
    this.pendingAnswer = null;
    for (const leg of [this.publishLeg, this.subscribeLeg]) leg?.close();
    this.publishLeg = this.subscribeLeg = null;
    this.subscribed.clear();
    for (const entry of this.local.values()) {
      entry.transceiver = null;
      entry.announced = false;
      for (const layer of entry.layers) layer.track.stop(); // the next session clones afresh
      entry.layers = [];
    }
    this.layerActive.clear();
    this.lastCounters = null;
    this.recentLevels = [];
    this.onremotetracks([]);
  }

  finish() {
    if (this.status === "closed") return;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.session += 1;
    this.teardown();
    globalThis.removeEventListener?.("online", this.onNetworkChange);
    globalThis.removeEventListener?.("offline", this.onNetworkChange);
    for (const entry of this.local.values()) entry.track.stop();
    this.setStatus("closed", { attempt: 0, reason: null, delayMs: 0 });
    this.onclosed(this.ending ?? { kind: "error", code: null });
  }

  /** Is the socket still alive? A ping must be answered within `probeTimeoutMs`. */
  probe() {
    if (this.probeTimer !== null) return;
    const session = this.session;
    const reason = globalThis.navigator?.onLine === false ? "offline" : "network";
    this.probeTimer = setTimeout(() => this.socketLost(session, reason), this.timing.probeTimeoutMs);
    this.send({ type: "ping", ts: Date.now() });
  }

  /** @param {Status} status @param {StatusDetail} detail */
  setStatus(status, detail) {
    if (!TRANSITIONS[this.status].includes(status)) {
      throw new Error(`connection status cannot go from ${this.status} to ${status}`);
    }
    this.status = status;
    this.onstatus(status, detail);
  }

  /** @param {object} message */
  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  // ---- server messages ---------------------------------------------------------------------

  /** @param {number} session @param {any} message */
  dispatch(session, message) {
    if (ROSTER_MESSAGES.has(message.type)) {
      if (this.roster.apply(message)) this.onroster(this.roster.list());
      return;
    }
    switch (message.type) {
      case "joined":
        return this.onJoinedMessage(session, message);
      case "waiting":
        return this.onWaitingMessage(session, message);
      case "chat":
      case "hands":
      case "floor":
      case "reaction":
      case "blocked":
      case "settings":
      case "lobby":
      case "checkin":
      case "recording":
        this.onnews(message);
        return;
      case "quiz":
      case "quiz_saved":
      case "quiz_results":
      case "quiz_ended":
      case "quiz_released":
        this.onquiz(message);
        return;
      case "offer":
        this.subscribeChain = this.subscribeChain
          .then(() => this.onServerOffer(session, message))
          .catch((error) => this.mediaFailed(session, error));
        return;
      case "answer":
        this.pendingAnswer?.resolve(message.sdp);
        this.pendingAnswer = null;
        return;
      case "candidate":
        return this.onServerCandidate(message);
      case "pong":
        return;
      case "error":
        return this.onErrorMessage(session, message);
      case "class_ended":
        this.ending = { kind: "ended", code: null };
        return;
      case "link":
        this.onlink(message);
        return;
      case "link_quality":
        this.onlinkquality(message.participants);
        return;
      case "layers":
        return this.onLayersMessage(session, message);
      default:
        console.warn("classbridge: unknown server message", message.type);
    }
  }

  /** In the lobby: no join timeout while the lecturer decides, but the keepalive runs. @param {number} session @param {{class: ClassInfo}} message */
  onWaitingMessage(session, message) {
    if (this.joinTimer !== null) clearTimeout(this.joinTimer);
    this.joinTimer = null;
    this.backoff.reset();
    if (this.status !== "waiting") this.setStatus("waiting", { attempt: 0, reason: null, delayMs: 0 });
    this.keepAlive(session, DEFAULT_KEEPALIVE_S);
    this.onwaiting(message.class);
  }

  /** Ping the server, and drop a socket it no longer answers. @param {number} session @param {number} keepaliveTimeoutS */
  keepAlive(session, keepaliveTimeoutS) {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    const keepalive = Math.min(this.timing.pingIntervalMs, (keepaliveTimeoutS * 1000) / 3);
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > this.timing.silenceTimeoutMs) {
        this.socketLost(session, "network");
        return;
      }
      this.send({ type: "ping", ts: Date.now() });
    }, keepalive);
  }

  /** @param {number} session @param {Joined} joined */
  onJoinedMessage(session, joined) {
    if (this.joinTimer !== null) clearTimeout(this.joinTimer);
    this.joinTimer = null;
    const rejoined = this.everJoined;
    this.everJoined = true;
    this.joined = joined;
    this.backoff.reset();
    this.roster.reset(joined.participants);
    this.setStatus("joined", { attempt: 0, reason: null, delayMs: 0 });
    this.onjoined(joined, rejoined);
    this.onroster(this.roster.list());
    if (!this.receiveVideo || this.saveData) this.sendReceive();
    if (this.local.size) this.queuePublish(session, () => this.negotiatePublish(session));
    this.keepAlive(session, joined.limits.keepalive_timeout_s);
    this.statsTimer = setInterval(() => void this.sampleStats(session), this.timing.statsIntervalMs);
  }

  /** @param {number} session @param {ServerError} error */
  onErrorMessage(session, error) {
    if (error.ref === "offer" && this.pendingAnswer) {
      this.pendingAnswer.reject(new Error(error.code));
      this.pendingAnswer = null;
    }
    this.onerror(error);
    if (error.fatal && typeof error.retry_after_s === "number" && error.retry_after_s > 0) {
      this.retryHintMs = Math.min(error.retry_after_s, 120) * 1000;
    }
    if (error.fatal && !RETRYABLE.has(error.code)) {
      this.ending = { kind: error.code === "class_ended" ? "ended" : "error", code: error.code };
    }
    if (error.fatal) this.socketLost(session, error.code);
  }

  // ---- publish connection: we offer --------------------------------------------------------

  /** @param {number} session @param {() => Promise<void>} work */
  queuePublish(session, work) {
    this.publishChain = this.publishChain
      .then(() => (session === this.session ? work() : undefined))
      .catch((error) => this.mediaFailed(session, error));
  }

  /** Bring the publish connection in line with `this.local`: add new tracks, offer, apply the answer. @param {number} session */
  async negotiatePublish(session) {
    if (session !== this.session || !this.joined) return;
    if (!this.publishLeg) this.publishLeg = this.newLeg(session, "publish");
    const leg = this.publishLeg;
    const fresh = [...this.local.values()].filter((entry) => !entry.transceiver);
    /** @type {{track_id: string, source: Source, layer_of?: string, quality?: string}[]} */
    const declared = [];
    for (const entry of fresh) {
      entry.trackId = entry.track.id; // the id the SDP's msid will carry
      entry.transceiver = leg.pc.addTransceiver(entry.track, {
        direction: "sendonly",
        streams: [this.sendStream],
        sendEncodings: [entry.layered ? layerEncoding(CAMERA_LAYERS[0]) : entry.source === "screen" ? { ...SCREEN_ENCODING } : {}],
      });
      declared.push({ track_id: entry.trackId, source: entry.source });
    }
    // Layers: the smaller copies of a layered camera (new, or the camera just became layered).
    for (const entry of this.local.values()) {
      if (!entry.layered || entry.layers.length || !entry.transceiver) continue;
      for (const encoding of CAMERA_LAYERS.slice(1)) {
        const track = entry.track.clone();
        track.enabled = !entry.muted;
        const transceiver = leg.pc.addTransceiver(track, {
          direction: "sendonly",
          streams: [this.sendStream],
          sendEncodings: [layerEncoding(encoding)],
        });
        const layer = { quality: encoding.quality, track, trackId: track.id, transceiver };
        entry.layers.push(layer);
        declared.push({ track_id: layer.trackId, source: entry.source, layer_of: entry.trackId, quality: encoding.quality });
      }
    }
    if (declared.length) this.send({ type: "publish", tracks: declared });
    const offer = await leg.pc.createOffer();
    await leg.pc.setLocalDescription(offer);
    if (session !== this.session) return;
    const answered = new Promise((resolve, reject) => {
      this.pendingAnswer = { resolve, reject };
      setTimeout(() => reject(new Error("no answer to the publish offer")), this.timing.answerTimeoutMs);
    });
    this.send({ type: "offer", transport: "publish", sdp: leg.pc.localDescription?.sdp });
    leg.flush();
    const sdp = /** @type {string} */ (await answered);
    if (session !== this.session) return;
    await leg.pc.setRemoteDescription({ type: "answer", sdp });
    for (const entry of fresh) {
      entry.announced = true;
      if (entry.muted) this.send({ type: "mute", track_id: entry.trackId, muted: true });
      // Slides: keep every pixel when the link is short (fewer frames, never blurred text).
      if (entry.source === "screen" && entry.transceiver) {
        await encodeWith(entry.transceiver.sender, {}, "maintain-resolution").catch(() => {});
      }
    }
    // The relay may have said which layers nobody receives before their senders existed.
    await this.applyLayerActivity();
  }

  /** Every layer sender encodes, or not, as the relay's last `layers` said. */
  async applyLayerActivity() {
    for (const entry of this.local.values()) {
      const senders = [{ id: entry.trackId, transceiver: entry.transceiver }, ...entry.layers.map((l) => ({ id: l.trackId, transceiver: l.transceiver }))];
      for (const { id, transceiver } of senders) {
        const active = this.layerActive.get(id);
        if (active === undefined || !transceiver) continue;
        // A refused change leaves that layer as it was: never worth restarting the session for.
        await setActive(transceiver.sender, active).catch((error) => console.warn("classbridge: layer not switched", error));
      }
    }
  }

  /**
   * The relay's `layers`: stop encoding a layer nobody receives (and start again when someone does).
   * @param {number} session @param {{tracks: {track_id: string, active: boolean}[]}} message
   */
  onLayersMessage(session, message) {
    for (const { track_id, active } of message.tracks) this.layerActive.set(track_id, active);
    this.queuePublish(session, () => this.applyLayerActivity());
  }

  // ---- subscribe connection: the server offers ---------------------------------------------

  /** @param {number} session @param {{sdp: string, tracks: SubscribedTrack[], fresh: boolean}} offer */
  async onServerOffer(session, offer) {
    if (session !== this.session) return;
    if (offer.fresh || !this.subscribeLeg) {
      this.subscribeLeg?.close();
      this.subscribeLeg = this.newLeg(session, "subscribe");
    }
    const leg = this.subscribeLeg;
    await leg.pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
    const answer = await leg.pc.createAnswer();
    await leg.pc.setLocalDescription(answer);
    if (session !== this.session) return;
    this.send({ type: "answer", transport: "subscribe", sdp: leg.pc.localDescription?.sdp });
    leg.flush();
    this.subscribed = new Map(offer.tracks.map((t) => [t.mid, t]));
    this.onremotetracks(this.remoteTracks());
  }

  /** The tracks the server currently forwards to us, with whose they are. @returns {RemoteTrack[]} */
  remoteTracks() {
    const pc = this.subscribeLeg?.pc;
    if (!pc) return [];
    /** @type {RemoteTrack[]} */
    const out = [];
    for (const transceiver of pc.getTransceivers()) {
      const info = transceiver.mid ? this.subscribed.get(transceiver.mid) : undefined;
      const receiving = transceiver.currentDirection === "recvonly" || transceiver.currentDirection === "sendrecv";
      if (info && receiving) out.push({ info, track: transceiver.receiver.track });
    }
    return out;
  }

  /** @param {{transport: Transport, candidate: RTCIceCandidateInit | null}} message */
  onServerCandidate(message) {
    const leg = message.transport === "publish" ? this.publishLeg : this.subscribeLeg;
    if (leg && message.candidate) leg.pc.addIceCandidate(message.candidate).catch(() => {});
  }

  /** A negotiation step failed: start the whole session afresh. @param {number} session @param {unknown} error */
  mediaFailed(session, error) {
    if (session !== this.session) return;
    console.warn("classbridge: media negotiation failed", error);
    this.socketLost(session, "media_failed");
  }

  /**
   * A peer connection for this session; when its media fails, the whole session starts afresh.
   * @param {number} session @param {Transport} transport
   */
  newLeg(session, transport) {
    const leg = new Leg(transport, this.configuration(), (m) => this.send(m));
    leg.pc.onconnectionstatechange = () => {
      if (leg.pc.connectionState === "failed") this.socketLost(session, "media_failed");
    };
    return leg;
  }

  /** @returns {RTCConfiguration} */
  configuration() {
    const servers = (this.joined?.ice_servers ?? []).map((s) => ({
      urls: s.urls,
      ...(s.username ? { username: s.username } : {}),
      ...(s.credential ? { credential: s.credential } : {}),
    }));
    return { iceServers: servers, bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" };
  }

  // ---- statistics --------------------------------------------------------------------------

  /** @param {number} session */
  async sampleStats(session) {
    const sample = await this.stats();
    if (session === this.session && sample) this.onstats(sample);
  }

  /**
   * Quality, speaking levels and receive counters from both connections.
   * @returns {Promise<StatsSample | null>}
   */
  async stats() {
    const legs = [this.subscribeLeg, this.publishLeg].filter((leg) => leg !== null);
    if (!legs.length) return null;
    const reports = await Promise.all(legs.map((leg) => leg.pc.getStats()));
    const sample = summarize(reports, (mid) => this.subscribed.get(mid)?.participant_id, this.lastCounters);
    this.lastCounters = sample.counters;
    this.recentLevels = [...this.recentLevels.slice(-1), sample.quality.level];
    return { ...sample, quality: { ...sample.quality, level: steadyLevel(this.recentLevels) } };
  }
}

/**
 * Why the socket closed, as the page should explain it.
 * @param {CloseEvent} event
 * @returns {DropReason}
 */
function dropReason(event) {
  if (event.code === 1001 || event.code === 1012 || event.reason.startsWith("server")) return "server_restart";
  if (globalThis.navigator?.onLine === false) return "offline";
  return "network";
}

/** @param {import("./layers.js").LayerEncoding} layer @returns {RTCRtpEncodingParameters} */
function layerEncoding(layer) {
  return {
    active: true,
    scaleResolutionDownBy: layer.scaleResolutionDownBy,
    maxBitrate: layer.maxBitrate,
    maxFramerate: layer.maxFramerate,
  };
}

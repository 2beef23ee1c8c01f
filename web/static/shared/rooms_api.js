// @ts-check
// The room API as both front ends speak it (the console, and the lecturer's room panel in the
// class page): REST calls and the /ws/rooms feed. No DOM access: UI modules register `on*`
// callbacks and call methods (see docs/rooms.md for the protocol).

/**
 * @typedef {{pan: number, tilt: number, zoom: number}} Position
 * @typedef {{pan_tilt: boolean, zoom: boolean, presets: number, absolute_position: boolean,
 *   home: boolean, power: boolean, inputs: string[], volume: boolean, mute: boolean,
 *   gain: boolean, gain_range_db: ?number[], channels: number}} Controls
 * @typedef {{name: string, kind: string, protocol: string, role: ?string, link: string,
 *   power: ?string, input: ?string, muted: ?boolean, volume: ?number, position: ?Position,
 *   gain_db: ?Object<string, number>, detail: string, polled_at: ?string, controls: Controls,
 *   desired: Object<string, {value: *, owner: string, owner_kind?: string, owner_name?: string}>}} DeviceView
 * @typedef {{index: number, do: string, args: Object<string, *>, label: string, state: string,
 *   detail: string, error?: string, started_at: ?string, seconds: ?number}} StepView
 * @typedef {{kind: string, name: string, class_id?: ?string}} Actor
 * @typedef {{id: string, scene: string, title: string, actor: Actor, state: string,
 *   started_at: string, finished_at: ?string, steps: StepView[]}} SceneRunView
 * @typedef {{name: string, title: string, lecturer: boolean, steps: string[]}} SceneInfo
 * @typedef {{name: string, title: string, camera: string, preset: ?number}} PositionInfo
 * @typedef {{name: string, title: string, devices: DeviceView[], scenes: SceneInfo[],
 *   positions: PositionInfo[], run: ?SceneRunView}} RoomView
 * @typedef {{at: string, room: string, actor: Actor, target: string, action: string,
 *   result: string, detail: string, event?: ?string, args?: ?Object<string, *>, error?: ?string,
 *   audited: boolean}} LogEntry
 * @typedef {{kind: string, name: string, room: ?string}} PrincipalInfo
 * @typedef {{type: "welcome", v: number, principal: PrincipalInfo, rooms: RoomView[],
 *   log: LogEntry[]}} Welcome
 * @typedef {{source: string, state: string, mode: ?string, reason: ?string, codec: ?string,
 *   profile: ?string, width: ?number, height: ?number, fps: ?number, bitrate_bps: ?number,
 *   reconnects: number, frames: number}} AgentVideo
 * @typedef {{room: string, online: boolean, seconds_since_report: number, version: string,
 *   state: string, detail: string, class_id: ?string, video: ?AgentVideo,
 *   audio: {capture_dbfs: number, playback_dbfs: number, error?: ?string}}} AgentView
 */

export const PROTOCOL_VERSION = 1;

/** An answer in the API's error shape: a stable `code` to translate, and a message. */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class RoomsApi {
  /** @param {string} token the admin token or a technician's (or lecturer's) link token */
  constructor(token, base = "") {
    this.token = token;
    this.base = base;
  }

  /** @param {string} method @param {string} path @param {*} [body] @returns {Promise<any>} */
  async request(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { Authorization: `Bearer ${this.token}` };
    /** @type {RequestInit} */
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.base + path, init);
    } catch {
      throw new ApiError(0, "network", "the server cannot be reached");
    }
    if (response.ok) {
      const type = response.headers.get("content-type") || "";
      return type.includes("json") ? response.json() : response.blob();
    }
    let error = { code: `http_${response.status}`, message: response.statusText };
    try {
      error = (await response.json()).error || error;
    } catch {
      // not our error shape (a proxy's page): keep the status
    }
    throw new ApiError(response.status, error.code, error.message);
  }

  /** @returns {Promise<RoomView[]>} */
  rooms() {
    return this.request("GET", "/api/rooms");
  }

  /**
   * What a lecturer may do to their class's room (`move`, `position`, `scene`...): the server's
   * own list, so no page keeps a copy of it.
   * @returns {Promise<Set<string>>}
   */
  async lecturerActions() {
    return new Set(/** @type {string[]} */ (await this.request("GET", "/api/lecturer-actions")));
  }

  /** @param {string} room @param {string} device @param {Object} command `{do: ..., ...}` */
  command(room, device, command) {
    return this.request("POST", `/api/rooms/${enc(room)}/devices/${enc(device)}/commands`, command);
  }

  /** @param {string} room @param {string} position */
  position(room, position) {
    return this.request("POST", `/api/rooms/${enc(room)}/positions/${enc(position)}`);
  }

  /** @param {string} room @param {string} scene @returns {Promise<SceneRunView>} */
  runScene(room, scene) {
    return this.request("POST", `/api/rooms/${enc(room)}/scenes/${enc(scene)}/runs`);
  }

  /** The room PC's agent, as it last reported (404 when none has). @param {string} room @returns {Promise<AgentView>} */
  agent(room) {
    return this.request("GET", `/api/rooms/${enc(room)}/agent`);
  }

  /** @param {{room?: string, limit?: number, format?: string}} query */
  audit(query = {}) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return this.request("GET", `/api/audit?${params}`);
  }
}

/** @param {string} text */
function enc(text) {
  return encodeURIComponent(text);
}

/** Codes after which reconnecting cannot help: the credential itself was refused. */
const FINAL = new Set(["auth_required", "auth_invalid", "token_expired", "forbidden", "class_ended", "unsupported_version"]);

/**
 * The live feed: hello, welcome, then device/scene/log events; reconnects with backoff and
 * gets a fresh welcome each time. Callbacks: onwelcome(Welcome), ondevice(room, DeviceView),
 * onscene(room, SceneRunView), onlog(LogEntry), onstatus("connecting"|"open"|"closed"),
 * onrefused(code, message).
 */
export class RoomFeed {
  /** @param {string} token @param {{url?: string, backoff?: number[]}} [options] */
  constructor(token, options = {}) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = options.url || `${scheme}//${location.host}/ws/rooms`;
    this.token = token;
    this.backoff = options.backoff || [500, 1000, 2000, 5000, 10000];
    this.attempt = 0;
    this.stopped = false;
    /** @type {?WebSocket} */
    this.ws = null;
    this.onwelcome = (/** @type {Welcome} */ _w) => {};
    this.ondevice = (/** @type {string} */ _room, /** @type {DeviceView} */ _d) => {};
    this.onscene = (/** @type {string} */ _room, /** @type {SceneRunView} */ _r) => {};
    this.onlog = (/** @type {LogEntry} */ _e) => {};
    this.onstatus = (/** @type {string} */ _s) => {};
    this.onrefused = (/** @type {string} */ _code, /** @type {string} */ _message) => {};
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close(1000);
  }

  connect() {
    this.onstatus("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let refused = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, token: this.token }));
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "welcome") {
        this.attempt = 0;
        this.onstatus("open");
        this.onwelcome(message);
      } else if (message.type === "device") this.ondevice(message.room, message.device);
      else if (message.type === "scene") this.onscene(message.room, message.run);
      else if (message.type === "log") this.onlog(message.entry);
      else if (message.type === "error" && FINAL.has(message.code)) {
        refused = true;
        this.onrefused(message.code, message.message);
      }
    };
    ws.onclose = () => {
      this.onstatus("closed");
      if (this.stopped || refused) return;
      const delay = this.backoff[Math.min(this.attempt, this.backoff.length - 1)];
      this.attempt += 1;
      setTimeout(() => this.connect(), delay);
    };
  }
}

// @ts-check
// What the console knows: the rooms (with devices and the last scene run) and the event log,
// kept current from the feed. No DOM: views subscribe and re-render what changed.

/** @typedef {import("../../../static/shared/rooms_api.js").RoomView} RoomView */
/** @typedef {import("../../../static/shared/rooms_api.js").DeviceView} DeviceView */
/** @typedef {import("../../../static/shared/rooms_api.js").SceneRunView} SceneRunView */
/** @typedef {import("../../../static/shared/rooms_api.js").LogEntry} LogEntry */
/** @typedef {import("../../../static/shared/rooms_api.js").Welcome} Welcome */
/** @typedef {{what: "rooms"|"device"|"scene"|"log", room?: string, device?: string}} Change */

export const LOG_LIMIT = 200;

export class ConsoleStore {
  constructor() {
    /** @type {Map<string, RoomView>} */
    this.rooms = new Map();
    /** @type {LogEntry[]} */
    this.log = [];
    /** @type {?import("../../../static/shared/rooms_api.js").PrincipalInfo} */
    this.principal = null;
    /** @type {Array<(change: Change) => void>} */
    this.listeners = [];
  }

  /** @param {(change: Change) => void} listener */
  subscribe(listener) {
    this.listeners.push(listener);
  }

  /** @param {Change} change */
  emit(change) {
    for (const listener of this.listeners) listener(change);
  }

  /** @param {Welcome} welcome */
  welcome(welcome) {
    this.principal = welcome.principal;
    this.rooms = new Map(welcome.rooms.map((room) => [room.name, room]));
    this.log = welcome.log.slice(-LOG_LIMIT);
    this.emit({ what: "rooms" });
    this.emit({ what: "log" });
  }

  /** @param {string} room @param {DeviceView} view */
  device(room, view) {
    const found = this.rooms.get(room);
    if (!found) return;
    const index = found.devices.findIndex((d) => d.name === view.name);
    if (index < 0) return;
    found.devices[index] = view;
    this.emit({ what: "device", room, device: view.name });
  }

  /** @param {string} room @param {SceneRunView} run */
  scene(room, run) {
    const found = this.rooms.get(room);
    if (!found) return;
    if (found.run && found.run.id !== run.id && run.state === "cancelled") return; // an older run
    found.run = run;
    this.emit({ what: "scene", room });
  }

  /** @param {LogEntry} entry */
  entry(entry) {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    this.emit({ what: "log", room: entry.room });
  }

  /** @param {string} room @param {string} device @returns {DeviceView | undefined} */
  findDevice(room, device) {
    return this.rooms.get(room)?.devices.find((d) => d.name === device);
  }
}

// @ts-check
/**
 * The room words both front ends show, built from the data the server sends instead of its
 * English sentences (docs/rooms.md, "The words of the log"): who acted, what a command or a
 * scene step does, an event or audit entry, a failure's code. The keys are the `room.*` ones
 * of /static/shared/i18n/ (loaded with each page's own, see i18n.js).
 *
 * Names of people, rooms, scenes, positions and devices are data: shown as the rooms file or
 * the link wrote them, and positions and scenes by their title, never by their id.
 */

import { has, t } from "./i18n.js";

/** @typedef {import("./rooms_api.js").RoomView} RoomView */
/** @typedef {import("./rooms_api.js").StepView} StepView */
/** @typedef {import("./rooms_api.js").Actor} Actor */
/** @typedef {import("./rooms_api.js").LogEntry} LogEntry */
/** @typedef {Record<string, string | number | boolean | null | undefined>} Args */

/** The words for a failure's code: its own, else the general one naming the code. @param {string} code */
export function errorText(code) {
  return has(`room.error.${code}`) ? t(`room.error.${code}`) : t("room.error.other", { code });
}

/**
 * A device as people call it: its role's word ("Máy chiếu"), else its name.
 * @param {RoomView | null | undefined} room @param {string} name
 */
export function deviceWord(room, name) {
  const device = room?.devices.find((d) => d.name === name);
  return device?.role && has(`room.role.${device.role}`) ? t(`room.role.${device.role}`) : name;
}

/** A position's title (its id when the room does not know it). @param {RoomView | null | undefined} room @param {string} name */
export function positionTitle(room, name) {
  return room?.positions.find((p) => p.name === name)?.title || name;
}

/** A scene's title. @param {RoomView | null | undefined} room @param {string} name */
export function sceneTitle(room, name) {
  return room?.scenes.find((s) => s.name === name)?.title || name;
}

/** A kept or drifted setting's value in words. @param {unknown} value */
export function valueText(value) {
  if (typeof value === "boolean") return t(value ? "room.yes" : "room.no");
  return String(value ?? "");
}

/** A number as the page's language writes it. @param {unknown} value */
function number(value) {
  return typeof value === "number" ? value.toLocaleString(document.documentElement.lang || "vi") : String(value ?? "");
}

/**
 * What a command or a scene step does, without naming its device.
 * @param {Args} args the command's fields, `do` included
 * @param {RoomView | null | undefined} room
 */
export function actionWords(args, room) {
  const what = String(args.do);
  if (what === "power") return t(args.power ? "room.do.power_on" : "room.do.power_off");
  if (what === "mute") {
    const key = `room.do.${args.muted ? "mute_on" : "mute_off"}${args.channel ? "_channel" : ""}`;
    return t(key, { channel: number(args.channel) });
  }
  if (what === "zoom") return t(args.speed ? "room.do.zoom" : "room.do.zoom_stop");
  if (what === "position") return t("room.do.position", { position: positionTitle(room, String(args.position)) });
  if (!has(`room.do.${what}`)) return t("room.do.other");
  /** @type {Record<string, string>} */
  const params = {};
  for (const [name, value] of Object.entries(args)) params[name] = typeof value === "number" ? number(value) : String(value ?? "");
  return t(`room.do.${what}`, params);
}

/** A scene step: "Máy chiếu: bật nguồn". @param {StepView} step @param {RoomView | null | undefined} room */
export function stepLabel(step, room) {
  /** @type {Args} */
  const args = { ...(step.args || {}), do: step.do };
  const words = actionWords(args, room);
  return args.device ? `${deviceWord(room, String(args.device))}: ${words}` : words;
}

/**
 * Who acted: the kind's word, then the person's name. The admin and the supervision have no
 * name worth showing; the schedule, and a lecturer's link that names no person, name the
 * class they acted for.
 * @param {Actor} actor
 */
export function actorText(actor) {
  if ((actor.kind === "schedule" || actor.kind === "lecturer") && !actor.name && actor.class_id) {
    return t(`room.actor.${actor.kind}_class`, { name: actor.class_id });
  }
  const word = has(`room.actor.${actor.kind}`) ? t(`room.actor.${actor.kind}`) : actor.kind;
  return actor.kind === "admin" || actor.kind === "controller" || !actor.name ? word : `${word} ${actor.name}`;
}

/** Who keeps a setting: a scene (by its title) or a person. @param {string} kind @param {string} name */
export function ownerText(kind, name) {
  return kind === "scene" ? t("room.owner.scene", { name }) : actorText({ kind, name });
}

/**
 * An event or audit entry in words: its target as people call it, what happened, and why
 * it failed. `words` is false for entries from before the server sent them as data (old audit
 * rows): their English text is then shown as it was written.
 * @param {{target: string, action: string, event?: ?string, args?: ?Args, error?: ?string}} entry
 * @param {RoomView | null | undefined} room
 */
export function entryWords(entry, room) {
  const args = entry.args || {};
  const error = entry.error ? errorText(entry.error) : "";
  switch (entry.event) {
    case "command":
      return { words: true, target: deviceWord(room, entry.target), action: actionWords(args, room), error };
    case "position":
      return { words: true, target: positionTitle(room, entry.target), action: actionWords({ do: "position", ...args }, room), error };
    case "scene":
      return { words: true, target: sceneTitle(room, entry.target), action: t("room.event.scene", { ok: number(args.ok), total: number(args.total) }), error };
    case "link":
      return { words: true, target: deviceWord(room, entry.target), action: t("room.event.link", { state: { key: `room.link.${args.state}` } }), error };
    case "reapply": {
      const was = typeof args.was === "boolean" ? actionWords({ do: "mute", muted: args.was }, room) : valueText(args.was);
      const owner = ownerText(String(args.owner_kind), String(args.owner_name ?? ""));
      return { words: true, target: deviceWord(room, entry.target), action: t("room.event.reapply", { what: actionWords(args, room), was, owner }), error };
    }
    case "lecture_deleted": // the e-lecture library (docs/recording.md): by a person, or the course's retention
      return {
        words: true,
        target: String(args.title ?? entry.target),
        action: args.reason === "retention" ? t("room.event.lecture_expired", { days: number(args.days) }) : t("room.event.lecture_deleted"),
        error,
      };
    case "lecture_uploaded":
      return { words: true, target: String(args.title ?? entry.target), action: t("room.event.lecture_uploaded"), error };
    default:
      return { words: false, target: entry.target, action: entry.action, error };
  }
}

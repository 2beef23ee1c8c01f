// @ts-check
// The room PC's agent (classbridge room-agent) as a device of the room: online or not, its
// version and state, the room camera's stream (passthrough or re-encoded, and why), and the
// levels of the ceiling microphones and the speakers. Read from the server every few seconds.

import { el, replace } from "../../../../static/shared/dom.js";
import { t } from "../../../../static/shared/i18n.js";

/** @typedef {import("../../../../static/shared/rooms_api.js").RoomsApi} RoomsApi */
/** @typedef {import("../../../../static/shared/rooms_api.js").AgentView} AgentView */

const REFRESH_MS = 5000;

/** @param {number | null | undefined} bps */
function bitrate(bps) {
  if (!bps) return "–";
  return bps >= 1e6 ? `${(bps / 1e6).toFixed(1)} Mbit/s` : `${Math.round(bps / 1e3)} kbit/s`;
}

/** @param {number} dbfs */
function level(dbfs) {
  return dbfs <= -100 ? t("agent.silent") : `${dbfs.toFixed(0)} dBFS`;
}

/** @param {AgentView | null} view */
function facts(view) {
  if (!view) return [el("p", { className: "detail", attrs: { "data-field": "agent-none" } }, t("agent.none"))];
  /** @type {[string, string, string, boolean?][]} field, label, value, whether the value is data (as the agent or a device said it) */
  const rows = [
    ["state", t("agent.state"), t(`agent.state.${view.state}`)],
    ["version", t("agent.version"), view.version, true],
  ];
  const video = view.video;
  if (video) {
    const mode = video.state !== "live" ? t(`agent.video.${video.state}`)
      : video.mode === "passthrough" ? t("agent.passthrough")
      : t("agent.reencoded");
    rows.push(["video", t("agent.video"), mode]);
    if (video.state === "live" && video.mode !== "passthrough" && video.reason) rows.push(["reason", t("agent.reason"), video.reason, true]);
    if (video.width && video.height) rows.push(["resolution", t("agent.resolution"), `${video.width}×${video.height}`]);
    if (video.profile) rows.push(["profile", t("agent.profile"), `${video.codec || ""} ${video.profile}`.trim(), true]);
    if (video.fps !== null && video.fps !== undefined) rows.push(["fps", t("agent.fps"), String(video.fps)]);
    rows.push(["bitrate", t("agent.bitrate"), bitrate(video.bitrate_bps)]);
    rows.push(["reconnects", t("agent.reconnects"), String(video.reconnects)]);
  }
  rows.push(["capture", t("agent.capture"), level(view.audio.capture_dbfs)]);
  rows.push(["playback", t("agent.playback"), level(view.audio.playback_dbfs)]);
  // The device's own words (PortAudio's, English): data, as a device's detail is.
  if (view.audio.error) rows.push(["audio-error", t("agent.audio_error"), view.audio.error, true]);
  return [el("dl", { className: "facts" }, ...rows.flatMap(([key, label, value, data]) => [
    el("dt", {}, label),
    data ? el("dd", { text: value, attrs: { "data-field": key } }) : el("dd", { attrs: { "data-field": key } }, value),
  ]))];
}

/** @param {RoomsApi} api @param {string} room */
export function agentCard(api, room) {
  const badge = el("span", { className: "badge", attrs: { "data-field": "link" } });
  const body = el("div", {});
  const element = el(
    "article",
    { className: "device agent", attrs: { "data-device": "room-agent", "data-kind": "agent" } },
    el("header", {}, el("h3", {}, t("agent.title")), el("span", { className: "protocol", text: "classbridge room-agent" })),
    el("div", { className: "badges" }, badge),
    body,
  );
  /** @param {AgentView | null} view */
  const show = (view) => {
    const link = view?.online ? "online" : "offline";
    element.setAttribute("data-link", link);
    badge.className = `badge link-${link}`;
    badge.textContent = t(view?.online ? "agent.online" : "agent.offline");
    replace(body, ...facts(view));
  };
  let timer = 0;
  let stopped = false;
  const refresh = async () => {
    try {
      show(await api.agent(room));
    } catch {
      show(null); // 404: no agent has reported for this room (or the server is away)
    }
    if (!stopped) timer = window.setTimeout(refresh, REFRESH_MS);
  };
  void refresh();
  return {
    element,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

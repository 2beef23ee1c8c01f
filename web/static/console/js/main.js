// The technician console: sign in (technician link or admin token), then every room the
// credential may see, live. Wiring only: the protocol is api.js, the state store.js, the
// rendering ui/*.js, the words i18n.js.

import { ApiError, RoomFeed, RoomsApi } from "./api.js";
import * as i18n from "./i18n.js";
import { ConsoleStore } from "./store.js";
import * as tokens from "./token.js";
import { auditPanel } from "./ui/audit.js";
import { el, replace } from "./ui/dom.js";
import { roomView } from "./ui/room_view.js";

const { t } = i18n;
const LECTURER_ACTIONS = new Set(["move", "stop", "zoom", "home", "preset_recall", "position", "mute"]);

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const status = /** @type {HTMLElement} */ (document.getElementById("connection"));
const who = /** @type {HTMLElement} */ (document.getElementById("who"));
const notice = /** @type {HTMLElement} */ (document.getElementById("notice"));

/** @type {{api: RoomsApi, feed: RoomFeed, store: ConsoleStore, selected: ?string,
 *   view: ?ReturnType<typeof roomView>, audit?: ?ReturnType<typeof auditPanel>} | null} */
let session = null;

/** @param {*} error */
function report(error) {
  const code = error instanceof ApiError ? error.code : "unexpected";
  const text = i18n.tOr(`error.${code}`, t("error.other", { code }));
  notice.replaceChildren(el("strong", { text }), el("span", { text: error.message || "" }));
  notice.setAttribute("data-code", code);
  notice.hidden = false;
  clearTimeout(Number(notice.dataset.timer));
  notice.dataset.timer = String(setTimeout(() => (notice.hidden = true), 8000));
}

/** @param {string} [message] */
function signIn(message) {
  session?.feed.stop();
  session = null;
  status.textContent = "";
  who.textContent = "";
  const input = el("input", { type: "password", name: "token", autocomplete: "off", required: true, "aria-label": t("login.token") });
  const form = el(
    "form",
    {
      class: "login",
      onsubmit: (/** @type {Event} */ event) => {
        event.preventDefault();
        tokens.remember(input.value.trim());
        start(input.value.trim());
      },
    },
    el("h2", { text: t("login.title") }),
    message ? el("p", { class: "refused", text: message }) : null,
    el("p", { text: t("login.help") }),
    el("label", {}, t("login.token"), input),
    el("button", { type: "submit" }, t("login.open")),
  );
  replace(main, form);
}

/** @param {string} token */
function start(token) {
  const api = new RoomsApi(token);
  const store = new ConsoleStore();
  const feed = new RoomFeed(token);
  session = { api, feed, store, selected: null, view: null, audit: null };
  feed.onwelcome = (welcome) => store.welcome(welcome);
  feed.ondevice = (room, device) => store.device(room, device);
  feed.onscene = (room, run) => store.scene(room, run);
  feed.onlog = (entry) => store.entry(entry);
  feed.onstatus = (state) => {
    status.textContent = t(`connection.${state}`);
    status.setAttribute("data-state", state);
  };
  feed.onrefused = (code) => {
    tokens.forget();
    signIn(i18n.tOr(`error.${code}`, t("error.other", { code })));
  };
  store.subscribe((change) => {
    if (!session) return;
    if (change.what === "rooms") render();
    else if (change.room && change.room !== session.selected) return;
    else if (change.what === "device" && change.device) session.view?.device(/** @type {*} */ (store.findDevice(change.room || "", change.device)));
    else if (change.what === "scene") session.view?.scene(store.rooms.get(session.selected || "")?.run || null);
    else if (change.what === "log") {
      session.view?.log(store.log);
      const last = store.log[store.log.length - 1];
      if (change.room && last?.audited) reloadAudit();
    }
  });
  feed.start();
}

function render() {
  if (!session) return;
  const { store, api } = session;
  const principal = store.principal;
  if (!principal) return;
  const staff = principal.kind === "admin" || principal.kind === "technician";
  who.textContent = `${t(`actor.${principal.kind}`)} ${principal.kind === "admin" ? "" : principal.name}`.trim();
  const names = [...store.rooms.keys()];
  if (!session.selected || !store.rooms.has(session.selected)) session.selected = names[0] || null;
  const tabs = el(
    "nav",
    { class: "rooms", "aria-label": t("room.list") },
    ...names.map((name) =>
      el(
        "button",
        { type: "button", "data-room-tab": name, "aria-current": name === session?.selected ? "page" : undefined, onclick: () => select(name) },
        store.rooms.get(name)?.title || name,
      ),
    ),
  );
  const room = session.selected ? store.rooms.get(session.selected) : null;
  if (!room) {
    replace(main, tabs, el("p", { text: t("room.none") }));
    return;
  }
  const selected = room.name;
  const view = roomView(room, {
    send: (device, command) =>
      api.command(selected, device, command).catch((error) => report(error)),
    runScene: (scene) => api.runScene(selected, scene).catch((error) => report(error)),
    position: (name) => api.position(selected, name).catch((error) => report(error)),
    canChange: (what) => staff || LECTURER_ACTIONS.has(what),
    mayRun: (lecturer) => staff || lecturer,
  });
  session.view = view;
  view.log(store.log);
  const audit = staff ? auditPanel(api, report) : null;
  session.audit = audit;
  replace(main, names.length > 1 ? tabs : null, view.element, audit ? audit.element : null);
  audit?.load();
}

let auditTimer = 0;

/** New acts were logged: reload the audit table once things settle. */
function reloadAudit() {
  clearTimeout(auditTimer);
  auditTimer = setTimeout(() => session?.audit?.load(), 1000);
}

/** @param {string} name */
function select(name) {
  if (!session) return;
  session.selected = name;
  render();
}

async function boot() {
  await i18n.load(i18n.preferred());
  i18n.apply(document);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", async () => {
      await i18n.load(button.getAttribute("data-lang") || "vi");
      i18n.apply(document);
      const state = status.getAttribute("data-state");
      if (state) status.textContent = t(`connection.${state}`);
      if (session) render();
      else signIn();
    });
  }
  document.getElementById("sign-out")?.addEventListener("click", () => {
    tokens.forget();
    signIn();
  });
  const token = tokens.current();
  if (token) start(token);
  else signIn();
}

boot();

// @ts-check
// The technician console: sign in (technician link or admin token), then every room the
// credential may see, live. Wiring only: the state is store.js, the rendering ui/*.js; the
// protocol, the words, the tokens and the element builder are the toolkit both front ends
// share (web/static/shared/, served at /static/shared/: this file is served at
// /console/static/js/, so three levels up is the server's root, as web/ is on disk).

import { el, replace } from "../../../static/shared/dom.js";
import * as i18n from "../../../static/shared/i18n.js";
import { ApiError, RoomFeed, RoomsApi } from "../../../static/shared/rooms_api.js";
import { actorText, errorText } from "../../../static/shared/room_words.js";
import { consoleCredential, forgetCredential, rememberCredential } from "../../../static/shared/token.js";
import { ConsoleStore } from "./store.js";
import { auditPanel } from "./ui/audit.js";
import { roomView } from "./ui/room_view.js";

const { t } = i18n;

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const status = /** @type {HTMLElement} */ (document.getElementById("connection"));
const who = /** @type {HTMLElement} */ (document.getElementById("who"));
const notice = /** @type {HTMLElement} */ (document.getElementById("notice"));

/** @type {{api: RoomsApi, feed: RoomFeed, store: ConsoleStore, selected: ?string,
 *   view: ?ReturnType<typeof roomView>, audit?: ?ReturnType<typeof auditPanel>,
 *   lecturerActions: Promise<Set<string>>} | null} */
let session = null;

/** @param {unknown} error */
function report(error) {
  const code = error instanceof ApiError ? error.code : "unexpected";
  // The server's English message stays for the tooltip; the words are the page's.
  notice.replaceChildren(el("strong", {}, errorText(code)));
  notice.title = error instanceof Error ? error.message : "";
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
  const input = el("input", { attrs: { type: "password", name: "token", autocomplete: "off", required: true, "aria-label": t("login.token") } });
  const form = el(
    "form",
    {
      className: "login",
      on: {
        submit: (event) => {
          event.preventDefault();
          rememberCredential(input.value.trim());
          start(input.value.trim());
        },
      },
    },
    el("h2", {}, t("login.title")),
    message ? el("p", { className: "refused" }, message) : null,
    el("p", {}, t("login.help")),
    el("label", {}, t("login.token"), input),
    el("button", { attrs: { type: "submit" } }, t("login.open")),
  );
  replace(main, form);
}

/** @param {string} token */
function start(token) {
  const api = new RoomsApi(token);
  const store = new ConsoleStore();
  const feed = new RoomFeed(token);
  // What a lecturer signed in here may do: the server's list (asked once, before the feed).
  const lecturerActions = api.lecturerActions().catch(() => /** @type {Set<string>} */ (new Set()));
  session = { api, feed, store, selected: null, view: null, audit: null, lecturerActions };
  feed.onwelcome = (welcome) => store.welcome(welcome);
  feed.ondevice = (room, device) => store.device(room, device);
  feed.onscene = (room, run) => store.scene(room, run);
  feed.onlog = (entry) => store.entry(entry);
  feed.onstatus = (state) => {
    status.textContent = t(`connection.${state}`);
    status.setAttribute("data-state", state);
  };
  feed.onrefused = (code) => {
    forgetCredential();
    signIn(errorText(code));
  };
  store.subscribe((change) => {
    if (!session) return;
    if (change.what === "rooms") void render();
    else if (change.room && change.room !== session.selected) return;
    else if (change.what === "device" && change.device) {
      const view = store.findDevice(change.room || "", change.device);
      if (view) session.view?.device(view);
    }
    else if (change.what === "scene") session.view?.scene(store.rooms.get(session.selected || "")?.run || null);
    else if (change.what === "log") {
      session.view?.log(store.log);
      const last = store.log[store.log.length - 1];
      if (change.room && last?.audited) reloadAudit();
    }
  });
  feed.start();
}

async function render() {
  if (!session) return;
  const current = session;
  const lecturerActions = await current.lecturerActions;
  if (session !== current) return;
  const { store, api } = current;
  const principal = store.principal;
  if (!principal) return;
  const staff = principal.kind === "admin" || principal.kind === "technician";
  who.textContent = actorText(principal);
  const names = [...store.rooms.keys()];
  if (!current.selected || !store.rooms.has(current.selected)) current.selected = names[0] || null;
  const tabs = el(
    "nav",
    { className: "rooms", attrs: { "aria-label": t("room.list") } },
    ...names.map((name) =>
      el(
        "button",
        {
          attrs: { type: "button", "data-room-tab": name, "aria-current": name === current.selected ? "page" : undefined },
          on: { click: () => select(name) },
        },
        el("span", { text: store.rooms.get(name)?.title || name }),
      ),
    ),
  );
  const room = current.selected ? store.rooms.get(current.selected) : null;
  if (!room) {
    replace(main, tabs, el("p", {}, t("room.none")));
    return;
  }
  const selected = room.name;
  current.view?.stop();
  const view = roomView(room, {
    agent: staff ? api : undefined,
    send: (device, command) =>
      api.command(selected, device, command).catch((error) => report(error)),
    runScene: (scene) => api.runScene(selected, scene).catch((error) => report(error)),
    position: (name) => api.position(selected, name).catch((error) => report(error)),
    canChange: (what) => staff || lecturerActions.has(what),
    mayRun: (lecturer) => staff || (lecturer && lecturerActions.has("scene")),
  });
  current.view = view;
  view.log(store.log);
  const audit = staff ? auditPanel(api, report, (name) => store.rooms.get(name)) : null;
  current.audit = audit;
  replace(main, names.length > 1 ? tabs : null, view.element, audit ? audit.element : null);
  audit?.load();
}

let auditTimer = 0;

/** New acts were logged: reload the audit table once things settle. */
function reloadAudit() {
  clearTimeout(auditTimer);
  auditTimer = window.setTimeout(() => session?.audit?.load(), 1000);
}

/** @param {string} name */
function select(name) {
  if (!session) return;
  session.selected = name;
  void render();
}

/** localStorage, or null where the browser refuses it (the language is then not remembered). */
function languageStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

async function boot() {
  const storage = languageStorage();
  i18n.translationsAt("/console/static/i18n");
  await i18n.loadLanguage(i18n.chooseLanguage(location.search, storage));
  i18n.translateTree(document);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", async () => {
      const chosen = button.getAttribute("data-lang");
      await i18n.loadLanguage(chosen === "en" ? "en" : "vi", storage);
      i18n.translateTree(document);
      const state = status.getAttribute("data-state");
      if (state) status.textContent = t(`connection.${state}`);
      if (session) void render();
      else signIn();
    });
  }
  document.getElementById("sign-out")?.addEventListener("click", () => {
    forgetCredential();
    signIn();
  });
  const token = consoleCredential();
  if (token) start(token);
  else signIn();
}

boot();

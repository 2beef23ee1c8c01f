// @ts-check
/**
 * The lecturer's panel for running the class: the raised hands in order with how long each has
 * waited, everyone in the class (observers included, as observers) with what the lecturer may
 * do to each, the lobby (Admit / Refuse), the people removed (let back in) and the class's
 * settings. Rendering only: what the lecturer presses goes to `onrequest`; the server decides.
 */

import { el } from "../../shared/dom.js";
import { bind, formatClock } from "../../shared/i18n.js";
import { waited } from "../class_state.js";

/** @typedef {import("../protocol.js").ParticipantInfo} ParticipantInfo */
/** @typedef {import("../protocol.js").ClassRequest} ClassRequest */
/** @typedef {import("../protocol.js").ClassSettings} ClassSettings */
/** @typedef {import("../class_state.js").ClassState} ClassState */
/** @typedef {import("../protocol.js").ParticipantLink} ParticipantLink */

/** The class's settings the lecturer switches here, with their labels. */
const SETTINGS = /** @type {[keyof ClassSettings, string][]} */ ([
  ["locked", "mod.lock"],
  ["lobby", "mod.lobby"],
  ["auto_admit_personal", "mod.auto_admit"],
  ["floor_screen_share", "mod.floor_share"],
]);

/** hh:mm of a time, in the page's language. @param {string} iso */
const clockOf = (iso) => formatClock(iso).slice(0, 5);

export class PeoplePanel {
  constructor() {
    /** @type {(request: ClassRequest) => void} */
    this.onrequest = () => {};
    /** @type {(participant: ParticipantInfo) => void} asks to confirm first */
    this.onremove = () => {};
    /** @type {() => void} */
    this.onclose = () => {};
    this.hands = el("ol", { className: "hand-queue", attrs: { "aria-labelledby": "hands-heading" } });
    this.handsEmpty = el("p", { className: "hint", i18n: "hands.empty" });
    this.handsSection = el(
      "section",
      { className: "panel panel-hands", attrs: { "aria-labelledby": "hands-heading" } },
      el("h2", { i18n: "hands.heading", attrs: { id: "hands-heading" } }),
      this.hands,
      this.handsEmpty,
    );
    this.mayUnmute = el("input", { attrs: { id: "may-unmute", type: "checkbox", checked: true } });
    this.people = el("ul", { className: "people-list present-list" });
    this.waiting = el("ul", { className: "people-list lobby-list" });
    this.removed = el("ul", { className: "people-list removed-list" });
    this.waitingSection = el("div", { className: "lobby-waiting", attrs: { hidden: "" } }, el("h3", { i18n: "lobby.heading" }), this.waiting);
    this.checkins = el("ul", { className: "people-list checkin-list" });
    this.checkinSection = el(
      "div",
      { className: "room-checkins", attrs: { hidden: "" } },
      (this.checkinHeading = el("h3", { i18n: "people.checkins_heading", args: { count: 0 } })),
      this.checkins,
    );
    this.removedSection = el("div", { className: "lobby-removed", attrs: { hidden: "" } }, el("h3", { i18n: "lobby.removed_heading" }), this.removed);
    /** @type {Map<keyof ClassSettings, HTMLInputElement>} */
    this.switches = new Map();
    const settings = el("fieldset", { className: "class-settings" }, el("legend", { i18n: "mod.settings_heading" }));
    for (const [name, key] of SETTINGS) {
      const input = el("input", { attrs: { type: "checkbox" }, data: { setting: name } });
      input.addEventListener("change", () => this.onrequest({ type: "settings", [name]: input.checked }));
      this.switches.set(name, input);
      settings.append(el("label", { className: "switch" }, input, el("span", { i18n: key })));
    }
    const muteAll = el("button", { className: "btn btn-small", i18n: "mod.mute_all", attrs: { type: "button" }, data: { action: "mute_all" } });
    muteAll.addEventListener("click", () =>
      this.onrequest({ type: "block", participant_id: null, source: "microphone", may_resume: this.mayUnmute.checked }),
    );
    const close = el("button", { className: "btn btn-small panel-close", i18n: "people.close", attrs: { type: "button" } });
    close.addEventListener("click", () => this.onclose());
    this.peopleSection = el(
      "section",
      { className: "panel panel-people", attrs: { "aria-labelledby": "people-heading", hidden: "" } },
      el("div", { className: "panel-head" }, el("h2", { i18n: "people.heading", attrs: { id: "people-heading" } }), close),
      this.waitingSection,
      el("div", { className: "people-tools" }, muteAll, el("label", { className: "switch" }, this.mayUnmute, el("span", { i18n: "mod.may_unmute" }))),
      this.people,
      this.checkinSection,
      this.removedSection,
      settings,
    );
    this.renderedKey = "";
    /** @type {ReturnType<typeof setInterval>} the waited times tick */
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  get open() {
    return !this.peopleSection.hidden;
  }

  /** @param {boolean} open */
  setOpen(open) {
    this.peopleSection.hidden = !open;
  }

  /** Update how long each raised hand has waited. */
  tick() {
    const now = Date.now();
    for (const node of this.hands.querySelectorAll("[data-since]")) {
      const item = /** @type {HTMLElement} */ (node);
      bind(item, "hands.waited", { time: waited(item.dataset.since ?? "", now) });
    }
  }

  /**
   * @param {ParticipantInfo[]} participants everyone else @param {ClassState} state
   * @param {Map<string, ParticipantLink>} [links] each trainee's link, as the relay last told (`link_quality`)
   */
  render(participants, state, links = new Map()) {
    // Rebuild only on change: a button must not be replaced under the lecturer's pointer.
    const key = JSON.stringify([participants.map((p) => [p.id, p.name, p.role, links.get(p.id) ?? null]), state.hands, state.floor, state.blocks, state.lobby, state.settings, state.checkins, this.open]);
    if (key === this.renderedKey) return;
    this.renderedKey = key;
    const byId = new Map(participants.map((p) => [p.id, p]));
    const now = Date.now();
    this.hands.replaceChildren(
      ...state.hands.flatMap((hand, index) => {
        const p = byId.get(hand.participant_id);
        if (!p) return [];
        return [
          el(
            "li",
            { className: "hand-item", data: { participant: p.id } },
            el("span", { className: "hand-position", text: `${index + 1}.` }),
            el("span", { className: "person-name", text: p.name }),
            el("span", { className: "hint hand-waited", i18n: "hands.waited", args: { time: waited(hand.raised_at, now) }, data: { since: hand.raised_at } }),
            el(
              "span",
              { className: "row-actions" },
              this.action("floor.give", "give_floor", () => this.onrequest({ type: "floor", participant_id: p.id, give: true })),
              this.action("toolbar.lower_hand", "lower_hand", () => this.onrequest({ type: "hand", raised: false, participant_id: p.id })),
            ),
          ),
        ];
      }),
    );
    this.handsEmpty.hidden = state.hands.length > 0;
    this.handsSection.hidden = state.hands.length === 0 && !this.open;

    const order = { lecturer: 0, room: 1, trainee: 2, observer: 3 };
    const sorted = [...participants].sort((a, b) => order[/** @type {keyof typeof order} */ (a.role)] - order[/** @type {keyof typeof order} */ (b.role)] || a.name.localeCompare(b.name));
    this.people.replaceChildren(...sorted.map((p) => this.person(p, state, links.get(p.id))));

    this.waiting.replaceChildren(
      ...state.lobby.waiting.map((w) =>
        el(
          "li",
          { className: "person", data: { seat: w.seat_id } },
          el("span", { className: "person-name", text: w.name }),
          el(
            "span",
            { className: "row-actions" },
            this.action("lobby.admit", "admit", () => this.onrequest({ type: "admit", seat_id: w.seat_id, admit: true }), "btn-primary"),
            this.action("lobby.refuse", "refuse", () => this.onrequest({ type: "admit", seat_id: w.seat_id, admit: false })),
          ),
        ),
      ),
    );
    this.waitingSection.hidden = state.lobby.waiting.length === 0;
    this.removed.replaceChildren(
      ...state.lobby.removed.map((r) =>
        el(
          "li",
          { className: "person", data: { identity: r.identity } },
          el("span", { className: "person-name", text: r.name }),
          el("span", { className: "row-actions" }, this.action("lobby.readmit", "readmit", () => this.onrequest({ type: "readmit", identity: r.identity }))),
        ),
      ),
    );
    this.removedSection.hidden = state.lobby.removed.length === 0;
    const present = state.checkins.filter((c) => !c.checked_out_at).length;
    bind(this.checkinHeading, "people.checkins_heading", { count: present });
    this.checkins.replaceChildren(
      ...state.checkins.map((c) =>
        el(
          "li",
          { className: `person checkin${c.checked_out_at ? " checked-out" : ""}`, data: { externalId: c.external_id } },
          el("span", { className: "person-name", text: c.name }),
          el("span", {
            className: "hint",
            i18n: c.checked_out_at ? "people.checked_out_at" : "people.checked_in_at",
            args: { time: clockOf(c.checked_out_at ?? c.checked_in_at) },
          }),
        ),
      ),
    );
    this.checkinSection.hidden = state.checkins.length === 0;
    for (const [name, input] of this.switches) input.checked = state.settings[name];
  }

  /**
   * One person with the lecturer's controls for them.
   * @param {ParticipantInfo} p @param {ClassState} state @param {ParticipantLink} [link]
   */
  person(p, state, link) {
    const actions = el("span", { className: "row-actions" });
    if (p.role === "trainee") {
      const holds = state.holdsFloor(p.id);
      actions.append(
        this.action(holds ? "floor.take_back" : "floor.give", holds ? "take_floor" : "give_floor", () => this.onrequest({ type: "floor", participant_id: p.id, give: !holds })),
      );
      const mic = state.block(p.id, "microphone");
      actions.append(
        mic
          ? this.action("mod.allow_mic", "allow_mic", () => this.onrequest({ type: "allow", participant_id: p.id, source: "microphone" }))
          : this.action("mod.mute", "mute", () => this.onrequest({ type: "block", participant_id: p.id, source: "microphone", may_resume: this.mayUnmute.checked })),
      );
      const camera = state.block(p.id, "camera");
      actions.append(
        camera
          ? this.action("mod.allow_camera", "allow_camera", () => this.onrequest({ type: "allow", participant_id: p.id, source: "camera" }))
          : this.action("mod.camera_off", "camera_off", () => this.onrequest({ type: "block", participant_id: p.id, source: "camera", may_resume: this.mayUnmute.checked })),
      );
    }
    if (p.role === "trainee" || p.role === "observer") {
      actions.append(this.action("mod.remove", "remove", () => this.onremove(p), "btn-danger"));
    }
    const raised = state.handPosition(p.id);
    return el(
      "li",
      { className: `person role-${p.role}`, data: { participant: p.id, role: p.role } },
      el("span", { className: "person-name", text: p.name }),
      el("span", { className: "chip person-role", i18n: `role.${p.role}` }),
      raised ? el("span", { className: "badge badge-hand", i18n: "hands.raised_badge", args: { position: raised } }) : null,
      state.holdsFloor(p.id) ? el("span", { className: "badge badge-floor", i18n: "floor.badge" }) : null,
      link ? linkChip(link) : null,
      actions.childElementCount ? el("div", { className: "person-actions", attrs: { role: "group" }, i18nAttr: { "aria-label": "mod.actions_for" }, args: { name: p.name } }, actions) : null,
    );
  }

  /**
   * @param {string} key @param {string} name stable name for tests and styles
   * @param {() => void} onClick @param {string} [className]
   */
  action(key, name, onClick, className = "") {
    const b = el("button", { className: `btn btn-small ${className}`.trim(), i18n: key, attrs: { type: "button" }, data: { action: name } });
    b.addEventListener("click", onClick);
    return b;
  }

  destroy() {
    clearInterval(this.ticker);
  }
}

/**
 * A trainee's link as the relay sees it: its quality and the picture they get ("Good · high").
 * @param {ParticipantLink} link
 */
function linkChip(link) {
  const layer = link.layer ?? "none";
  const chip = el("span", { className: `chip person-link link-${link.quality}`, data: { quality: link.quality, layer } });
  const args = { quality: { key: `quality.${link.quality}` }, layer: { key: `quality.layer_${layer}` }, kbps: link.estimate_kbps ?? 0 };
  return bind(chip, "people.link", args, link.estimate_kbps !== null ? { title: "people.link_estimate" } : {});
}

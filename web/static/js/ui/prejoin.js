// @ts-check
/**
 * The pre-join page: name, camera preview, device pickers, microphone level, Join. It renders
 * what the app gives it and reports what the user does; it never opens devices itself.
 */

import { el, clear } from "../../shared/dom.js";
import { icon } from "./icons.js";
import { bind } from "../../shared/i18n.js";

/** @typedef {import("../media.js").DeviceOption} DeviceOption */
/** @typedef {import("../media.js").CaptureProblem} CaptureProblem */
/** @typedef {import("../../shared/token.js").Role} Role */

/** How each capture problem is explained: a title (blocking ones) and a body. */
const PROBLEMS = /** @type {Record<CaptureProblem, {title: string | null, body: string, blocking: boolean}>} */ ({
  denied: { title: "media.denied_title", body: "media.denied_body", blocking: true },
  in_use: { title: null, body: "media.in_use", blocking: true },
  failed: { title: null, body: "media.failed", blocking: true },
  insecure: { title: "checks.insecure_title", body: "checks.insecure_body", blocking: true },
  no_camera: { title: null, body: "media.no_camera", blocking: false },
  no_microphone: { title: null, body: "media.no_microphone", blocking: false },
  no_devices: { title: null, body: "media.no_devices", blocking: false },
});

export class PrejoinView {
  /**
   * @param {HTMLElement} container
   * @param {{role: Role, fixedName: string | null, rememberedName: string, expires: number, capture: boolean, startMuted: {microphone: boolean, camera: boolean}}} options
   */
  constructor(container, { role, fixedName, rememberedName, expires, capture, startMuted }) {
    /** @type {(name: string) => void} */
    this.onjoin = () => {};
    /** @type {(choice: {cameraId: string | null, microphoneId: string | null}) => void} */
    this.onselect = () => {};
    /** @type {() => void} */
    this.onretry = () => {};
    /** @type {() => void} */
    this.onjoinwithout = () => {};

    this.fixedName = fixedName;
    this.fixedNameText = el("p", { className: "name-fixed", text: fixedName ?? "" });
    this.classTitle = el("p", { className: "prejoin-class", attrs: { hidden: "" } }, el("span", { className: "prejoin-class-title", attrs: { id: "prejoin-class-title" } }));
    this.classTime = el("p", { className: "hint prejoin-time", attrs: { hidden: "" } });
    this.recorded = el("p", { className: "hint prejoin-recorded", i18n: "prejoin.recorded", attrs: { hidden: "", role: "note" } });
    this.micOff = el("input", { attrs: { id: "start-mic-off", type: "checkbox", checked: startMuted.microphone } });
    this.cameraOff = el("input", { attrs: { id: "start-camera-off", type: "checkbox", checked: startMuted.camera } });
    this.inRoomBox = el("input", { attrs: { id: "in-room", type: "checkbox" } });
    this.inRoomField = el(
      "div",
      { className: "in-room", attrs: { hidden: "" } },
      el("label", { className: "switch" }, this.inRoomBox, el("span", { i18n: "prejoin.in_room" })),
      el("p", { className: "hint", i18n: "prejoin.in_room_hint" }),
    );
    this.saveDataBox = el("input", { attrs: { id: "save-data", type: "checkbox", "aria-describedby": "save-data-hint" } });
    /** "Save data" (metered 4G): for those who receive the class, not for the lecturer or the room */
    this.saveDataField = el(
      "div",
      { className: "save-data", attrs: role === "trainee" || role === "observer" ? {} : { hidden: "" } },
      el("label", { className: "switch" }, this.saveDataBox, el("span", { i18n: "prejoin.save_data" })),
      el("p", { className: "hint", i18n: "prejoin.save_data_hint", attrs: { id: "save-data-hint" } }),
    );
    /** the user changed a start choice: the class's default no longer applies */
    this.chosen = false;
    for (const box of [this.micOff, this.cameraOff]) box.addEventListener("change", () => (this.chosen = true));
    this.nameInput = el("input", {
      attrs: { id: "name", type: "text", maxlength: "80", autocomplete: "name", required: "", "aria-describedby": "name-error" },
      i18nAttr: { placeholder: "prejoin.name_placeholder" },
    });
    this.nameInput.value = rememberedName;
    this.nameError = el("p", { className: "field-error", i18n: "prejoin.name_required", attrs: { id: "name-error", hidden: "" } });
    this.video = el("video", { i18nAttr: { "aria-label": "prejoin.preview_label" } });
    this.video.muted = true;
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.previewOff = el("div", { className: "preview-off" }, icon("cameraOff"), el("span", { i18n: "class.camera_off" }));
    this.cameraSelect = el("select", { attrs: { id: "camera-select" } });
    this.microphoneSelect = el("select", { attrs: { id: "microphone-select" } });
    this.meterBar = el("div", { className: "meter-bar" });
    this.meter = el(
      "div",
      { className: "meter", attrs: { role: "meter", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" }, i18nAttr: { "aria-label": "prejoin.mic_level" } },
      this.meterBar,
    );
    this.problem = el("div", { className: "problem", attrs: { role: "alert", hidden: "" } });
    this.status = el("p", { className: "hint", attrs: { "aria-live": "polite" } });
    this.joinButton = el("button", { className: "btn btn-primary btn-join", i18n: "prejoin.join", attrs: { type: "submit" } });

    for (const select of [this.cameraSelect, this.microphoneSelect]) {
      select.addEventListener("change", () =>
        this.onselect({ cameraId: this.cameraSelect.value || null, microphoneId: this.microphoneSelect.value || null }),
      );
    }
    const form = el(
      "form",
      { className: "prejoin-form", attrs: { novalidate: "" } },
      fixedName
        ? el("div", { className: "field" }, el("span", { className: "field-label", i18n: "prejoin.name_label" }), this.fixedNameText, el("p", { className: "hint", i18n: role === "room" ? "prejoin.name_from_room" : "prejoin.name_from_link" }))
        : el("div", { className: "field" }, el("label", { i18n: "prejoin.name_label", attrs: { for: "name" } }), this.nameInput, this.nameError),
      capture ? this.deviceFields() : el("p", { className: "note", i18n: "prejoin.observer_note" }),
      capture
        ? el(
            "div",
            { className: "start-choices" },
            el("label", { className: "switch" }, this.micOff, el("span", { i18n: "prejoin.start_mic_off" })),
            el("label", { className: "switch" }, this.cameraOff, el("span", { i18n: "prejoin.start_camera_off" })),
          )
        : null,
      this.inRoomField,
      this.saveDataField,
      this.problem,
      this.status,
      this.joinButton,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });

    clear(container);
    container.className = "prejoin-page";
    container.append(
      el(
        "section",
        { className: "prejoin", attrs: { "aria-labelledby": "prejoin-title" } },
        el("h1", { i18n: "prejoin.heading", attrs: { id: "prejoin-title" } }),
        this.classTitle,
        this.classTime,
        this.recorded,
        el("p", { className: "lead", i18n: "prejoin.joining_as", args: { role: { key: `role.${role}` } } }),
        el("p", { className: "hint", i18n: "prejoin.expires", args: { time: { time: expires } } }),
        el(
          "div",
          { className: capture ? "prejoin-grid" : "prejoin-grid no-capture" },
          capture ? el("div", { className: "preview" }, this.video, this.previewOff) : null,
          form,
        ),
      ),
    );
    if (!fixedName) this.nameInput.focus();
  }

  /**
   * What the server says of the class (GET /api/join-preview): its title and scheduled time,
   * the room's name for the room's link, whether trainees start muted and whether the class is
   * being recorded (people are told before they join).
   * @param {{title: string, startsAt: number | null, endsAt: number | null, fixedName: string | null, startMuted: boolean | null, recorded?: boolean, recordedBySchedule?: boolean}} info
   */
  setClassInfo({ title, startsAt, endsAt, fixedName, startMuted, recorded = false, recordedBySchedule = false }) {
    this.recorded.hidden = !recorded && !recordedBySchedule;
    if (!recorded && recordedBySchedule) bind(this.recorded, "prejoin.recorded_schedule");
    const titleText = /** @type {HTMLElement} */ (this.classTitle.firstElementChild);
    titleText.textContent = title;
    titleText.dataset.userText = "";
    this.classTitle.hidden = !title;
    if (startsAt !== null) {
      if (endsAt !== null) bind(this.classTime, "prejoin.class_time", { start: { time: startsAt }, end: { time: endsAt } });
      else bind(this.classTime, "prejoin.class_starts", { start: { time: startsAt } });
      this.classTime.hidden = false;
    }
    if (fixedName && this.fixedName !== null) {
      this.fixedName = fixedName;
      this.fixedNameText.textContent = fixedName;
    }
    if (startMuted !== null && !this.chosen) {
      this.micOff.checked = startMuted;
      this.cameraOff.checked = startMuted;
    }
  }

  /**
   * Offer "I am in the room" (a lecturer, a class with a room): the page then plays none of
   * the class's sound and sends no microphone; the room's microphones and speakers do.
   * @param {boolean} remembered the choice made last time
   */
  offerInRoom(remembered) {
    this.inRoomField.hidden = false;
    this.inRoomBox.checked = remembered;
  }

  /** Whether the lecturer said they are in the room. */
  /** @param {boolean} on the remembered choice */
  setSaveData(on) {
    this.saveDataBox.checked = on;
  }

  saveData() {
    return !this.saveDataField.hidden && this.saveDataBox.checked;
  }

  inRoom() {
    return !this.inRoomField.hidden && this.inRoomBox.checked;
  }

  /** The user's start choices. @returns {{microphone: boolean, camera: boolean}} true: start muted */
  startMuted() {
    return { microphone: this.micOff.checked, camera: this.cameraOff.checked };
  }

  deviceFields() {
    return el(
      "div",
      { className: "devices" },
      el("div", { className: "field" }, el("label", { i18n: "prejoin.camera_label", attrs: { for: "camera-select" } }), this.cameraSelect),
      el("div", { className: "field" }, el("label", { i18n: "prejoin.microphone_label", attrs: { for: "microphone-select" } }), this.microphoneSelect),
      el("p", { className: "hint", i18n: "prejoin.mic_hint" }),
      this.meter,
    );
  }

  submit() {
    const name = this.fixedName ?? this.nameInput.value.trim();
    if (!name) {
      this.nameError.hidden = false;
      this.nameInput.setAttribute("aria-invalid", "true");
      this.nameInput.focus();
      return;
    }
    this.nameError.hidden = true;
    this.nameInput.removeAttribute("aria-invalid");
    this.onjoin(name);
  }

  /** @param {MediaStream | null} stream */
  setPreview(stream) {
    const hasVideo = Boolean(stream && stream.getVideoTracks().length);
    this.video.srcObject = hasVideo ? stream : null;
    this.video.hidden = !hasVideo;
    this.previewOff.hidden = hasVideo;
    if (hasVideo) this.video.play().catch(() => {});
  }

  /**
   * @param {{cameras: DeviceOption[], microphones: DeviceOption[]}} devices
   * @param {{cameraId: string | null, microphoneId: string | null}} selected
   */
  setDevices(devices, selected) {
    fill(this.cameraSelect, devices.cameras, selected.cameraId, "prejoin.camera_n", "prejoin.no_camera_option");
    fill(this.microphoneSelect, devices.microphones, selected.microphoneId, "prejoin.microphone_n", "prejoin.no_microphone_option");
  }

  /** @param {number} level 0..1 */
  setLevel(level) {
    const percent = Math.round(level * 100);
    this.meterBar.style.width = `${percent}%`;
    this.meter.setAttribute("aria-valuenow", String(percent));
  }

  /**
   * Explain a capture problem, with Try again / Join without devices when it blocks capture.
   * @param {CaptureProblem | null} problem
   * @param {Record<string, string>} [args]
   */
  showProblem(problem, args = {}) {
    clear(this.problem);
    this.problem.hidden = problem === null;
    if (problem === null) return;
    const text = PROBLEMS[problem];
    this.problem.dataset.problem = problem;
    this.problem.className = `problem ${text.blocking ? "problem-blocking" : "problem-warning"}`;
    if (text.title) this.problem.append(el("h2", { i18n: text.title }));
    this.problem.append(el("p", { i18n: text.body, args }));
    if (text.blocking) {
      const actions = el("div", { className: "card-actions" });
      if (problem !== "insecure") actions.append(el("button", { className: "btn", i18n: "media.retry", attrs: { type: "button" }, on: { click: () => this.onretry() } }));
      actions.append(el("button", { className: "btn", i18n: "media.join_without", attrs: { type: "button" }, on: { click: () => this.onjoinwithout() } }));
      this.problem.append(actions);
    }
  }

  /** @param {string | null} key a status line under the form (opening devices, joining) */
  setStatus(key) {
    if (key) bind(this.status, key);
    else {
      delete this.status.dataset.i18n;
      this.status.textContent = "";
    }
  }

  /** @param {boolean} busy */
  setBusy(busy) {
    this.joinButton.disabled = busy;
    bind(this.joinButton, busy ? "prejoin.joining" : "prejoin.join");
  }
}

/**
 * @param {HTMLSelectElement} select @param {DeviceOption[]} options @param {string | null} selected
 * @param {string} unnamedKey "Camera {n}" for a device the browser gives no name
 * @param {string} noneKey
 */
function fill(select, options, selected, unnamedKey, noneKey) {
  clear(select);
  options.forEach((option, index) => {
    const value = { value: option.id };
    const node = option.label
      ? el("option", { text: option.label, attrs: value })
      : el("option", { i18n: unnamedKey, args: { n: index + 1 }, attrs: value });
    select.append(node);
  });
  select.append(el("option", { i18n: noneKey, attrs: { value: "" } }));
  select.value = selected ?? "";
  if (select.value !== (selected ?? "")) select.value = options[0]?.id ?? "";
}

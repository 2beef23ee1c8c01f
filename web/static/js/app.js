// @ts-check
/**
 * The join page: checks the browser and the link, shows the pre-join page, then the class.
 *
 * This module holds the page's state and wires the protocol module (which owns the network)
 * to the views (which only render). Every state that stops a user, from a blocked camera to
 * a class that has ended, ends up as a translated message on the page.
 */

import * as i18n from "../shared/i18n.js";
import { LevelMeter } from "./level_meter.js";
import { CaptureError, captureAvailable, listDevices, openCapture, openScreen } from "./media.js";
import { ClassConnection } from "./protocol.js";
import { ClassState } from "./class_state.js";
import { fetchPreview } from "./preview.js";
import { LinkError, decodeClaims, isExpired, tokenFromFragment } from "../shared/token.js";
import { ClassroomView } from "./ui/classroom.js";
import { confirmDialog } from "./ui/dialog.js";
import { Notices, showCard } from "./ui/notices.js";
import { PrejoinView } from "./ui/prejoin.js";
import { QuizPanel } from "./ui/quiz_panel.js";
import { RoomPanel } from "./ui/room_panel.js";
import { AttendancePanel } from "./ui/attendance_panel.js";
import { StatusBar } from "./ui/status_bar.js";
import { ViewSizes } from "./view_sizes.js";

/** @typedef {import("../shared/token.js").JoinClaims} JoinClaims */
/** @typedef {import("./protocol.js").Source} Source */
/** @typedef {import("./protocol.js").RemoteTrack} RemoteTrack */
/** @typedef {import("./protocol.js").ParticipantInfo} ParticipantInfo */
/** @typedef {import("./protocol.js").Ending} Ending */
/** @typedef {{cameraId: string | null, microphoneId: string | null, camera: boolean, microphone: boolean}} DeviceChoice */

const KEYS = {
  inRoom: "classbridge.in_room",
  clientId: "classbridge.client_id",
  name: "classbridge.name",
  devices: "classbridge.devices",
  saveData: "classbridge.save_data",
  /** "1": send the camera as one track (a publisher whose upload cannot carry the layers; the
   * comparison in bench/simulcast.py) */
  singleLayer: "classbridge.single_layer",
};
/** Marks a tab that is in a class, so that a reload goes straight back in. */
const sessionKey = (/** @type {JoinClaims} */ claims) => `classbridge.in_class.${claims.class_id}.${claims.role}`;

/** Server error codes with a title of their own (the link; the lecturer's decisions). */
const LINK_ERRORS = {
  token_expired: "link.expired_title",
  token_invalid: "link.invalid_title",
  wrong_class: "link.invalid_title",
  removed: "lobby.removed_title",
  refused: "lobby.refused_title",
  class_locked: "lobby.locked_title",
};
/** Non-fatal server errors that mean nothing to a user (the page recovers by itself). */
const QUIET_ERRORS = new Set(["invalid_candidate"]);

class Page {
  constructor() {
    this.main = /** @type {HTMLElement} */ (document.getElementById("main"));
    this.notices = new Notices(/** @type {HTMLElement} */ (document.getElementById("notices")));
    this.statusBar = new StatusBar(/** @type {HTMLElement} */ (document.querySelector("header")));
    this.local = safeStorage(() => localStorage);
    this.session = safeStorage(() => sessionStorage);
    /** @type {JoinClaims | null} */
    this.claims = null;
    this.token = "";
    /** the lecturer is in the room: no class sound, no microphone (the room's own carry them) */
    this.inRoom = false;
    this.capture = false;
    /** @type {DeviceChoice} */
    this.choice = { cameraId: null, microphoneId: null, camera: true, microphone: true, ...readJson(this.local, KEYS.devices) };
    /** @type {MediaStream} */
    this.stream = new MediaStream();
    /** @type {LevelMeter | null} */
    this.meter = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.meterTimer = null;
    /** @type {PrejoinView | null} */
    this.prejoin = null;
    /** @type {Promise<void>} the devices being opened for the preview (Join waits for them) */
    this.previewing = Promise.resolve();
    /** @type {ClassConnection | null} */
    this.connection = null;
    /** @type {ClassroomView | null} */
    this.view = null;
    this.name = "";
    /** @type {ParticipantInfo[]} */
    this.participants = [];
    /** @type {RemoteTrack[]} */
    this.remote = [];
    /** @type {MediaStream | null} */
    this.screen = null;
    this.micMuted = false;
    this.cameraMuted = false;
    /** @type {Set<Source>} local sources whose device went away mid-class */
    this.lost = new Set();
    this.audioOnly = false;
    /** "Save data" (metered 4G): remembered by this browser */
    this.saveData = this.local?.getItem(KEYS.saveData) === "1";
    /** the relay sends us less than the tiles ask for, because of our connection */
    this.reduced = false;
    /** @type {Map<string, import("./protocol.js").ParticipantLink>} lecturers: each trainee's link */
    this.links = new Map();
    /** @type {ViewSizes | null} tells the relay how large each received video is shown */
    this.viewSizes = null;
    this.endedByMe = false;
    /** How the class is run: chat, hands, floor, blocks, settings, lobby. */
    this.state = new ClassState();
    /** our participant id in the class (a new one after each rejoin) */
    this.selfId = "";
    /** @type {import("./preview.js").JoinPreview | null} */
    this.preview = null;
    /** @type {QuizPanel | null} polls and quizzes */
    this.quiz = null;
  }

  start() {
    if (typeof RTCPeerConnection === "undefined" || typeof WebSocket === "undefined") {
      return this.card("checks.webrtc_title", "checks.webrtc_body", "webrtc_unsupported", "error");
    }
    const token = tokenFromFragment(location.hash);
    try {
      if (!token) throw new LinkError("invalid", "no token in the link");
      this.claims = decodeClaims(token);
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      return this.card("link.invalid_title", "link.invalid_body", "link_invalid", "error");
    }
    this.token = token;
    const claims = this.claims;
    if (isExpired(claims, Date.now())) {
      return this.card("link.expired_title", "link.expired_body", "link_expired", "error", { time: { time: claims.exp } });
    }
    this.statusBar.setRole(claims.role);
    this.capture = claims.role !== "observer" && captureAvailable();
    const saved = readJson(this.session, sessionKey(claims));
    if (saved) return void this.rejoin(saved);
    void this.showPrejoin();
  }

  // ---- pre-join -----------------------------------------------------------------------------

  async showPrejoin() {
    const claims = /** @type {JoinClaims} */ (this.claims);
    const view = new PrejoinView(this.main, {
      role: claims.role,
      fixedName: claims.role === "room" ? claims.name ?? i18n.t("role.room") : claims.name,
      rememberedName: this.local?.getItem(KEYS.name) ?? "",
      expires: claims.exp,
      capture: this.capture,
      startMuted: { microphone: false, camera: false },
    });
    this.prejoin = view;
    view.setSaveData(this.saveData);
    void fetchPreview(this.token).then((preview) => {
      if (!preview || this.prejoin !== view) return;
      this.preview = preview;
      view.setClassInfo({
        title: preview.class.title,
        startsAt: preview.class.starts_at ? Date.parse(preview.class.starts_at) / 1000 : null,
        endsAt: preview.class.ends_at ? Date.parse(preview.class.ends_at) / 1000 : null,
        fixedName: claims.role === "room" ? preview.room_title || null : null,
        startMuted: claims.role === "trainee" ? preview.join_muted : null,
        recorded: preview.recorded,
        recordedBySchedule: preview.recorded_by_schedule,
      });
      if (claims.role === "lecturer" && preview.class.room) view.offerInRoom(this.local?.getItem(KEYS.inRoom) === "1");
    });
    view.onjoin = (name) => void this.join(name);
    view.onselect = (selected) => {
      this.choice = { ...this.choice, ...selected, camera: selected.cameraId !== null, microphone: selected.microphoneId !== null };
      this.local?.setItem(KEYS.devices, JSON.stringify(this.choice));
      void this.openPreview();
    };
    view.onretry = () => void this.openPreview();
    view.onjoinwithout = () => {
      this.capture = false;
      this.stopPreview();
      view.submit();
    };
    if (claims.role !== "observer" && !globalThis.isSecureContext) {
      view.showProblem("insecure", { host: location.host });
    }
    if (this.capture) await this.openPreview();
  }

  /** Open (or reopen) the chosen camera and microphone for the preview and the meter. */
  openPreview() {
    this.previewing = this.previewing.then(() => this.reopenPreview());
    return this.previewing;
  }

  async reopenPreview() {
    const view = /** @type {PrejoinView} */ (this.prejoin);
    this.stopPreview();
    view.setStatus("prejoin.starting_devices");
    view.showProblem(null);
    try {
      const { stream, problems } = await openCapture({ ...this.choice, resolution: this.resolution() });
      this.stream = stream;
      if (problems.length) view.showProblem(problems[0]);
      view.setPreview(stream);
      const audio = stream.getAudioTracks()[0];
      const video = stream.getVideoTracks()[0];
      view.setDevices(await listDevices(), {
        cameraId: video ? video.getSettings().deviceId ?? null : null,
        microphoneId: audio ? audio.getSettings().deviceId ?? null : null,
      });
      if (audio) {
        this.meter = new LevelMeter(stream);
        this.meterTimer = setInterval(() => view.setLevel(this.meter?.read() ?? 0), 100);
      }
    } catch (error) {
      const problem = error instanceof CaptureError ? error : new CaptureError("failed", String(error));
      view.setPreview(null);
      view.showProblem(problem.problem, { detail: problem.detail });
    } finally {
      view.setStatus(null);
    }
  }

  stopPreview() {
    this.stopMeter();
    for (const track of this.stream.getTracks()) track.stop();
    this.stream = new MediaStream();
    this.prejoin?.setPreview(null);
  }

  stopMeter() {
    if (this.meterTimer !== null) clearInterval(this.meterTimer);
    this.meterTimer = null;
    this.meter?.close();
    this.meter = null;
  }

  resolution() {
    return this.claims?.role === "trainee" ? "standard" : "high";
  }

  /** Back into the class after a reload: same name, devices and audio-only choice. @param {any} saved */
  async rejoin(saved) {
    this.card("prejoin.joining", "status.connecting", "rejoining", "info");
    this.audioOnly = Boolean(saved.audioOnly);
    if (this.capture && saved.capture) {
      try {
        this.stream = (await openCapture({ ...this.choice, resolution: this.resolution() })).stream;
      } catch {
        this.session?.removeItem(sessionKey(/** @type {JoinClaims} */ (this.claims)));
        return void this.showPrejoin(); // the devices need the user's attention
      }
    }
    this.capture = Boolean(saved.capture);
    this.micMuted = Boolean(saved.micMuted);
    this.cameraMuted = Boolean(saved.cameraMuted);
    this.inRoom = Boolean(saved.inRoom);
    await this.join(saved.name);
  }

  // ---- the class ----------------------------------------------------------------------------

  /** @param {string} name */
  async join(name) {
    performance.mark("classbridge:join");
    this.prejoin?.setBusy(true);
    if (this.prejoin) ({ microphone: this.micMuted, camera: this.cameraMuted } = this.prejoin.startMuted());
    if (this.prejoin && this.claims?.role === "lecturer" && !this.prejoin.inRoomField.hidden) {
      this.inRoom = this.prejoin.inRoom();
      this.local?.setItem(KEYS.inRoom, this.inRoom ? "1" : "0");
    }
    if (this.prejoin && (this.claims?.role === "trainee" || this.claims?.role === "observer")) {
      this.saveData = this.prejoin.saveData();
      this.local?.setItem(KEYS.saveData, this.saveData ? "1" : "0");
    }
    await this.previewing; // a click before the camera opened still brings the camera along
    const claims = /** @type {JoinClaims} */ (this.claims);
    this.name = name;
    if (!claims.name) this.local?.setItem(KEYS.name, name);
    this.stopMeter(); // the preview's tracks go on into the class
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const connection = new ClassConnection({
      url: `${scheme}//${location.host}/ws/${encodeURIComponent(claims.class_id)}`,
      token: this.token,
      name: claims.name ? null : name,
      clientId: this.clientId(),
    });
    this.connection = connection;
    const video = this.capture ? this.stream.getVideoTracks()[0] : undefined;
    // In the room, the ceiling microphones carry the lecturer's voice: theirs would echo.
    const audio = this.capture && !this.inRoom ? this.stream.getAudioTracks()[0] : undefined;
    if (this.inRoom) {
      for (const track of this.stream.getAudioTracks()) {
        track.stop();
        this.stream.removeTrack(track);
      }
      this.micMuted = true;
    }
    /** @type {{track: MediaStreamTrack, source: Source, muted: boolean, layered?: boolean}[]} */
    const entries = [];
    // The lecturer's and the room's cameras go to everyone: as layers, so each gets what their
    // link carries. A trainee's camera is layered while they hold the floor (see `news`).
    const layered = (claims.role === "lecturer" || claims.role === "room") && this.local?.getItem(KEYS.singleLayer) !== "1";
    if (video) entries.push({ track: video, source: "camera", muted: this.cameraMuted, layered });
    if (audio) entries.push({ track: audio, source: "microphone", muted: this.micMuted });
    for (const { track, source } of entries) this.watchDevice(track, source);
    connection.publish(entries);
    if (this.audioOnly) connection.setReceiveVideo(false);
    connection.setSaveData(this.saveData);
    this.viewSizes = new ViewSizes((tracks) => connection.setView(tracks));

    connection.onstatus = (status, detail) => {
      this.statusBar.setStatus(status);
      if (status === "reconnecting") {
        const key = detail.reason === "server_restart" ? "status.server_restarting" : detail.reason === "offline" ? "status.offline" : "status.reconnecting";
        this.notices.banner("connection", key, { attempt: detail.attempt }, "warning");
      }
    };
    connection.onwaiting = (classInfo) => {
      this.notices.clearBanner("connection");
      this.view = null;
      this.statusBar.setTitle(classInfo.title);
      this.card("lobby.waiting_title", "lobby.waiting_body", "lobby_waiting", "info", {}, [
        { key: "toolbar.leave", onClick: () => connection.leave() },
      ]);
    };
    connection.onjoined = (joined, rejoined) => {
      this.notices.clearBanner("connection");
      if (rejoined) this.notices.toast("status.reconnected", {}, "success");
      this.selfId = joined.participant.id;
      this.state.reset(joined);
      this.viewSizes?.reset(); // a new connection knows nothing of our tiles yet
      this.reduced = false;
      this.links.clear();
      if (claims.role === "trainee" && this.local?.getItem(KEYS.singleLayer) !== "1") {
        connection.setLayered("camera", this.state.holdsFloor(this.selfId));
      }
      if (!this.view) this.enterClassroom(joined.class.title);
      else this.view.setSelf(this.selfId);
      for (const block of this.state.blocks) {
        if (block.participant_id === this.selfId && (block.source === "microphone" || block.source === "camera")) this.blockedSelf(block.source, true, block.may_resume);
      }
      this.rememberSession();
      this.render();
      if (joined.participant.role === "lecturer") void this.loadCheckins(joined.class.id);
    };
    connection.onnews = (news) => this.news(news);
    connection.onlink = (link) => {
      this.reduced = link.reduced && !this.audioOnly;
      this.view?.setReduced(this.reduced);
    };
    connection.onlinkquality = (links) => {
      this.links = new Map(links.map((link) => [link.id, link]));
      this.render();
    };
    connection.onquiz = (news) => this.quiz?.apply(news);
    connection.onroster = (participants) => {
      this.participants = participants;
      this.render();
    };
    connection.onremotetracks = (tracks) => {
      this.remote = tracks;
      this.render();
    };
    connection.onstats = (sample) => {
      this.statusBar.setQuality(sample.quality);
      this.view?.setLevels(sample.audioLevels);
      const weak = sample.quality.level === "poor" && !this.audioOnly && claims.role !== "lecturer";
      if (weak) this.notices.banner("quality", "quality.poor_hint", {}, "warning");
      else this.notices.clearBanner("quality");
    };
    connection.onerror = (error) => {
      if (!error.fatal && !QUIET_ERRORS.has(error.code)) this.notices.toast(errorKey(error.code), {}, "warning");
      if (error.ref?.startsWith("quiz_")) this.quiz?.refused(error.code);
      if (error.code === "not_allowed" && error.ref === "mute" && this.state.block(this.selfId, "microphone")) {
        this.micMuted = true; // the lecturer has not allowed it yet
        this.render();
      }
    };
    connection.onclosed = (ending) => this.closed(ending);
    connection.connect();
  }

  /** @param {string} title */
  enterClassroom(title) {
    const claims = /** @type {JoinClaims} */ (this.claims);
    this.prejoin = null;
    this.statusBar.setTitle(title);
    const titleElement = /** @type {HTMLElement} */ (document.querySelector("title"));
    delete titleElement.dataset.i18n;
    document.title = `${title} – ${i18n.t("app.name")}`;
    const view = new ClassroomView(this.main, claims.role, this.selfId);
    this.view = view;
    if (this.inRoom) view.setSilent(true); // the room's speakers play the class
    const connection = /** @type {ClassConnection} */ (this.connection);
    view.onrequest = (request) => connection.request(request);
    if (view.people) {
      view.people.onrequest = (request) => connection.request(request);
      view.people.onremove = (participant) => void this.removeParticipant(participant);
      view.people.onclose = () => this.togglePanel("people", false);
    }
    view.onhandback = () => connection.request({ type: "floor", participant_id: this.selfId, give: false });
    view.chat.onsend = (text, to) => connection.request(to ? { type: "chat", text, to } : { type: "chat", text });
    view.chat.onallow = (on) => connection.request({ type: "settings", chat: on });
    view.chat.onclose = () => this.togglePanel("chat", false);
    view.reactions.onpick = (reaction) => connection.request({ type: "react", reaction });
    if (claims.role === "lecturer") RoomPanel.mount(/** @type {HTMLElement} */ (this.main.querySelector("aside.self")), this.token);
    if (view.people) AttendancePanel.mount(view.people.peopleSection, claims.class_id, this.token);
    view.onsoundblocked = () =>
      this.notices.banner("sound", "class.sound_blocked", {}, "info", [
        {
          key: "class.enable_sound",
          primary: true,
          onClick: () => {
            view.unmuteSound();
            this.notices.clearBanner("sound");
          },
        },
      ]);
    view.toolbar.onaction = (control) => void this.act(control);
    this.quiz = new QuizPanel(claims.role);
    this.quiz.onrequest = (request) => connection.request(request);
    view.panels.prepend(this.quiz.element);
    this.render();
  }

  render() {
    const view = this.view;
    if (!view) return;
    const camera = this.stream.getVideoTracks()[0] ?? null;
    const mic = this.stream.getAudioTracks()[0] ?? null;
    view.render({
      participants: this.participants,
      remote: this.remote,
      camera: this.capture && camera && !this.lost.has("camera") ? camera : null,
      screen: this.screen?.getVideoTracks()[0] ?? null,
      selfName: this.name,
      cameraMuted: this.cameraMuted,
      micMuted: this.micMuted,
      audioOnly: this.audioOnly,
      state: this.state,
      selfId: this.selfId,
    });
    const role = this.claims?.role;
    const locked = (/** @type {"microphone" | "camera"} */ source) => {
      const block = this.state.block(this.selfId, source);
      return block !== null && !block.may_resume;
    };
    view.toolbar.setMic(!this.micMuted && !this.lost.has("microphone"), this.capture && mic !== null && !locked("microphone"));
    view.toolbar.setCamera(!this.cameraMuted && !this.lost.has("camera"), this.capture && camera !== null && !locked("camera"));
    view.toolbar.setSharing(this.screen !== null);
    view.toolbar.setRecording(this.state.recording.active);
    this.statusBar.setRecording(this.state.recording.active);
    view.toolbar.show("share", role !== "trainee" || this.screen !== null || (this.state.holdsFloor(this.selfId) && this.state.settings.floor_screen_share));
    view.toolbar.setHand(this.state.handRaised(this.selfId));
    view.toolbar.setPanel("chat", view.chat.open, this.state.unread, "chat.unread");
    if (view.people) view.toolbar.setPanel("people", view.people.open, this.state.lobby.waiting.length, "lobby.waiting_count");
    view.chat.render(this.state.chat, { chatOn: this.state.settings.chat, people: this.participants });
    view.people?.render(this.participants, this.state, this.links);
    view.toolbar.setAudioOnly(this.audioOnly);
    view.toolbar.setSaveData(this.saveData);
    view.setReduced(this.reduced);
    this.watchTileSizes();
    this.statusBar.setCount(this.participants.length + 1);
  }

  /** Which received video each tile shows, by the server's track id, for the relay's layer choice. */
  watchTileSizes() {
    if (!this.view || !this.viewSizes) return;
    const shown = this.view.remoteVideoElements();
    /** @type {Map<string, HTMLElement>} */
    const elements = new Map();
    for (const { info, track } of this.remote) {
      const element = info.kind === "video" ? shown.get(track.id) : undefined;
      if (element) elements.set(info.track_id, element);
    }
    this.viewSizes.watch(elements);
  }

  /**
   * What the server told of the running class.
   * @param {import("./protocol.js").ClassNews} news
   */
  news(news) {
    const wasHolding = this.state.holdsFloor(this.selfId);
    this.state.apply(news);
    const view = this.view;
    switch (news.type) {
      case "chat":
        if (!view?.chat.open && news.line.sender_id !== this.selfId) this.state.unread += 1;
        break;
      case "reaction":
        view?.showReaction(news.participant_id, news.reaction);
        return;
      case "blocked":
        if (news.participant_id === this.selfId && (news.source === "microphone" || news.source === "camera")) {
          this.blockedSelf(news.source, news.blocked, news.may_resume);
        }
        break;
      case "floor":
        // The floor taken back: the server stopped forwarding our screen; stop capturing it.
        if (wasHolding && !this.state.holdsFloor(this.selfId) && this.claims?.role === "trainee") this.stopSharing();
        // Holding the floor, a trainee's camera goes to everyone: as layers, like the lecturer's.
        if (this.claims?.role === "trainee" && this.local?.getItem(KEYS.singleLayer) !== "1") {
          this.connection?.setLayered("camera", this.state.holdsFloor(this.selfId));
        }
        break;
      case "settings":
        if (!news.settings.floor_screen_share && this.claims?.role === "trainee") this.stopSharing();
        break;
      case "lobby":
        this.lobbyBanner();
        break;
      case "recording":
        this.recordingNotice(news.recording);
        break;
    }
    this.render();
  }

  /**
   * Recording started or stopped: everyone hears it; the lecturer is told when storage stopped it.
   * @param {import("./protocol.js").RecordingState} recording
   */
  recordingNotice(recording) {
    if (recording.active) {
      this.notices.clearBanner("recording-stopped");
      if (recording.by) this.notices.toast("recording.started", { name: recording.by }, "info");
      else this.notices.toast("recording.started_schedule", {}, "info"); // the course's schedule
      return;
    }
    const storage = recording.reason === "disk_full" || recording.reason === "quota" || recording.reason === "write_error";
    if (storage && this.claims?.role === "lecturer") this.notices.banner("recording-stopped", `recording.stopped_${recording.reason}`, {}, "warning");
    else this.notices.toast("recording.stopped", {}, "info");
  }

  /**
   * The lecturer blocked (or allowed again) our microphone or camera: stop sending it, say why.
   * @param {"microphone" | "camera"} source @param {boolean} blocked @param {boolean} mayResume
   */
  blockedSelf(source, blocked, mayResume) {
    const id = `blocked-${source}`;
    if (blocked) {
      if (source === "microphone") this.micMuted = true;
      else this.cameraMuted = true;
      this.connection?.setMuted(source, true);
      const key = source === "microphone" ? (mayResume ? "mod.you_muted_may_resume" : "mod.you_muted") : mayResume ? "mod.your_camera_off_may_resume" : "mod.your_camera_off";
      this.notices.banner(id, key, {}, "warning");
    } else {
      const stillOff = source === "microphone" ? this.micMuted : this.cameraMuted;
      this.notices.clearBanner(id);
      if (stillOff) this.notices.toast(source === "microphone" ? "mod.you_may_unmute" : "mod.you_may_use_camera", {}, "info");
    }
  }

  /** Who checked in from the room before we joined; `checkin` news keeps it current. @param {string} classId */
  async loadCheckins(classId) {
    try {
      const response = await fetch(`/api/classes/${encodeURIComponent(classId)}/checkins`, { headers: { Authorization: `Bearer ${this.token}` } });
      if (!response.ok) return; // the list is a convenience: the class runs without it
      const known = new Set(this.state.checkins.map((c) => c.external_id));
      const listed = /** @type {import("./protocol.js").CheckIn[]} */ (await response.json());
      this.state.setCheckins([...this.state.checkins, ...listed.filter((c) => !known.has(c.external_id))]);
      this.render();
    } catch {
      // offline for a moment: the next news brings the changes
    }
  }

  /** The lecturer hears of people waiting in the lobby even with the panel closed. */
  lobbyBanner() {
    const count = this.state.lobby.waiting.length;
    if (this.claims?.role !== "lecturer" || count === 0 || this.view?.people?.open) {
      this.notices.clearBanner("lobby");
      return;
    }
    this.notices.banner("lobby", "lobby.waiting_count", { count }, "info", [
      { key: "lobby.show", primary: true, onClick: () => this.togglePanel("people", true) },
    ]);
  }

  /** @param {"chat" | "people"} panel @param {boolean} open */
  togglePanel(panel, open) {
    const view = this.view;
    if (!view) return;
    if (panel === "chat") {
      view.chat.setOpen(open);
      if (open) this.state.unread = 0;
    } else {
      view.people?.setOpen(open);
      this.lobbyBanner();
    }
    this.render();
  }

  /** Remove a trainee or observer, after the lecturer confirms. @param {ParticipantInfo} participant */
  async removeParticipant(participant) {
    const confirmed = await confirmDialog({
      titleKey: "mod.remove_title",
      bodyKey: "mod.remove_body",
      confirmKey: "mod.remove",
      danger: true,
      args: { name: participant.name },
    });
    if (confirmed) this.connection?.request({ type: "remove", participant_id: participant.id });
  }

  /** @param {import("./ui/toolbar.js").Control} control */
  async act(control) {
    const connection = /** @type {ClassConnection} */ (this.connection);
    switch (control) {
      case "mic":
        if (this.lost.has("microphone")) return this.recover("microphone");
        this.micMuted = !this.micMuted;
        connection.setMuted("microphone", this.micMuted);
        if (!this.micMuted) this.notices.clearBanner("blocked-microphone");
        break;
      case "camera":
        if (this.lost.has("camera")) return this.recover("camera");
        this.cameraMuted = !this.cameraMuted;
        connection.setMuted("camera", this.cameraMuted);
        if (!this.cameraMuted) this.notices.clearBanner("blocked-camera");
        break;
      case "hand":
        connection.request({ type: "hand", raised: !this.state.handRaised(this.selfId) });
        return;
      case "react":
        this.view?.reactions.toggle(!this.view.reactions.open);
        return;
      case "chat":
        return this.togglePanel("chat", !this.view?.chat.open);
      case "people":
        return this.togglePanel("people", !this.view?.people?.open);
      case "share":
        if (this.screen) this.stopSharing();
        else await this.share();
        break;
      case "record":
        connection.request({ type: "record", on: !this.state.recording.active });
        return;
      case "audioOnly":
        this.audioOnly = !this.audioOnly;
        connection.setReceiveVideo(!this.audioOnly);
        this.rememberSession();
        break;
      case "saveData":
        this.saveData = !this.saveData;
        this.local?.setItem(KEYS.saveData, this.saveData ? "1" : "0");
        connection.setSaveData(this.saveData);
        break;
      case "leave":
        connection.leave();
        return;
      case "end":
        if (await confirmDialog({ titleKey: "confirm.end_title", bodyKey: "confirm.end_body", confirmKey: "toolbar.end_class", danger: true })) {
          this.endedByMe = true;
          connection.endClass();
        }
        return;
    }
    this.render();
  }

  async share() {
    let stream;
    try {
      stream = await openScreen();
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      this.notices.toast("media.screen_failed", { detail: error.detail || error.problem }, "error");
      return;
    }
    if (!stream) return; // the user closed the picker
    this.screen = stream;
    const [video] = stream.getVideoTracks();
    const [audio] = stream.getAudioTracks();
    video.addEventListener("ended", () => this.stopSharing()); // the browser's own "Stop sharing"
    /** @type {{track: MediaStreamTrack, source: Source}[]} */
    const entries = [{ track: video, source: "screen" }];
    if (audio) entries.push({ track: audio, source: "screen_audio" });
    this.connection?.publish(entries);
  }

  stopSharing() {
    if (!this.screen) return;
    this.connection?.unpublish("screen");
    this.connection?.unpublish("screen_audio");
    this.screen = null;
    this.render();
  }

  /** A device unplugged mid-class: say so, and take it back when it returns. @param {MediaStreamTrack} track @param {Source} source */
  watchDevice(track, source) {
    track.addEventListener("ended", () => {
      if (this.connection?.status === "closed") return;
      this.lost.add(source);
      this.connection?.setMuted(source, true);
      this.notices.banner(`device-${source}`, source === "camera" ? "media.camera_unplugged" : "media.microphone_unplugged", {}, "warning");
      this.render();
    });
  }

  /** Reopen a lost device (any camera or microphone) and send it under the same track. @param {"camera" | "microphone"} source */
  async recover(source) {
    try {
      const { stream } = await openCapture({ camera: source === "camera", microphone: source === "microphone", resolution: this.resolution() });
      const track = stream.getTracks()[0];
      if (!track) throw new CaptureError("no_devices");
      const old = source === "camera" ? this.stream.getVideoTracks()[0] : this.stream.getAudioTracks()[0];
      await this.connection?.replaceTrack(source, track);
      if (old) this.stream.removeTrack(old);
      this.stream.addTrack(track);
      this.watchDevice(track, source);
      this.lost.delete(source);
      if (source === "camera") this.cameraMuted = false;
      else this.micMuted = false;
      this.connection?.setMuted(source, false);
      this.notices.clearBanner(`device-${source}`);
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      this.notices.toast(source === "camera" ? "media.camera_unplugged" : "media.microphone_unplugged", {}, "error");
    }
    this.render();
  }

  /** Mark this tab as in the class, so that a reload goes straight back in. */
  rememberSession() {
    if (!this.claims) return;
    const saved = { name: this.name, capture: this.capture, audioOnly: this.audioOnly, micMuted: this.micMuted, cameraMuted: this.cameraMuted, inRoom: this.inRoom };
    this.session?.setItem(sessionKey(this.claims), JSON.stringify(saved));
  }

  /** @param {Ending} ending */
  closed(ending) {
    const claims = /** @type {JoinClaims} */ (this.claims);
    this.session?.removeItem(sessionKey(claims));
    for (const id of ["connection", "quality", "sound", "device-camera", "device-microphone", "blocked-microphone", "blocked-camera", "lobby"]) {
      this.notices.clearBanner(id);
    }
    this.view?.people?.destroy();
    this.view = null;
    this.viewSizes?.close();
    this.viewSizes = null;
    this.screen = null;
    this.statusBar.setQuality(null);
    const rejoin = {
      key: "class.rejoin",
      primary: true,
      onClick: () => {
        this.rememberSession();
        location.reload();
      },
    };
    if (ending.kind === "ended") {
      this.card("class.ended_title", this.endedByMe ? "class.ended_by_you" : "class.ended_body", "class_ended", "info");
    } else if (ending.kind === "left") {
      this.card("class.left_title", "class.left_body", "left", "info", {}, [rejoin]);
    } else {
      const code = ending.code ?? "unknown";
      const title = LINK_ERRORS[/** @type {keyof typeof LINK_ERRORS} */ (code)] ?? "class.error_title";
      this.card(title, errorKey(code), `error_${code}`, "error", { code }, code === "replaced" ? [rejoin] : []);
    }
  }

  /**
   * @param {string} titleKey @param {string} bodyKey @param {string} id @param {import("./ui/notices.js").Tone} tone
   * @param {import("../shared/i18n.js").Params} [args] @param {import("./ui/notices.js").Action[]} [actions]
   */
  card(titleKey, bodyKey, id, tone, args = {}, actions = []) {
    showCard(this.main, { titleKey, bodyKey, args, tone, actions, id });
  }

  clientId() {
    let id = this.local?.getItem(KEYS.clientId);
    if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs https
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      this.local?.setItem(KEYS.clientId, id);
    }
    return id;
  }
}

/** @param {string} code */
function errorKey(code) {
  return i18n.has(`error.${code}`) ? `error.${code}` : "error.unknown";
}

/** Storage that may be refused (privacy settings): null rather than a broken page. @param {() => Storage} get */
function safeStorage(get) {
  try {
    const storage = get();
    storage.getItem("classbridge.probe");
    return storage;
  } catch {
    return null;
  }
}

/** @param {Storage | null} storage @param {string} key */
function readJson(storage, key) {
  try {
    const value = storage?.getItem(key);
    return value ? JSON.parse(value) : null;
  } catch {
    return null;
  }
}

async function main() {
  const storage = safeStorage(() => localStorage);
  await i18n.loadLanguage(i18n.chooseLanguage(location.search, storage));
  i18n.translateTree(document);
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("lang-select"));
  select.value = i18n.language();
  select.addEventListener("change", async () => {
    await i18n.loadLanguage(/** @type {i18n.Language} */ (select.value), storage);
    i18n.translateTree(document);
  });
  new Page().start();
}

main().catch((error) => {
  console.error("classbridge: the page failed to start", error);
  document.getElementById("main")?.replaceChildren();
  const notice = document.getElementById("boot-error");
  if (notice) notice.hidden = false;
});

// @ts-check
/**
 * Local capture: camera, microphone and screen, with the failures people actually meet turned
 * into a few named problems the page can explain (blocked permission, no device, device busy).
 */

/** @typedef {"denied" | "no_camera" | "no_microphone" | "no_devices" | "in_use" | "failed" | "insecure"} CaptureProblem */
/**
 * @typedef {object} CaptureChoice
 * @property {boolean} camera
 * @property {boolean} microphone
 * @property {string | null} [cameraId]
 * @property {string | null} [microphoneId]
 * @property {"high" | "standard"} [resolution] lecturers and rooms send 720p, trainees 360p
 */
/**
 * @typedef {object} Capture
 * @property {MediaStream} stream
 * @property {CaptureProblem[]} problems devices asked for but not found (capture went on without them)
 */
/** @typedef {{id: string, label: string}} DeviceOption label is empty until capture was allowed */

export class CaptureError extends Error {
  /** @param {CaptureProblem} problem @param {string} [detail] */
  constructor(problem, detail = "") {
    super(`${problem}${detail ? `: ${detail}` : ""}`);
    this.problem = problem;
    this.detail = detail;
  }
}

/** Can this page capture at all? (getUserMedia exists only in secure contexts.) */
export function captureAvailable() {
  return Boolean(globalThis.isSecureContext && navigator.mediaDevices?.getUserMedia);
}

/** @param {CaptureChoice} choice @returns {MediaStreamConstraints} */
function constraints(choice) {
  const high = choice.resolution === "high";
  return {
    video: choice.camera && {
      ...(choice.cameraId ? { deviceId: { exact: choice.cameraId } } : {}),
      width: { ideal: high ? 1280 : 640 },
      height: { ideal: high ? 720 : 360 },
      frameRate: { ideal: 24, max: 30 },
    },
    audio: choice.microphone && {
      ...(choice.microphoneId ? { deviceId: { exact: choice.microphoneId } } : {}),
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
    },
  };
}

/**
 * Open the chosen devices. A missing device is not fatal: capture goes on with what exists and
 * the problem is reported; a refused permission or a busy device throws CaptureError.
 * @param {CaptureChoice} choice
 * @returns {Promise<Capture>}
 */
export async function openCapture(choice) {
  if (!choice.camera && !choice.microphone) return { stream: new MediaStream(), problems: [] };
  if (!captureAvailable()) throw new CaptureError(globalThis.isSecureContext ? "failed" : "insecure");
  try {
    return { stream: await navigator.mediaDevices.getUserMedia(constraints(choice)), problems: [] };
  } catch (error) {
    const name = errorName(error);
    if (name === "OverconstrainedError" && (choice.cameraId || choice.microphoneId)) {
      // A remembered device is gone (unplugged, another computer): fall back to the defaults.
      return openCapture({ ...choice, cameraId: null, microphoneId: null });
    }
    if (name !== "NotFoundError" && name !== "OverconstrainedError") throw classify(error);
  }
  /** @type {CaptureProblem[]} */
  const problems = [];
  const stream = new MediaStream();
  for (const kind of /** @type {const} */ (["camera", "microphone"])) {
    if (!choice[kind]) continue;
    const only = { ...choice, camera: kind === "camera", microphone: kind === "microphone" };
    try {
      const part = await navigator.mediaDevices.getUserMedia(constraints(only));
      part.getTracks().forEach((track) => stream.addTrack(track));
    } catch (error) {
      const name = errorName(error);
      if (name !== "NotFoundError" && name !== "OverconstrainedError") throw classify(error);
      problems.push(kind === "camera" ? "no_camera" : "no_microphone");
    }
  }
  if (!stream.getTracks().length) return { stream, problems: ["no_devices"] };
  return { stream, problems };
}

/**
 * The cameras and microphones the page may pick from (labels appear once permission is granted).
 * @returns {Promise<{cameras: DeviceOption[], microphones: DeviceOption[]}>}
 */
export async function listDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return { cameras: [], microphones: [] };
  const devices = await navigator.mediaDevices.enumerateDevices();
  /** @param {MediaDeviceKind} kind */
  const of = (kind) =>
    devices
      .filter((d) => d.kind === kind && d.deviceId)
      .map((d) => ({ id: d.deviceId, label: d.label }));
  return { cameras: of("videoinput"), microphones: of("audioinput") };
}

/**
 * Ask for a screen or window to share (slides). Null when the user cancels the picker.
 * @returns {Promise<MediaStream | null>}
 */
export async function openScreen() {
  if (!navigator.mediaDevices?.getDisplayMedia) throw new CaptureError("failed", "getDisplayMedia unavailable");
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: 15, max: 30 } },
      audio: true,
    });
    for (const track of stream.getVideoTracks()) track.contentHint = "detail"; // slides: sharp text over motion
    return stream;
  } catch (error) {
    if (errorName(error) === "NotAllowedError") return null;
    throw classify(error);
  }
}

/** @param {unknown} error @returns {CaptureError} */
function classify(error) {
  const name = errorName(error);
  if (name === "NotAllowedError" || name === "SecurityError") return new CaptureError("denied", name);
  if (name === "NotReadableError" || name === "AbortError") return new CaptureError("in_use", name);
  if (name === "NotFoundError") return new CaptureError("no_devices", name);
  return new CaptureError("failed", name || String(error));
}

/** @param {unknown} error */
function errorName(error) {
  return error instanceof Error || error instanceof DOMException ? error.name : "";
}

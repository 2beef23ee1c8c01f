// @ts-check
/**
 * How the page encodes what it sends (docs/relay.md, "Layers"). A camera is sent as up to three
 * tracks of one picture (the original and two clones), each on its own transceiver and encoded
 * at its own size and bitrate, so that the relay can give every trainee the one their link and
 * their tile can carry without decoding anything. Slides are sent for legibility: sharp text at a
 * low frame rate, never a smaller picture.
 */

/** @typedef {"high" | "medium" | "low"} Quality */
/**
 * @typedef {object} LayerEncoding what `sender.setParameters` gets in `encodings[0]`
 * @property {Quality} quality
 * @property {number} scaleResolutionDownBy
 * @property {number} maxBitrate bits per second
 * @property {number} maxFramerate
 */

/** The three layers, best first (the high one is the original track). */
export const CAMERA_LAYERS = /** @type {readonly LayerEncoding[]} */ (
  Object.freeze([
    Object.freeze({ quality: "high", scaleResolutionDownBy: 1, maxBitrate: 1_500_000, maxFramerate: 30 }),
    Object.freeze({ quality: "medium", scaleResolutionDownBy: 2, maxBitrate: 500_000, maxFramerate: 30 }),
    Object.freeze({ quality: "low", scaleResolutionDownBy: 4, maxBitrate: 150_000, maxFramerate: 15 }),
  ])
);

/** Slides: every pixel of the text, a few frames a second. */
export const SCREEN_ENCODING = Object.freeze({ maxBitrate: 1_200_000, maxFramerate: 5 });

/**
 * Apply an encoding to a sender's only encoding (and, for slides, keep the resolution when the
 * link is short: fewer frames rather than blurred text).
 * @param {RTCRtpSender} sender
 * @param {Partial<RTCRtpEncodingParameters>} encoding
 * @param {RTCDegradationPreference | null} [degradation]
 */
export async function encodeWith(sender, encoding, degradation = null) {
  const parameters = sender.getParameters();
  if (!parameters.encodings?.length) parameters.encodings = [{}];
  Object.assign(parameters.encodings[0], encoding);
  if (degradation) /** @type {any} */ (parameters).degradationPreference = degradation;
  await sender.setParameters(parameters);
}

/**
 * Start or stop encoding one layer (the relay's `layers` frame: nobody receives it).
 * @param {RTCRtpSender} sender @param {boolean} active
 */
export async function setActive(sender, active) {
  const parameters = sender.getParameters();
  if (!parameters.encodings?.length || parameters.encodings[0].active === active) return;
  parameters.encodings[0].active = active;
  await sender.setParameters(parameters);
}

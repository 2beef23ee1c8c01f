// @ts-check
/**
 * Connection quality from WebRTC statistics: round-trip time, packet loss and jitter, folded
 * into good / fair / poor so a trainee on a weak link sees at a glance why the picture froze.
 *
 * Loss is measured between two samples (packets lost / expected since the previous sample),
 * because cumulative counters hide a link that just got worse.
 */

/** @typedef {"good" | "fair" | "poor" | "unknown"} QualityLevel */
/**
 * @typedef {object} Counters cumulative receive counters of one sample
 * @property {number} packetsReceived
 * @property {number} packetsLost
 */
/**
 * @typedef {object} Quality
 * @property {QualityLevel} level
 * @property {number | null} rttMs
 * @property {number | null} lossPercent
 * @property {number | null} jitterMs
 */

/** Upper bounds for good and fair; anything worse is poor. Typical VoIP guidance. */
export const THRESHOLDS = Object.freeze({
  good: Object.freeze({ rttMs: 150, lossPercent: 2, jitterMs: 30 }),
  fair: Object.freeze({ rttMs: 400, lossPercent: 8, jitterMs: 80 }),
});

/**
 * @param {Counters | null} previous
 * @param {Counters} current
 * @returns {number | null} percent lost between the two samples
 */
export function lossBetween(previous, current) {
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = current.packetsLost - (previous?.packetsLost ?? 0);
  const expected = received + Math.max(lost, 0);
  if (expected <= 0) return null;
  return (Math.max(lost, 0) / expected) * 100;
}

/**
 * @param {{rttMs: number | null, lossPercent: number | null, jitterMs: number | null}} m
 * @returns {Quality}
 */
export function classify(m) {
  const known = [m.rttMs, m.lossPercent, m.jitterMs].filter((v) => v !== null && Number.isFinite(v));
  if (!known.length) return { ...m, level: "unknown" };
  /** @param {{rttMs: number, lossPercent: number, jitterMs: number}} limit */
  const within = (limit) =>
    (m.rttMs === null || m.rttMs <= limit.rttMs) &&
    (m.lossPercent === null || m.lossPercent <= limit.lossPercent) &&
    (m.jitterMs === null || m.jitterMs <= limit.jitterMs);
  const level = within(THRESHOLDS.good) ? "good" : within(THRESHOLDS.fair) ? "fair" : "poor";
  return { ...m, level };
}

const RANK = /** @type {Record<QualityLevel, number>} */ ({ unknown: 0, good: 1, fair: 2, poor: 3 });

/**
 * The level to show, from the latest levels (newest last): the better of the last two, so one
 * bad sample (a busy computer, a burst of loss) does not flip the indicator, two in a row do.
 * @param {QualityLevel[]} recent
 * @returns {QualityLevel}
 */
export function steadyLevel(recent) {
  const [previous, latest] = recent.slice(-2);
  if (latest === undefined) return previous ?? "unknown";
  if (previous === undefined || previous === "unknown" || latest === "unknown") return latest;
  return RANK[previous] < RANK[latest] ? previous : latest;
}

// @ts-check
/**
 * What the page's two peer connections say about the class, from getStats(): connection
 * quality (round-trip time, loss, jitter), who is speaking (audio level per participant) and
 * how much media arrives (packets, decoded frames).
 */

import { classify, lossBetween } from "./quality.js";

/** @typedef {import("./quality.js").Quality} Quality */
/** @typedef {import("./quality.js").Counters} Counters */
/**
 * @typedef {object} StatsSample
 * @property {Quality} quality
 * @property {Map<string, number>} audioLevels participant id → 0..1
 * @property {number} videoPacketsReceived
 * @property {number} audioPacketsReceived
 * @property {number} framesDecoded
 * @property {Counters} counters to pass back as `previous` next time
 */

/**
 * @param {RTCStatsReport[]} reports one per peer connection
 * @param {(mid: string) => string | undefined} ownerOfMid which participant an m-line carries
 * @param {Counters | null} previous the counters of the previous sample (loss is measured between samples)
 * @returns {StatsSample}
 */
export function summarize(reports, ownerOfMid, previous) {
  /** @type {number[]} */
  const rtts = [];
  /** @type {number[]} */
  const jitters = [];
  /** @type {number[]} */
  const sentLoss = [];
  const counters = { packetsReceived: 0, packetsLost: 0 };
  /** @type {Map<string, number>} */
  const audioLevels = new Map();
  let videoPacketsReceived = 0;
  let audioPacketsReceived = 0;
  let framesDecoded = 0;
  for (const report of reports) {
    /** @type {Map<string, any>} */
    const byId = new Map();
    report.forEach((stat) => byId.set(stat.id, stat));
    for (const stat of byId.values()) {
      if (stat.type === "transport" && stat.selectedCandidatePairId) {
        const pair = byId.get(stat.selectedCandidatePairId);
        if (pair?.currentRoundTripTime !== undefined) rtts.push(pair.currentRoundTripTime * 1000);
      } else if (stat.type === "inbound-rtp") {
        counters.packetsReceived += stat.packetsReceived ?? 0;
        counters.packetsLost += stat.packetsLost ?? 0;
        if (stat.jitter !== undefined) jitters.push(stat.jitter * 1000);
        if (stat.kind === "video") {
          videoPacketsReceived += stat.packetsReceived ?? 0;
          framesDecoded += stat.framesDecoded ?? 0;
        } else {
          audioPacketsReceived += stat.packetsReceived ?? 0;
          const owner = stat.mid ? ownerOfMid(stat.mid) : undefined;
          if (owner && stat.audioLevel !== undefined) {
            audioLevels.set(owner, Math.max(audioLevels.get(owner) ?? 0, stat.audioLevel));
          }
        }
      } else if (stat.type === "remote-inbound-rtp") {
        // What the server reports about what we send (a lecturer who receives little).
        if (stat.fractionLost !== undefined) sentLoss.push(stat.fractionLost * 100);
        if (stat.jitter !== undefined) jitters.push(stat.jitter * 1000);
      }
    }
  }
  const receivedLoss = counters.packetsReceived > 0 ? lossBetween(previous, counters) : null;
  const quality = classify({
    rttMs: rtts.length ? Math.max(...rtts) : null,
    lossPercent: receivedLoss ?? (sentLoss.length ? Math.max(...sentLoss) : null),
    jitterMs: jitters.length ? Math.max(...jitters) : null,
  });
  return { quality, audioLevels, videoPacketsReceived, audioPacketsReceived, framesDecoded, counters };
}

// @ts-check
/**
 * Reconnect delays: exponential with full-range jitter, so a server restart is not met by every
 * browser of a school knocking at the same instant.
 */

/**
 * @typedef {object} BackoffOptions
 * @property {number} initialMs first delay
 * @property {number} maxMs cap
 * @property {number} factor growth per attempt
 * @property {number} jitter fraction of the delay drawn at random (0..1)
 */

/** @type {BackoffOptions} */
export const DEFAULT_BACKOFF = Object.freeze({ initialMs: 500, maxMs: 8000, factor: 2, jitter: 0.3 });

export class Backoff {
  /** @param {Partial<BackoffOptions>} [options] @param {() => number} [random] */
  constructor(options = {}, random = Math.random) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
    this.random = random;
    this.attempt = 0;
  }

  /** The delay before the next attempt (and count it). */
  next() {
    const { initialMs, maxMs, factor, jitter } = this.options;
    const base = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt += 1;
    return Math.round(base * (1 - jitter + jitter * this.random()));
  }

  reset() {
    this.attempt = 0;
  }
}

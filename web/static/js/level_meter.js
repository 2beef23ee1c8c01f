// @ts-check
/**
 * A microphone level for the pre-join meter, from a WebAudio AnalyserNode: the people who
 * most need it (a trainee with a headset that is not plugged in) see a bar that does not move.
 */

/**
 * RMS of time-domain samples (-1..1), scaled so that normal speech fills most of the bar.
 * @param {Float32Array} samples
 * @returns {number} 0..1
 */
export function levelOf(samples) {
  if (!samples.length) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length);
  return Math.min(1, rms * 4);
}

export class LevelMeter {
  /** @param {MediaStream} stream with an audio track */
  constructor(stream) {
    this.context = new AudioContext();
    this.source = this.context.createMediaStreamSource(stream);
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 1024;
    this.source.connect(this.analyser);
    this.buffer = new Float32Array(this.analyser.fftSize);
  }

  /** The current level, 0..1. */
  read() {
    this.analyser.getFloatTimeDomainData(this.buffer);
    return levelOf(this.buffer);
  }

  close() {
    this.source.disconnect();
    void this.context.close();
  }
}

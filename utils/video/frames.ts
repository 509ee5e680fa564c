/**
 * Which frames of a packing video become reference candidates. Pure and online: the page probes
 * the video at a fixed step (seek + draw a tiny copy), hands each probe's signature to
 * `FrameSelector.push`, and learns at once whether to keep that frame, so one pass over the video
 * is enough.
 *
 * Kept frames:
 *   first      the first probe
 *   scene      the picture changed: mean absolute grey difference to the previous probe
 *              ≥ SCENE_THRESHOLD (0.08: two product shots on one table differ by ~0.12, codec noise
 *              of a still camera is < 0.01), at least MIN_SCENE_GAP_MS after the last scene frame
 *              (a hand waving through the picture does not make ten scenes)
 *   interval   every `intervalMs` since the last kept frame, so a static camera still yields frames
 * First and scene frames are preselected; interval frames are offered, not preselected, unless
 * they differ from the last kept frame by at least SCENE_THRESHOLD / 2 (slow drifts of the view).
 */

/** Side lengths of the grey signature drawn from each probe. */
export const SIG_W = 32;
export const SIG_H = 18;
/** Mean absolute grey difference (0..1) that counts as a scene change. */
export const SCENE_THRESHOLD = 0.08;
export const MIN_SCENE_GAP_MS = 1500;
export const DEFAULT_PROBE_MS = 500;
export const DEFAULT_INTERVAL_MS = 10_000;
/** Upper bound on probes for very long videos (the step grows instead). */
export const MAX_PROBES = 1200;

export interface Candidate {
  timeMs: number;
  reason: 'first' | 'scene' | 'interval';
  preselected: boolean;
  /** Difference to the previous probe (scene) or to the last kept frame (interval), 0..1. */
  change: number;
}

/** Grey signature (SIG_W × SIG_H bytes) from RGBA pixels of any size (area average). */
export function greySignature(img: { width: number; height: number; data: Uint8Array | Uint8ClampedArray }): Uint8Array {
  const out = new Uint8Array(SIG_W * SIG_H);
  const sx = img.width / SIG_W, sy = img.height / SIG_H;
  for (let y = 0; y < SIG_H; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < SIG_W; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let sum = 0, n = 0;
      for (let yy = y0; yy < y1 && yy < img.height; yy++) {
        for (let xx = x0; xx < x1 && xx < img.width; xx++) {
          const i = (yy * img.width + xx) * 4;
          sum += 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
          n++;
        }
      }
      out[y * SIG_W + x] = n ? Math.round(sum / n) : 0;
    }
  }
  return out;
}

/** Mean absolute difference of two signatures, 0..1. */
export function signatureDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  if (!n) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i] - b[i]);
  return s / n / 255;
}

/** Probe times for a video: every `probeMs` (grown so there are at most MAX_PROBES), never past the end. */
export function probeTimes(durationMs: number, probeMs = DEFAULT_PROBE_MS): number[] {
  if (!Number.isFinite(durationMs) || durationMs <= 0) return [0];
  const step = Math.max(probeMs, Math.ceil(durationMs / MAX_PROBES));
  const out: number[] = [];
  // Stay a little before the end: seeking to the exact duration shows no frame in some decoders.
  const last = Math.max(0, durationMs - 50);
  for (let t = 0; t <= last; t += step) out.push(t);
  return out;
}

export class FrameSelector {
  private prev?: Uint8Array;
  private lastKept?: { timeMs: number; sig: Uint8Array };
  private lastScene = -Infinity;
  readonly kept: Candidate[] = [];

  constructor(private intervalMs = DEFAULT_INTERVAL_MS) {}

  /** Feed the next probe (in time order); returns the candidate when this frame is kept. */
  push(timeMs: number, sig: Uint8Array): Candidate | undefined {
    const prev = this.prev;
    this.prev = sig;
    let c: Candidate | undefined;
    if (!this.lastKept) {
      c = { timeMs, reason: 'first', preselected: true, change: 0 };
      this.lastScene = timeMs;
    } else {
      const d = prev ? signatureDifference(prev, sig) : 0;
      if (d >= SCENE_THRESHOLD && timeMs - this.lastScene >= MIN_SCENE_GAP_MS) {
        c = { timeMs, reason: 'scene', preselected: true, change: d };
        this.lastScene = timeMs;
      } else if (timeMs - this.lastKept.timeMs >= this.intervalMs) {
        const drift = signatureDifference(this.lastKept.sig, sig);
        c = { timeMs, reason: 'interval', preselected: drift >= SCENE_THRESHOLD / 2, change: drift };
      }
    }
    if (c) {
      this.lastKept = { timeMs, sig };
      this.kept.push(c);
    }
    return c;
  }
}

/** Run the selector over a whole list of probes (tests, and pages that probe first). */
export function selectFrames(probes: { timeMs: number; sig: Uint8Array }[], intervalMs = DEFAULT_INTERVAL_MS): Candidate[] {
  const s = new FrameSelector(intervalMs);
  for (const p of probes) s.push(p.timeMs, p.sig);
  return s.kept;
}

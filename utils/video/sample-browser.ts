/**
 * Frames of a packing video in an extension page (DOM: <video>, canvas). One pass: seek to each
 * probe time, draw a 32×18 grey signature, let FrameSelector decide, and keep a small thumbnail of
 * each candidate. Full-size frames are grabbed again only for the frames the merchant adds.
 * Chromium without proprietary codecs cannot play H.264/HEVC MP4: that surfaces as
 * VideoCodecError so the page can say so in words.
 */
import { FrameSelector, SIG_H, SIG_W, greySignature, probeTimes, DEFAULT_INTERVAL_MS, DEFAULT_PROBE_MS, type Candidate } from './frames';

export class VideoCodecError extends Error {
  constructor(public mime: string) {
    super('codec');
  }
}

export interface SampledFrame extends Candidate {
  /** Object URL of a JPEG thumbnail (revoke when done). */
  thumbUrl: string;
}

export interface SampleProgress {
  doneMs: number;
  totalMs: number;
  frames: number;
}

export interface OpenedVideo {
  video: HTMLVideoElement;
  url: string;
  durationMs: number;
  width: number;
  height: number;
  close(): void;
}

const VIDEO_EXT = /\.(mp4|m4v|mov|webm|mkv|ogv)$/i;

export function looksLikeVideo(file: { name: string; type: string }): boolean {
  return file.type.startsWith('video/') || VIDEO_EXT.test(file.name);
}

function once(el: HTMLMediaElement, ok: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: unknown) => {
      el.removeEventListener(ok, onOk);
      el.removeEventListener('error', onErr);
      clearTimeout(timer);
      if (e) reject(e);
      else resolve();
    };
    const onOk = () => done();
    const onErr = () => done(el.error ?? new Error('media error'));
    const timer = setTimeout(() => done(new Error(`timeout waiting for ${ok}`)), timeoutMs);
    el.addEventListener(ok, onOk);
    el.addEventListener('error', onErr);
  });
}

/** Load a video file for seeking; rejects with VideoCodecError when the browser cannot decode it. */
export async function openVideo(file: File): Promise<OpenedVideo> {
  const mime = file.type || (/\.mov$/i.test(file.name) ? 'video/quicktime' : /\.webm$/i.test(file.name) ? 'video/webm' : 'video/mp4');
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  const url = URL.createObjectURL(file);
  const close = () => {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  };
  try {
    if (video.canPlayType(mime) === '' && mime !== 'video/quicktime') throw new VideoCodecError(mime);
    video.src = url;
    await once(video, 'loadeddata', 30_000);
  } catch (e) {
    close();
    if (e instanceof VideoCodecError) throw e;
    const err = e as MediaError;
    if (typeof err?.code === 'number') throw new VideoCodecError(mime);
    throw e;
  }
  if (!video.videoWidth || !video.videoHeight) {
    close();
    throw new VideoCodecError(mime);
  }
  const durationMs = (await findDuration(video)) * 1000;
  if (!(durationMs > 0)) {
    close();
    throw new VideoCodecError(mime);
  }
  return { video, url, durationMs, width: video.videoWidth, height: video.videoHeight, close };
}

/**
 * Duration in seconds. WebM written by MediaRecorder (and some phone apps) has none in its header:
 * seek far past the end and wait until the browser has found the last frame ('durationchange').
 */
async function findDuration(video: HTMLVideoElement): Promise<number> {
  if (Number.isFinite(video.duration) && video.duration > 0) return video.duration;
  const finite = new Promise<void>((ok) => {
    const h = () => {
      if (Number.isFinite(video.duration)) {
        video.removeEventListener('durationchange', h);
        ok();
      }
    };
    video.addEventListener('durationchange', h);
    setTimeout(() => { video.removeEventListener('durationchange', h); ok(); }, 60_000);
  });
  video.currentTime = 1e9;
  await finite;
  let d = video.duration;
  if (!Number.isFinite(d)) {
    const b = video.buffered.length ? video.buffered.end(video.buffered.length - 1) : 0;
    const sk = video.seekable.length ? video.seekable.end(video.seekable.length - 1) : 0;
    d = Math.max(b, Number.isFinite(sk) ? sk : 0, video.currentTime);
  }
  await seekTo(video, 0).catch(() => {});
  return d;
}

/** Seek (no-op when already there) and wait until the frame can be drawn. */
export async function seekTo(video: HTMLVideoElement, timeMs: number): Promise<void> {
  const t = timeMs / 1000;
  if (Math.abs(video.currentTime - t) < 0.001 && video.readyState >= 2) return;
  const p = once(video, 'seeked', 20_000);
  video.currentTime = t;
  await p;
}

async function canvasJpeg(c: OffscreenCanvas, quality: number): Promise<Blob> {
  return c.convertToBlob({ type: 'image/jpeg', quality });
}

/** Probe the whole video and return the candidate frames with thumbnails. */
export async function sampleFrames(
  v: OpenedVideo,
  opts: { probeMs?: number; intervalMs?: number; thumbSide?: number; signal?: AbortSignal; onProgress?: (p: SampleProgress, frame?: SampledFrame) => void } = {},
): Promise<SampledFrame[]> {
  const sel = new FrameSelector(opts.intervalMs ?? DEFAULT_INTERVAL_MS);
  const sig = new OffscreenCanvas(SIG_W, SIG_H);
  const sctx = sig.getContext('2d', { willReadFrequently: true })!;
  const side = opts.thumbSide ?? 240;
  const s = Math.min(1, side / Math.max(v.width, v.height));
  const thumb = new OffscreenCanvas(Math.max(1, Math.round(v.width * s)), Math.max(1, Math.round(v.height * s)));
  const tctx = thumb.getContext('2d')!;
  const out: SampledFrame[] = [];
  const times = probeTimes(v.durationMs, opts.probeMs ?? DEFAULT_PROBE_MS);
  for (const t of times) {
    if (opts.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    await seekTo(v.video, t);
    sctx.drawImage(v.video, 0, 0, SIG_W, SIG_H);
    const px = sctx.getImageData(0, 0, SIG_W, SIG_H);
    const c = sel.push(t, greySignature(px));
    let frame: SampledFrame | undefined;
    if (c) {
      tctx.drawImage(v.video, 0, 0, thumb.width, thumb.height);
      frame = { ...c, thumbUrl: URL.createObjectURL(await canvasJpeg(thumb, 0.8)) };
      out.push(frame);
    }
    opts.onProgress?.({ doneMs: t, totalMs: v.durationMs, frames: out.length }, frame);
  }
  opts.onProgress?.({ doneMs: v.durationMs, totalMs: v.durationMs, frames: out.length });
  return out;
}

/** A full-size frame as JPEG bytes (what is imported as the reference's original). */
export async function grabFrameJpeg(v: OpenedVideo, timeMs: number, quality = 0.92): Promise<Uint8Array> {
  await seekTo(v.video, timeMs);
  const c = new OffscreenCanvas(v.width, v.height);
  c.getContext('2d')!.drawImage(v.video, 0, 0, v.width, v.height);
  return new Uint8Array(await (await canvasJpeg(c, quality)).arrayBuffer());
}

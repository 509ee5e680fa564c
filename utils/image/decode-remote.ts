/**
 * Work done for the service worker in another context: it has no WebCodecs `ImageDecoder`, so it
 * hands JPEGs to a dedicated worker that the offscreen document starts (entrypoints/offscreen); a
 * second worker makes a check's pictures (bottom of this file). The service worker gives each a
 * MessagePort once (through the document: DECODER_PORT) and then posts jobs straight on it; each
 * job carries its own reply port.
 * Bytes and pixels travel as transferred ArrayBuffers (extension messaging would serialise them
 * as JSON). Measured on the 2.3 MB bench photo: a job posted to the document's client took about
 * 70 ms to reach the worker; over the port the round trip, decode included, fell from 175 to 110 ms.
 *
 * Pure protocol over `postMessage`-like objects: tests drive it with MessageChannels in Node.
 */
import { CheckFailure } from '../errors';
import type { Decoded, Decoder } from './decode';
import type { ImageFormat, RGBAImage } from '../types';
import type { CheckPictures } from '../library/pictures';

export const DECODE_JOB = 'refundlens-decode';
/** Hands a worker the port its jobs arrive on (service worker → offscreen document → worker). */
export const DECODER_PORT = 'refundlens-decoder-port';
/** Tells the document a check is starting (it stays open: the job follows on the port). */
export const DECODER_KEEP = 'refundlens-decoder-keep';
/**
 * The document's workers: decodes never wait behind a check's pictures; 'c2pa' is the official
 * C2PA reader's supervisor (utils/metadata/c2pa-remote.ts), 'ocr' the visible-label reader's
 * (utils/ocr/remote.ts); both start their worker on first use.
 */
export const WORKER_ROLES = ['decode', 'pictures', 'c2pa', 'ocr'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

/** The single port a message must carry (a handover's job port, a job's reply port). */
function onlyPort(ports: readonly MessagePort[] | undefined): MessagePort | undefined {
  return ports?.length === 1 ? ports[0] : undefined;
}

/** The job port of a DECODER_PORT message and the worker it is for, or undefined for anything else. */
export function parsePortHandover(data: unknown, ports: readonly MessagePort[] | undefined): { port: MessagePort; role: WorkerRole } | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (d.type !== DECODER_PORT || !WORKER_ROLES.includes(d.role as WorkerRole)) return undefined;
  const port = onlyPort(ports);
  return port ? { port, role: d.role as WorkerRole } : undefined;
}

export interface DecodeJob {
  type: typeof DECODE_JOB;
  bytes: ArrayBuffer;
  maxSide: number;
}

export type DecodeReply =
  | { ok: true; width: number; height: number; imageWidth: number; imageHeight: number; data: ArrayBuffer }
  | { ok: false; code: string; params?: Record<string, string | number> };

interface PortLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
}

/** A job as received: its shape checked, the reply port taken from the transferred ports. */
export function parseDecodeJob(data: unknown, ports: readonly MessagePort[] | undefined): { job: DecodeJob; port: MessagePort } | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (d.type !== DECODE_JOB || !(d.bytes instanceof ArrayBuffer)) return undefined;
  if (typeof d.maxSide !== 'number' || !Number.isInteger(d.maxSide) || d.maxSide < 16 || d.maxSide > 8192) return undefined;
  const port = onlyPort(ports);
  if (!port) return undefined;
  return { job: { type: DECODE_JOB, bytes: d.bytes, maxSide: d.maxSide }, port };
}

/** Worker side: decode one job and answer on its port (never throws). */
export async function answerDecodeJob(
  job: DecodeJob,
  port: PortLike,
  decode: (bytes: Uint8Array, maxSide: number) => Promise<Decoded>,
): Promise<void> {
  let reply: DecodeReply;
  let transfer: Transferable[] = [];
  try {
    const d = await decode(new Uint8Array(job.bytes), job.maxSide);
    const px = d.image.data;
    // the canvas's own buffer when it is whole, else a copy
    const data = px.byteOffset === 0 && px.byteLength === px.buffer.byteLength ? (px.buffer as ArrayBuffer) : px.slice().buffer;
    reply = { ok: true, width: d.width, height: d.height, imageWidth: d.image.width, imageHeight: d.image.height, data };
    transfer = [data];
  } catch (e) {
    reply = e instanceof CheckFailure ? { ok: false, code: e.code, params: e.params as Record<string, string | number> } : { ok: false, code: 'err_decode_failed' };
  }
  port.postMessage(reply, transfer);
}

/** A reply as received (from our own worker, still checked before its pixels are used). */
export function parseDecodeReply(data: unknown, maxSide: number): DecodeReply | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const r = data as Record<string, unknown>;
  if (r.ok === false) {
    if (typeof r.code !== 'string') return undefined;
    const params: Record<string, number> = {};
    for (const k of ['width', 'height'] as const) {
      const v = (r.params as Record<string, unknown> | undefined)?.[k];
      if (typeof v === 'number' && Number.isFinite(v)) params[k] = v;
    }
    return { ok: false, code: r.code, params };
  }
  if (r.ok !== true || !(r.data instanceof ArrayBuffer)) return undefined;
  const ints = [r.width, r.height, r.imageWidth, r.imageHeight];
  if (!ints.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)) return undefined;
  const [width, height, iw, ih] = ints as number[];
  if (Math.max(iw, ih) > maxSide || iw > width || ih > height || r.data.byteLength !== iw * ih * 4) return undefined;
  return { ok: true, width, height, imageWidth: iw, imageHeight: ih, data: r.data };
}

export interface RemoteDecoderOptions {
  /** The decoder for everything the remote one does not take (other formats, failures). */
  fallback: Decoder;
  /** Where jobs go (the decoder worker's port), or undefined when it cannot be had. */
  connect(): Promise<PortLike | undefined>;
  /** Give up on the remote side after this long and decode locally. */
  timeoutMs?: number;
  /** Called when the remote side did not answer in time (its link is stale). */
  onLost?(): void;
}

/**
 * A Decoder that sends JPEGs to the remote decoder and falls back to the local one when the remote
 * side is missing, slow or fails for any reason other than the photo's size (so a truncated or odd
 * JPEG gets exactly the local decoder's verdict).
 */
export function remoteDecoder(opts: RemoteDecoderOptions): Decoder {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return async (bytes: Uint8Array, format: ImageFormat, maxSide: number): Promise<Decoded> => {
    if (format !== 'jpeg') return opts.fallback(bytes, format, maxSide);
    let target: PortLike | undefined;
    try {
      target = await opts.connect();
    } catch {
      target = undefined;
    }
    if (!target) return opts.fallback(bytes, format, maxSide);
    const reply = await ask(target, bytes, maxSide, timeoutMs);
    if (reply === 'timeout') {
      opts.onLost?.();
      return opts.fallback(bytes, format, maxSide);
    }
    if (reply?.ok) {
      return {
        image: { width: reply.imageWidth, height: reply.imageHeight, data: new Uint8ClampedArray(reply.data) },
        width: reply.width,
        height: reply.height,
      };
    }
    if (reply && reply.code === 'err_too_many_pixels') throw new CheckFailure('err_too_many_pixels', reply.params ?? {});
    return opts.fallback(bytes, format, maxSide);
  };
}

/**
 * Post `msg` with a fresh reply port (plus `transfer`) and resolve with the parsed reply, undefined
 * for a reply that fails `parse` or a post that throws, or 'timeout'.
 */
function request<R>(target: PortLike, msg: unknown, transfer: Transferable[], timeoutMs: number, parse: (data: unknown) => R | undefined): Promise<R | undefined | 'timeout'> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    const done = (r: R | undefined | 'timeout') => {
      clearTimeout(timer);
      ch.port1.close();
      resolve(r);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    ch.port1.onmessage = (e: MessageEvent) => done(parse(e.data));
    ch.port1.onmessageerror = () => done(undefined);
    try {
      target.postMessage(msg, [ch.port2, ...transfer]);
    } catch {
      done(undefined);
    }
  });
}

function ask(target: PortLike, bytes: Uint8Array, maxSide: number, timeoutMs: number): Promise<DecodeReply | undefined | 'timeout'> {
  const copy = bytes.slice().buffer; // the caller keeps its bytes (hash, metadata, fallback)
  const job: DecodeJob = { type: DECODE_JOB, bytes: copy, maxSide };
  return request(target, job, [copy], timeoutMs, (data) => parseDecodeReply(data, maxSide));
}

// ---- a check's pictures (utils/library/pictures.ts) made in the worker ------------------------

export const PICTURES_JOB = 'refundlens-pictures';

export interface PicturesJob {
  type: typeof PICTURES_JOB;
  rgba: ArrayBuffer;
  width: number;
  height: number;
  jpeg: boolean;
}

export function parsePicturesJob(data: unknown, ports: readonly MessagePort[] | undefined): { job: PicturesJob; port: MessagePort } | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (d.type !== PICTURES_JOB || !(d.rgba instanceof ArrayBuffer) || typeof d.jpeg !== 'boolean') return undefined;
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 8192;
  if (!ok(d.width) || !ok(d.height) || d.rgba.byteLength !== d.width * d.height * 4) return undefined;
  const port = onlyPort(ports);
  if (!port) return undefined;
  return { job: { type: PICTURES_JOB, rgba: d.rgba, width: d.width, height: d.height, jpeg: d.jpeg }, port };
}

/** Worker side: make the pictures and answer on the job's port (never throws). */
export async function answerPicturesJob(
  job: PicturesJob,
  port: PortLike,
  make: (img: RGBAImage, jpeg: boolean) => Promise<CheckPictures>,
): Promise<void> {
  try {
    const p = await make({ width: job.width, height: job.height, data: new Uint8ClampedArray(job.rgba) }, job.jpeg);
    port.postMessage({ ok: true, ...p });
  } catch {
    port.postMessage({ ok: false });
  }
}

/** The pictures of a reply, checked (bytes where bytes belong, finite figures), or undefined. */
export function parsePicturesReply(data: unknown): CheckPictures | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const r = data as Record<string, unknown>;
  const bytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.length > 0;
  if (r.ok !== true || !bytes(r.image) || !bytes(r.thumb)) return undefined;
  let ela: CheckPictures['ela'];
  if (r.ela !== undefined) {
    const e = r.ela as Record<string, unknown>;
    const nums = [e?.mean, e?.p99, e?.gain, e?.quality];
    if (!e || !bytes(e.png) || !nums.every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
    ela = { png: e.png, mean: e.mean as number, p99: e.p99 as number, gain: e.gain as number, quality: e.quality as number };
  }
  return { image: r.image, thumb: r.thumb, ela };
}

/**
 * Service side: a check's pictures made by the remote worker. Throws when the worker is missing,
 * silent or fails: the caller then makes them itself.
 */
export function remotePictures(opts: { connect(): Promise<PortLike | undefined>; timeoutMs?: number }): (img: RGBAImage, jpeg: boolean) => Promise<CheckPictures> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  return async (img, jpeg) => {
    const target = await opts.connect();
    if (!target) throw new Error('no pictures worker');
    const rgba = img.data.slice().buffer; // a copy: if the worker fails, the caller makes them from img
    const job: PicturesJob = { type: PICTURES_JOB, rgba, width: img.width, height: img.height, jpeg };
    const reply = await request(target, job, [rgba], timeoutMs, parsePicturesReply);
    if (!reply || reply === 'timeout') throw new Error('the pictures worker did not answer');
    return reply;
  };
}

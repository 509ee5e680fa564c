/**
 * Decoding in another context than the caller's: the service worker has no WebCodecs
 * `ImageDecoder`, so it hands JPEGs to a dedicated worker that the offscreen document starts
 * (entrypoints/offscreen). The service worker gives the worker a MessagePort once (through the
 * document: DECODER_PORT) and then posts jobs straight on it; each job carries its own reply port.
 * Bytes and pixels travel as transferred ArrayBuffers (extension messaging would serialise them
 * as JSON). Measured on the 2.3 MB bench photo: a job posted to the document's client took about
 * 70 ms to reach the worker; over the port the round trip, decode included, fell from 175 to 110 ms.
 *
 * Pure protocol over `postMessage`-like objects: tests drive it with MessageChannels in Node.
 */
import { CheckFailure } from '../errors';
import type { Decoded, Decoder } from './decode';
import type { ImageFormat } from '../types';

export const DECODE_JOB = 'refundlens-decode';
/** Hands the worker the port its jobs arrive on (service worker → offscreen document → worker). */
export const DECODER_PORT = 'refundlens-decoder-port';
/** Tells the document a check is starting (it stays open: the job follows on the port). */
export const DECODER_KEEP = 'refundlens-decoder-keep';

/** The job port of a DECODER_PORT message, or undefined for anything else. */
export function parsePortHandover(data: unknown, ports: readonly MessagePort[] | undefined): MessagePort | undefined {
  if (!data || typeof data !== 'object' || (data as Record<string, unknown>).type !== DECODER_PORT) return undefined;
  return ports?.length === 1 ? ports[0] : undefined;
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
  const port = ports?.[0];
  if (!port || ports.length !== 1) return undefined;
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

function ask(target: PortLike, bytes: Uint8Array, maxSide: number, timeoutMs: number): Promise<DecodeReply | undefined | 'timeout'> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    const done = (r: DecodeReply | undefined | 'timeout') => {
      clearTimeout(timer);
      ch.port1.close();
      resolve(r);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    ch.port1.onmessage = (e: MessageEvent) => done(parseDecodeReply(e.data, maxSide));
    ch.port1.onmessageerror = () => done(undefined);
    const copy = bytes.slice().buffer; // the caller keeps its bytes (hash, metadata, fallback)
    const job: DecodeJob = { type: DECODE_JOB, bytes: copy, maxSide };
    try {
      target.postMessage(job, [ch.port2, copy]);
    } catch {
      done(undefined);
    }
  });
}

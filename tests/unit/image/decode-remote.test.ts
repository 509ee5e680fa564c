/**
 * The service worker's JPEG decoder that runs in the offscreen document's worker: the protocol over
 * real MessageChannels (Node's), with the worker side played by answerDecodeJob.
 */
import { describe, expect, it, vi } from 'vitest';
import { CheckFailure } from '../../../utils/errors';
import { answerDecodeJob, answerPicturesJob, DECODE_JOB, DECODER_PORT, parseDecodeJob, parseDecodeReply, parsePicturesJob, parsePicturesReply, parsePortHandover, PICTURES_JOB, remoteDecoder, remotePictures } from '../../../utils/image/decode-remote';
import { makePictures } from '../../../utils/library/pictures';
import { decodeInNode, encodeInNode } from '../../../utils/image/decode-node';
import { jpegScaleEighths } from '../../../utils/image/decode-scaled';
import type { Decoded, Decoder } from '../../../utils/image/decode';

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 1, 2, 3, 4]);

function solid(w: number, h: number, v: number): Decoded {
  return { image: { width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(v) }, width: w * 4, height: h * 4 };
}

/** A stand-in for the offscreen document: parses the job as the real one does, then answers. */
function fakeWorker(decode: (bytes: Uint8Array, maxSide: number) => Promise<Decoded>, seen: { bytes?: Uint8Array } = {}) {
  return {
    postMessage(msg: unknown, transfer: Transferable[] = []) {
      const ports = transfer.filter((t): t is MessagePort => t instanceof MessagePort);
      const got = parseDecodeJob(msg, ports);
      if (!got) throw new Error('job refused');
      seen.bytes = new Uint8Array(got.job.bytes);
      void answerDecodeJob(got.job, got.port, decode);
    },
  };
}

const fallbackOf = (d: Decoded) => vi.fn<Decoder>(async () => d);

describe('remote JPEG decoder (offscreen worker protocol)', () => {
  it('sends JPEG bytes (a copy: the caller keeps its own) and returns the worker pixels', async () => {
    const seen: { bytes?: Uint8Array } = {};
    const fallback = fallbackOf(solid(1, 1, 0));
    const lost = vi.fn();
    const decode = remoteDecoder({ fallback, connect: async () => fakeWorker(async (_b, max) => solid(max, max / 2, 7), seen), onLost: lost });
    const d = await decode(JPEG, 'jpeg', 64);
    expect([d.image.width, d.image.height, d.width, d.height]).toEqual([64, 32, 256, 128]);
    expect(d.image.data).toBeInstanceOf(Uint8ClampedArray);
    expect(d.image.data.length).toBe(64 * 32 * 4);
    expect(d.image.data[100]).toBe(7);
    expect([...seen.bytes!]).toEqual([...JPEG]);
    expect(JPEG.byteLength).toBe(8); // not detached
    expect(fallback).not.toHaveBeenCalled();
    expect(lost).not.toHaveBeenCalled();
  });

  it('other formats, a missing document or a throwing connect go to the local decoder', async () => {
    const local = solid(2, 2, 1);
    const fallback = fallbackOf(local);
    const worker = vi.fn();
    expect(await remoteDecoder({ fallback, connect: async () => ({ postMessage: worker }) })(JPEG, 'png', 64)).toBe(local);
    expect(worker).not.toHaveBeenCalled();
    expect(await remoteDecoder({ fallback, connect: async () => undefined })(JPEG, 'jpeg', 64)).toBe(local);
    expect(await remoteDecoder({ fallback, connect: async () => { throw new Error('no offscreen'); } })(JPEG, 'jpeg', 64)).toBe(local);
    expect(fallback).toHaveBeenCalledTimes(3);
  });

  it('a failed remote decode falls back (the local decoder gives its own verdict); a too-large photo is refused at once', async () => {
    const local = solid(2, 2, 1);
    const fallback = fallbackOf(local);
    const failing = remoteDecoder({ fallback, connect: async () => fakeWorker(async () => { throw new CheckFailure('err_decode_failed'); }) });
    expect(await failing(JPEG, 'jpeg', 64)).toBe(local);
    const crashing = remoteDecoder({ fallback, connect: async () => fakeWorker(async () => { throw new TypeError('boom'); }) });
    expect(await crashing(JPEG, 'jpeg', 64)).toBe(local);
    expect(fallback).toHaveBeenCalledTimes(2);
    const huge = remoteDecoder({ fallback, connect: async () => fakeWorker(async () => { throw new CheckFailure('err_too_many_pixels', { width: 20000, height: 20000 }); }) });
    await expect(huge(JPEG, 'jpeg', 64)).rejects.toMatchObject({ code: 'err_too_many_pixels', params: { width: 20000, height: 20000 } });
    expect(fallback).toHaveBeenCalledTimes(2);
  });

  it('a silent worker times out into the local decoder and is reported lost', async () => {
    const local = solid(2, 2, 1);
    const lost = vi.fn();
    const decode = remoteDecoder({ fallback: fallbackOf(local), connect: async () => ({ postMessage() {} }), timeoutMs: 30, onLost: lost });
    expect(await decode(JPEG, 'jpeg', 64)).toBe(local);
    expect(lost).toHaveBeenCalledOnce(); // the caller drops its stale link
  });

  it('replies are checked: wrong pixel count, oversize or missing fields are refused', () => {
    const ok = { ok: true, width: 400, height: 300, imageWidth: 40, imageHeight: 30, data: new ArrayBuffer(40 * 30 * 4) };
    expect(parseDecodeReply(ok, 64)).toMatchObject({ ok: true, imageWidth: 40 });
    expect(parseDecodeReply({ ...ok, data: new ArrayBuffer(10) }, 64)).toBeUndefined();
    expect(parseDecodeReply(ok, 32)).toBeUndefined(); // larger than asked
    expect(parseDecodeReply({ ...ok, width: 20 }, 64)).toBeUndefined(); // analysis copy larger than the photo
    expect(parseDecodeReply({ ...ok, height: 1.5 }, 64)).toBeUndefined();
    expect(parseDecodeReply({ ok: false, code: 'err_decode_failed', params: { width: '<b>' } }, 64)).toEqual({ ok: false, code: 'err_decode_failed', params: {} });
    expect(parseDecodeReply('x', 64)).toBeUndefined();
  });

  it('jobs are checked: type, bytes, size bounds and exactly one reply port', () => {
    const { port1, port2 } = new MessageChannel();
    const job = { type: DECODE_JOB, bytes: new ArrayBuffer(4), maxSide: 1024 };
    expect(parseDecodeJob(job, [port1])?.job.maxSide).toBe(1024);
    expect(parseDecodeJob(job, [])).toBeUndefined();
    expect(parseDecodeJob(job, [port1, port2])).toBeUndefined();
    expect(parseDecodeJob({ ...job, type: 'other' }, [port1])).toBeUndefined();
    expect(parseDecodeJob({ ...job, bytes: [1, 2] }, [port1])).toBeUndefined();
    expect(parseDecodeJob({ ...job, maxSide: 1e6 }, [port1])).toBeUndefined();
    expect(parseDecodeJob({ ...job, maxSide: 10.5 }, [port1])).toBeUndefined();
    expect(parseDecodeJob(null, [port1])).toBeUndefined();
    port1.close();
    port2.close();
  });

  it('the document takes nothing but a port handover for one of its two workers, with exactly one port', () => {
    const { port1, port2 } = new MessageChannel();
    expect(parsePortHandover({ type: DECODER_PORT, role: 'decode' }, [port1])).toEqual({ port: port1, role: 'decode' });
    expect(parsePortHandover({ type: DECODER_PORT, role: 'pictures' }, [port1])?.role).toBe('pictures');
    expect(parsePortHandover({ type: DECODER_PORT, role: 'other' }, [port1])).toBeUndefined();
    expect(parsePortHandover({ type: DECODER_PORT }, [port1])).toBeUndefined();
    expect(parsePortHandover({ type: DECODER_PORT, role: 'decode' }, [])).toBeUndefined();
    expect(parsePortHandover({ type: DECODER_PORT, role: 'decode' }, [port1, port2])).toBeUndefined();
    expect(parsePortHandover({ type: DECODE_JOB, bytes: new ArrayBuffer(4), maxSide: 64 }, [port1])).toBeUndefined();
    expect(parsePortHandover('refundlens-decoder-port', [port1])).toBeUndefined();
    port1.close();
    port2.close();
  });

  it('the JPEG scale asked for is the smallest eighth that still covers the analysis size', () => {
    expect(jpegScaleEighths(4000, 3000, 1024)).toBe(3); // 1500 px, drawn down to 1024
    expect(jpegScaleEighths(4624, 3472, 1024)).toBe(2); // 1156 px
    expect(jpegScaleEighths(2048, 1536, 1024)).toBe(4); // exactly 1024
    expect(jpegScaleEighths(1200, 900, 1024)).toBe(7);
    expect(jpegScaleEighths(1000, 800, 1024)).toBe(8); // small enough already
    expect(jpegScaleEighths(60000, 100, 1024)).toBe(1);
    for (const [w, h] of [[4000, 3000], [3000, 4000], [5000, 1200], [1500, 1500]]) {
      const m = jpegScaleEighths(w, h, 1024);
      expect(Math.ceil((Math.max(w, h) * m) / 8)).toBeGreaterThanOrEqual(1024);
      if (m > 1) expect(Math.ceil((Math.max(w, h) * (m - 1)) / 8)).toBeLessThan(1024);
    }
  });
});

describe('a check\'s pictures made by the offscreen worker', () => {
  const img = { width: 64, height: 48, data: new Uint8ClampedArray(64 * 48 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) & 255)) };
  const worker = (make: Parameters<typeof answerPicturesJob>[2]) => ({
    postMessage(msg: unknown, transfer: Transferable[] = []) {
      const got = parsePicturesJob(msg, transfer.filter((t): t is MessagePort => t instanceof MessagePort));
      if (!got) throw new Error('job refused');
      void answerPicturesJob(got.job, got.port, make);
    },
  });

  it('the same pictures as made here (JPEG copy, thumbnail, ELA map), and the caller keeps its pixels', async () => {
    const platform = { encode: encodeInNode, decode: decodeInNode };
    const remote = remotePictures({ connect: async () => worker((i, jpeg) => makePictures(i, jpeg, platform)) });
    const got = await remote(img, true);
    const here = await makePictures(img, true, platform);
    expect(got.image).toEqual(here.image);
    expect(got.thumb).toEqual(here.thumb);
    expect(got.ela?.png).toEqual(here.ela?.png);
    expect(got.ela?.p99).toBe(here.ela?.p99);
    expect(img.data.length).toBe(64 * 48 * 4); // not detached
    expect((await remote(img, false)).ela).toBeUndefined();
  });

  it('a missing, failing or silent worker throws (the service then makes them itself)', async () => {
    await expect(remotePictures({ connect: async () => undefined })(img, true)).rejects.toThrow();
    await expect(remotePictures({ connect: async () => worker(async () => { throw new Error('x'); }) })(img, true)).rejects.toThrow();
    await expect(remotePictures({ connect: async () => ({ postMessage() {} }), timeoutMs: 30 })(img, true)).rejects.toThrow();
  });

  it('jobs and replies are checked', () => {
    const { port1, port2 } = new MessageChannel();
    const job = { type: PICTURES_JOB, rgba: new ArrayBuffer(4 * 3 * 4), width: 4, height: 3, jpeg: true };
    expect(parsePicturesJob(job, [port1])?.job.width).toBe(4);
    expect(parsePicturesJob({ ...job, rgba: new ArrayBuffer(10) }, [port1])).toBeUndefined();
    expect(parsePicturesJob({ ...job, width: 0 }, [port1])).toBeUndefined();
    expect(parsePicturesJob({ ...job, jpeg: 'yes' }, [port1])).toBeUndefined();
    expect(parsePicturesJob(job, [])).toBeUndefined();
    const b = new Uint8Array([1, 2, 3]);
    expect(parsePicturesReply({ ok: true, image: b, thumb: b })).toEqual({ image: b, thumb: b, ela: undefined });
    expect(parsePicturesReply({ ok: true, image: b, thumb: new Uint8Array(0) })).toBeUndefined();
    expect(parsePicturesReply({ ok: true, image: b, thumb: b, ela: { png: b, mean: 1, p99: NaN, gain: 1, quality: 90 } })).toBeUndefined();
    expect(parsePicturesReply({ ok: true, image: 'x', thumb: b })).toBeUndefined();
    expect(parsePicturesReply({ ok: false })).toBeUndefined();
    port1.close();
    port2.close();
  });
});

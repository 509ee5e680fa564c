/**
 * The service worker's JPEG decoder that runs in the offscreen document's worker: the protocol over
 * real MessageChannels (Node's), with the worker side played by answerDecodeJob.
 */
import { describe, expect, it, vi } from 'vitest';
import { CheckFailure } from '../../../utils/errors';
import { answerDecodeJob, DECODE_JOB, DECODER_PORT, parseDecodeJob, parseDecodeReply, parsePortHandover, remoteDecoder } from '../../../utils/image/decode-remote';
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

  it('the document takes nothing but a port handover with exactly one port', () => {
    const { port1, port2 } = new MessageChannel();
    expect(parsePortHandover({ type: DECODER_PORT }, [port1])).toBe(port1);
    expect(parsePortHandover({ type: DECODER_PORT }, [])).toBeUndefined();
    expect(parsePortHandover({ type: DECODER_PORT }, [port1, port2])).toBeUndefined();
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

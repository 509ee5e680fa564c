import { describe, expect, it } from 'vitest';
import { formatTimestamp, frameReferenceName, timestampSlug } from '../../../utils/video/timecode';
import { mp4CreationTime, recordedAt, webmDateUtc, type RangeReader } from '../../../utils/video/recorded';
import {
  FrameSelector, MAX_PROBES, SIG_H, SIG_W, greySignature, probeTimes, selectFrames, signatureDifference,
} from '../../../utils/video/frames';

// ---- tiny container builders ----------------------------------------------------------------

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const len = 8 + payload.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(len);
  new DataView(out.buffer).setUint32(0, len);
  out.set([...type].map((c) => c.charCodeAt(0)), 4);
  let o = 8;
  for (const p of payload) { out.set(p, o); o += p.length; }
  return out;
}

function mvhd(version: 0 | 1, createdMs: number): Uint8Array {
  const secs = Math.round((createdMs - Date.UTC(1904, 0, 1)) / 1000);
  const body = new Uint8Array(version === 1 ? 112 : 100);
  const dv = new DataView(body.buffer);
  body[0] = version;
  if (version === 1) {
    dv.setUint32(4, Math.floor(secs / 2 ** 32));
    dv.setUint32(8, secs >>> 0);
  } else {
    dv.setUint32(4, secs);
  }
  return box('mvhd', body);
}

const ftyp = () => box('ftyp', new TextEncoder().encode('isom\0\0\0\0isomiso2mp41'));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
const reader = (b: Uint8Array): RangeReader & { reads: number } => {
  const f = (async (o: number, n: number) => { f.reads++; return b.subarray(o, Math.min(b.length, o + n)); }) as RangeReader & { reads: number };
  f.reads = 0;
  return f;
};

function webm(dateNs?: bigint): Uint8Array {
  const ebml = [0x1a, 0x45, 0xdf, 0xa3, 0x84, 0x42, 0x86, 0x81, 0x01];
  const seg = [0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  const info: number[] = [0x15, 0x49, 0xa9, 0x66, 0x8e, 0x2a, 0xd7, 0xb1, 0x83, 0x0f, 0x42, 0x40];
  if (dateNs !== undefined) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, dateNs);
    info.push(0x44, 0x61, 0x88, ...b);
  }
  return new Uint8Array([...ebml, ...seg, ...info, 0x1f, 0x43, 0xb6, 0x75, 0x80]);
}

describe('timestamps', () => {
  it('formats like a video player, rounding down', () => {
    expect(formatTimestamp(0)).toBe('00:00');
    expect(formatTimestamp(12_900)).toBe('00:12');
    expect(formatTimestamp(299_999)).toBe('04:59');
    expect(formatTimestamp(3_723_000)).toBe('1:02:03');
    expect(formatTimestamp(-5)).toBe('00:00');
    expect(formatTimestamp(NaN)).toBe('00:00');
    expect(timestampSlug(72_000)).toBe('01m12s');
    expect(frameReferenceName('pack.webm', 12_000)).toBe('pack.webm @ 00:12');
  });
});

describe('recording time', () => {
  const when = Date.UTC(2026, 10, 20, 1, 12, 0);
  it('reads mvhd creation_time (version 0 and 1), also with moov after a large mdat', async () => {
    const mdat = box('mdat', new Uint8Array(200_000));
    for (const v of [0, 1] as const) {
      const file = concat(ftyp(), mdat, box('moov', mvhd(v, when), box('trak')));
      const r = reader(file);
      expect(await mp4CreationTime(r, file.length)).toBe('2026-11-20T01:12:00.000Z');
      expect(r.reads).toBeLessThan(10); // walked, not read whole
    }
  });
  it('treats zero or absurd creation times as unknown and falls back to the file date', async () => {
    const file = concat(ftyp(), box('moov', mvhd(0, Date.UTC(1904, 0, 1))));
    expect(await mp4CreationTime(reader(file), file.length)).toBeUndefined();
    expect(await recordedAt(reader(file), file.length, when)).toEqual({ recordedAt: '2026-11-20T01:12:00.000Z', source: 'file-date' });
    expect(await recordedAt(reader(file), file.length)).toEqual({});
  });
  it('reads WebM DateUTC', async () => {
    const ns = BigInt(when - Date.UTC(2001, 0, 1)) * 1_000_000n;
    const file = webm(ns);
    expect(await webmDateUtc(reader(file), file.length)).toBe('2026-11-20T01:12:00.000Z');
    expect(await recordedAt(reader(file), file.length, 1)).toEqual({ recordedAt: '2026-11-20T01:12:00.000Z', source: 'webm-date' });
    const plain = webm();
    expect((await recordedAt(reader(plain), plain.length, when)).source).toBe('file-date');
  });
  it('never throws on truncated or hostile boxes', async () => {
    const bad = [
      new Uint8Array(0),
      new Uint8Array([0, 0, 0, 1, 0x6d, 0x6f, 0x6f, 0x76]), // 64-bit size cut off
      concat(ftyp(), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x6d, 0x6f, 0x6f, 0x76])), // size past the end
      concat(ftyp(), box('moov', new Uint8Array([0, 0, 0, 4, 0x6d, 0x76, 0x68, 0x64]))), // box smaller than its header
    ];
    for (const b of bad) {
      await expect(mp4CreationTime(reader(b), b.length)).resolves.toBeUndefined();
      await expect(recordedAt(reader(b), b.length)).resolves.toEqual({});
    }
  });
});

describe('frame selection', () => {
  const flat = (v: number) => new Uint8Array(SIG_W * SIG_H).fill(v);
  it('signatures average the picture; differences are 0..1', () => {
    const img = { width: 64, height: 36, data: new Uint8ClampedArray(64 * 36 * 4).fill(255) };
    const s = greySignature(img);
    expect(s.length).toBe(SIG_W * SIG_H);
    expect(s.every((v) => v === 255)).toBe(true);
    expect(signatureDifference(flat(0), flat(255))).toBe(1);
    expect(signatureDifference(flat(10), flat(10))).toBe(0);
  });
  it('probes at a fixed step, fewer on very long videos, never at the very end', () => {
    expect(probeTimes(2000, 500)).toEqual([0, 500, 1000, 1500]);
    const long = probeTimes(3 * 3600_000, 500);
    expect(long.length).toBeLessThanOrEqual(MAX_PROBES + 1);
    expect(long.at(-1)!).toBeLessThan(3 * 3600_000);
  });
  it('keeps the first frame, scene changes (preselected) and interval frames', () => {
    // 0–6 s scene A, 6–14 s scene B, then a static 20 s of B.
    const probes = [];
    for (let t = 0; t < 34_000; t += 500) probes.push({ timeMs: t, sig: t < 6000 ? flat(40) : flat(200) });
    const c = selectFrames(probes, 10_000);
    expect(c[0]).toMatchObject({ timeMs: 0, reason: 'first', preselected: true });
    expect(c[1]).toMatchObject({ timeMs: 6000, reason: 'scene', preselected: true });
    expect(c.slice(2).map((x) => [x.timeMs, x.reason, x.preselected])).toEqual([[16000, 'interval', false], [26000, 'interval', false]]);
  });
  it('does not make a scene of every probe while something moves through the picture', () => {
    const s = new FrameSelector(60_000);
    const kept = [];
    for (let t = 0; t < 5000; t += 250) kept.push(s.push(t, flat(t % 500 === 0 ? 30 : 220)));
    const scenes = kept.filter((k) => k?.reason === 'scene');
    expect(scenes.length).toBeLessThanOrEqual(Math.ceil(5000 / 1500));
  });
  it('preselects interval frames that drifted from the last kept frame', () => {
    const probes = [];
    for (let t = 0; t <= 20_000; t += 500) probes.push({ timeMs: t, sig: flat(Math.round(40 + t / 100)) }); // slow pan: +1.25 grey per probe
    const c = selectFrames(probes, 10_000);
    expect(c.filter((x) => x.reason === 'scene')).toEqual([]);
    expect(c.find((x) => x.timeMs === 10_000)).toMatchObject({ reason: 'interval', preselected: true });
  });
});

/**
 * Structure-aware, seeded mutation of image files for the fuzzer.
 *
 * `analyse` finds the integer fields that parsers trust (segment / chunk / box lengths, IFD
 * offsets and counts, claimed dimensions) and the byte ranges of whole segments, so mutations
 * can hit them directly instead of hoping a random bit flip lands there.
 */
import { zlibSync } from 'fflate';
import { addGifMetadata, concat, crc32, jpegSegment, jumbfBox, latin1, pngChunk, riffChunk, u32be, u32le, utf8, box } from '../fixtures/formats';
import type { Sample } from '../fixtures/formats';
import { mutateBackup, STRUCTURED_OPS } from './structured';

export type FieldKind = 'len' | 'dim' | 'off' | 'count';
export interface Field {
  at: number;
  size: 1 | 2 | 3 | 4;
  le: boolean;
  kind: FieldKind;
}
export interface Region {
  start: number;
  end: number;
  /** segment name / chunk type / box type */
  kind: string;
  /** where the payload starts (after length + type) */
  body: number;
}
export interface Structure {
  fields: Field[];
  regions: Region[];
  /** Offsets of TIFF IFDs (for pointer loops): [tiff base, ifd offset from base]. */
  ifds: [number, number][];
}

/** splitmix32 of (seed, case): independent streams per case. */
export function caseSeed(seed: number, i: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0 || 1;
}

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

// ------------------------------------------------------------------ structure discovery

const be = (b: Uint8Array, at: number, n: number) => {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 256 + (b[at + k] ?? 0);
  return v;
};
const le_ = (b: Uint8Array, at: number, n: number) => {
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = v * 256 + (b[at + k] ?? 0);
  return v;
};
export function readField(b: Uint8Array, f: Field): number {
  return f.le ? le_(b, f.at, f.size) : be(b, f.at, f.size);
}
export function writeField(b: Uint8Array, f: Field, v: number): void {
  const max = 2 ** (8 * f.size);
  v = ((Math.floor(v) % max) + max) % max;
  for (let k = 0; k < f.size; k++) {
    const byte = Math.floor(v / 2 ** (8 * k)) & 0xff;
    const at = f.le ? f.at + k : f.at + f.size - 1 - k;
    if (at < b.length) b[at] = byte;
  }
}
const fourcc = (b: Uint8Array, at: number) => String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);

function analyseTiff(b: Uint8Array, base: number, end: number, s: Structure, depth = 0): void {
  if (base + 8 > end || depth > 0) return;
  const le = b[base] === 0x49;
  const rd = (at: number, n: number) => (le ? le_(b, at, n) : be(b, at, n));
  s.fields.push({ at: base + 4, size: 4, le, kind: 'off' });
  const seen = new Set<number>();
  const queue = [rd(base + 4, 4)];
  while (queue.length && seen.size < 8) {
    const off = queue.shift()!;
    if (!off || seen.has(off) || base + off + 2 > end) continue;
    seen.add(off);
    s.ifds.push([base, off]);
    const n = rd(base + off, 2);
    s.fields.push({ at: base + off, size: 2, le, kind: 'count' });
    for (let k = 0; k < n && k < 64; k++) {
      const e = base + off + 2 + 12 * k;
      if (e + 12 > end) break;
      const tag = rd(e, 2);
      const type = rd(e + 2, 2);
      s.fields.push({ at: e + 4, size: 4, le, kind: 'count' });
      const sizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
      const bytes = (sizes[type] ?? 1) * rd(e + 4, 4);
      if (bytes > 4 || tag === 0x8769 || tag === 0x8825 || tag === 0xa005 || tag === 273 || tag === 513) {
        s.fields.push({ at: e + 8, size: 4, le, kind: 'off' });
      }
      if (tag === 256 || tag === 257 || tag === 0xa002 || tag === 0xa003) s.fields.push({ at: e + 8, size: type === 3 ? 2 : 4, le, kind: 'dim' });
      if (tag === 279 || tag === 514) s.fields.push({ at: e + 8, size: 4, le, kind: 'len' });
      if (tag === 0x8769 || tag === 0x8825 || tag === 0xa005) queue.push(rd(e + 8, 4));
      if (tag === 513) {
        // the EXIF thumbnail is a JPEG of its own: expose its frame size too
        const t = base + rd(e + 8, 4);
        for (let j = t + 2; j + 9 < Math.min(end, t + 4096); j++) {
          if (b[j] === 0xff && (b[j + 1] === 0xc0 || b[j + 1] === 0xc2)) {
            s.fields.push({ at: j + 5, size: 2, le: false, kind: 'dim' }, { at: j + 7, size: 2, le: false, kind: 'dim' });
            break;
          }
        }
      }
      s.regions.push({ start: e, end: e + 12, kind: 'ifd-entry', body: e });
    }
    const nextAt = base + off + 2 + 12 * Math.min(n, 64);
    if (nextAt + 4 <= end) {
      s.fields.push({ at: nextAt, size: 4, le, kind: 'off' });
      queue.push(rd(nextAt, 4));
    }
  }
}

const BOX_CONTAINERS: Record<string, number> = {
  meta: 4, iprp: 0, ipco: 0, dinf: 0, moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, jumb: 0, iref: 4, grpl: 0, moof: 0, traf: 0,
};

function analyseBoxes(b: Uint8Array, start: number, end: number, s: Structure, depth = 0): void {
  let i = start;
  let guard = 0;
  while (i + 8 <= end && guard++ < 256 && depth < 16) {
    let size = be(b, i, 4);
    let header = 8;
    s.fields.push({ at: i, size: 4, le: false, kind: 'len' });
    if (size === 1 && i + 16 <= end) {
      size = be(b, i + 8, 4) * 2 ** 32 + be(b, i + 12, 4);
      s.fields.push({ at: i + 12, size: 4, le: false, kind: 'len' });
      header = 16;
    } else if (size === 0) size = end - i;
    if (size < header || i + size > end) break;
    const type = fourcc(b, i + 4);
    s.regions.push({ start: i, end: i + size, kind: type, body: i + header });
    const body = i + header;
    if (type in BOX_CONTAINERS) analyseBoxes(b, body + BOX_CONTAINERS[type], i + size, s, depth + 1);
    else if (type === 'iinf') {
      s.fields.push({ at: body + 4, size: b[body] === 0 ? 2 : 4, le: false, kind: 'count' });
      analyseBoxes(b, body + 4 + (b[body] === 0 ? 2 : 4), i + size, s, depth + 1);
    } else if (type === 'ispe') {
      s.fields.push({ at: body + 4, size: 4, le: false, kind: 'dim' }, { at: body + 8, size: 4, le: false, kind: 'dim' });
    } else if (type === 'pitm') {
      s.fields.push({ at: body + 4, size: 2, le: false, kind: 'count' });
    } else if (type === 'iloc') {
      analyseIloc(b, body, i + size, s);
    } else if (type === 'Exif' || type === 'uuid') {
      // nothing more
    }
    i += size;
  }
}

function analyseIloc(b: Uint8Array, body: number, end: number, s: Structure): void {
  const version = b[body];
  let p = body + 4;
  const offSize = b[p] >> 4, lenSize = b[p] & 15, baseSize = b[p + 1] >> 4, idxSize = version >= 1 ? b[p + 1] & 15 : 0;
  p += 2;
  const idSize = version < 2 ? 2 : 4;
  s.fields.push({ at: p, size: idSize as 2 | 4, le: false, kind: 'count' });
  const count = be(b, p, idSize);
  p += idSize;
  const ok = (n: number): n is 1 | 2 | 3 | 4 => n === 1 || n === 2 || n === 3 || n === 4;
  for (let k = 0; k < count && k < 32 && p < end; k++) {
    p += idSize;
    if (version >= 1) p += 2;
    p += 2;
    if (ok(baseSize)) s.fields.push({ at: p, size: baseSize, le: false, kind: 'off' });
    p += baseSize;
    s.fields.push({ at: p, size: 2, le: false, kind: 'count' });
    const extents = be(b, p, 2);
    p += 2;
    for (let e = 0; e < extents && e < 8 && p < end; e++) {
      p += idxSize;
      if (ok(offSize)) s.fields.push({ at: p, size: offSize, le: false, kind: 'off' });
      p += offSize;
      if (ok(lenSize)) s.fields.push({ at: p, size: lenSize, le: false, kind: 'len' });
      p += lenSize;
    }
  }
}

export function analyse(b: Uint8Array, format: Sample['format'] | string): Structure {
  const s: Structure = { fields: [], regions: [], ifds: [] };
  try {
    switch (format) {
      case 'jpeg':
        analyseJpeg(b, s);
        break;
      case 'png': {
        let i = 8;
        while (i + 12 <= b.length) {
          const len = be(b, i, 4);
          const type = fourcc(b, i + 4);
          s.fields.push({ at: i, size: 4, le: false, kind: 'len' });
          const end = Math.min(b.length, i + 12 + len);
          s.regions.push({ start: i, end, kind: type, body: i + 8 });
          if (type === 'IHDR') s.fields.push({ at: i + 8, size: 4, le: false, kind: 'dim' }, { at: i + 12, size: 4, le: false, kind: 'dim' });
          if (type === 'eXIf') analyseTiff(b, i + 8, end - 4, s);
          if (type === 'caBX') analyseBoxes(b, i + 8, end - 4, s);
          if (len > b.length) break;
          i += 12 + len;
        }
        break;
      }
      case 'webp': {
        s.fields.push({ at: 4, size: 4, le: true, kind: 'len' });
        let i = 12;
        while (i + 8 <= b.length) {
          const len = le_(b, i + 4, 4);
          const type = fourcc(b, i);
          const d = i + 8;
          s.fields.push({ at: i + 4, size: 4, le: true, kind: 'len' });
          const end = Math.min(b.length, d + len + (len & 1));
          s.regions.push({ start: i, end, kind: type, body: d });
          if (type === 'VP8X') s.fields.push({ at: d + 4, size: 3, le: true, kind: 'dim' }, { at: d + 7, size: 3, le: true, kind: 'dim' });
          if (type === 'VP8L') s.fields.push({ at: d + 1, size: 4, le: true, kind: 'dim' });
          if (type === 'VP8 ') s.fields.push({ at: d + 6, size: 2, le: true, kind: 'dim' }, { at: d + 8, size: 2, le: true, kind: 'dim' });
          if (type === 'EXIF') analyseTiff(b, d + (fourcc(b, d) === 'Exif' ? 6 : 0), end, s);
          if (len > b.length) break;
          i = d + len + (len & 1);
        }
        break;
      }
      case 'gif':
        analyseGif(b, s);
        break;
      case 'tiff':
        analyseTiff(b, 0, b.length, s);
        break;
      case 'heic':
      case 'avif':
        analyseBoxes(b, 0, b.length, s);
        break;
      case 'bmp':
        s.fields.push(
          { at: 2, size: 4, le: true, kind: 'len' },
          { at: 10, size: 4, le: true, kind: 'off' },
          { at: 14, size: 4, le: true, kind: 'len' },
          { at: 18, size: 4, le: true, kind: 'dim' },
          { at: 22, size: 4, le: true, kind: 'dim' },
          { at: 28, size: 2, le: true, kind: 'count' },
          { at: 30, size: 4, le: true, kind: 'count' },
          { at: 34, size: 4, le: true, kind: 'len' },
          { at: 46, size: 4, le: true, kind: 'count' },
        );
        s.regions.push({ start: 0, end: 14, kind: 'file-header', body: 0 }, { start: 14, end: 14 + le_(b, 14, 4), kind: 'dib', body: 14 });
        break;
    }
  } catch {
    /* partial structure is fine */
  }
  s.fields = s.fields.filter((f) => f.at >= 0 && f.at + f.size <= b.length);
  s.regions = s.regions.filter((r) => r.start < r.end && r.end <= b.length);
  return s;
}

function analyseJpeg(b: Uint8Array, s: Structure): void {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) break;
    const m = b[i + 1];
    if (m === 0xff) {
      i++;
      continue;
    }
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
      i += 2;
      continue;
    }
    if (m === 0xd9) break;
    const len = be(b, i + 2, 2);
    s.fields.push({ at: i + 2, size: 2, le: false, kind: 'len' });
    const end = Math.min(b.length, i + 2 + len);
    s.regions.push({ start: i, end, kind: `ff${m.toString(16)}`, body: i + 4 });
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      s.fields.push({ at: i + 5, size: 2, le: false, kind: 'dim' }, { at: i + 7, size: 2, le: false, kind: 'dim' }, { at: i + 9, size: 1, le: false, kind: 'count' });
    }
    if (m === 0xe1 && fourcc(b, i + 4) === 'Exif') analyseTiff(b, i + 10, end, s);
    if (m === 0xeb && b[i + 4] === 0x4a && b[i + 5] === 0x50) analyseBoxes(b, i + 12, end, s);
    if (m === 0xda) {
      // entropy-coded data runs to the next non-RST marker
      let j = end;
      while (j + 1 < b.length && !(b[j] === 0xff && b[j + 1] !== 0 && !(b[j + 1] >= 0xd0 && b[j + 1] <= 0xd7))) j++;
      s.regions.push({ start: i, end: j, kind: 'scan', body: end });
      i = j;
      continue;
    }
    if (len < 2) break;
    i += 2 + len;
  }
}

function analyseGif(b: Uint8Array, s: Structure): void {
  s.fields.push({ at: 6, size: 2, le: true, kind: 'dim' }, { at: 8, size: 2, le: true, kind: 'dim' }, { at: 10, size: 1, le: true, kind: 'count' });
  let i = 13;
  if (b[10] & 0x80) i += 3 * (1 << ((b[10] & 7) + 1));
  for (let guard = 0; guard < 200 && i < b.length; guard++) {
    const start = i;
    if (b[i] === 0x21) {
      i += 2;
    } else if (b[i] === 0x2c) {
      s.fields.push({ at: i + 1, size: 2, le: true, kind: 'off' }, { at: i + 3, size: 2, le: true, kind: 'off' });
      s.fields.push({ at: i + 5, size: 2, le: true, kind: 'dim' }, { at: i + 7, size: 2, le: true, kind: 'dim' }, { at: i + 9, size: 1, le: true, kind: 'count' });
      const flags = b[i + 9];
      i += 10;
      if (flags & 0x80) i += 3 * (1 << ((flags & 7) + 1));
      s.fields.push({ at: i, size: 1, le: true, kind: 'count' }); // LZW minimum code size
      i += 1;
    } else break;
    for (let k = 0; i < b.length && b[i] !== 0 && k < 100_000; k++) {
      s.fields.push({ at: i, size: 1, le: true, kind: 'len' });
      i += 1 + b[i];
    }
    i += 1;
    s.regions.push({ start, end: Math.min(i, b.length), kind: b[start] === 0x21 ? 'ext' : 'image', body: start + 2 });
  }
}

// ------------------------------------------------------------------ mutations

const MAX_BYTES = 6 * 1024 * 1024;
const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)];
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x3c];

function lenValue(r: () => number, old: number, size: number, fileLen: number): number {
  const max = 2 ** (8 * size) - 1;
  return pick(r, [
    0, 1, 2, 3, 7, 8, 9, 15, 16, old - 1, old + 1, old - 8, old + 8, old * 2, Math.floor(old / 2), max, max - 1, max - 7,
    2 ** (8 * size - 1), 2 ** (8 * size - 1) - 1, fileLen, fileLen + 1, fileLen * 4, int(r, 0, max),
  ]);
}
function dimValue(r: () => number, size: number): number {
  const max = 2 ** (8 * size) - 1;
  return pick(r, [0, 1, 2, 0xff, 0x3fff, 0x4000, 0x7fff, 0xffff, 65500, 100_000, 10_000, 20_000, 1 << 24, 0x7fffffff, 0x80000000, max, int(r, 0, max)]);
}

const PNG_TYPES = ['IHDR', 'IDAT', 'IEND', 'PLTE', 'tRNS', 'eXIf', 'tEXt', 'zTXt', 'iTXt', 'caBX', 'acTL', 'fcTL', 'fdAT', 'iCCP', 'sRGB'];
const RIFF_TYPES = ['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF', 'EXIF', 'XMP ', 'ICCP'];
const BOX_TYPES = ['meta', 'iprp', 'ipco', 'iinf', 'infe', 'iloc', 'ispe', 'pitm', 'iref', 'mdat', 'jumb', 'jumd', 'uuid', 'Exif', 'ftyp', 'idat', 'grpl', 'ipma', 'hvcC', 'av1C', 'irot', 'imir', 'clap'];
const JPEG_MARKERS = [0xe0, 0xe1, 0xe2, 0xeb, 0xed, 0xee, 0xfe, 0xdb, 0xc4, 0xc0, 0xc2, 0xda, 0xdd, 0xd9];

type Op = (b: Uint8Array, st: Structure, r: () => number, ctx: MutationContext) => Uint8Array | undefined;
export interface MutationContext {
  format: string;
  corpus: Sample[];
}

const OPS: Record<string, [number, Op]> = {
  flip: [
    12,
    (b, _s, r) => {
      const out = b.slice();
      const n = int(r, 1, 8);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(r() * out.length);
        out[at] ^= 1 << int(r, 0, 7);
      }
      return out;
    },
  ],
  bytes: [
    8,
    (b, _s, r) => {
      const out = b.slice();
      const n = int(r, 1, 4);
      for (let k = 0; k < n; k++) out[Math.floor(r() * out.length)] = r() < 0.7 ? pick(r, INTERESTING_BYTES) : int(r, 0, 255);
      return out;
    },
  ],
  truncate: [
    10,
    (b, s, r) => {
      let at: number;
      if (s.regions.length && r() < 0.6) {
        const reg = pick(r, s.regions);
        at = pick(r, [reg.start, reg.start + 1, reg.start + 4, reg.body, reg.body + 1, reg.end - 1, Math.floor((reg.start + reg.end) / 2)]);
      } else at = r() < 0.3 ? int(r, 0, Math.min(64, b.length)) : Math.floor(r() * b.length);
      return b.subarray(0, Math.max(0, Math.min(b.length, at)));
    },
  ],
  insert: [
    6,
    (b, s, r) => {
      const at = s.regions.length && r() < 0.5 ? pick(r, s.regions)[r() < 0.5 ? 'start' : 'end'] : Math.floor(r() * (b.length + 1));
      const n = pick(r, [1, 2, 3, 4, 8, 16, 64, 300]);
      const fill = new Uint8Array(n);
      const kind = r();
      for (let k = 0; k < n; k++) fill[k] = kind < 0.3 ? 0 : kind < 0.5 ? 0xff : int(r, 0, 255);
      return concat(b.subarray(0, at), fill, b.subarray(at));
    },
  ],
  delete: [
    6,
    (b, s, r) => {
      if (s.regions.length && r() < 0.4) {
        const reg = pick(r, s.regions);
        return concat(b.subarray(0, reg.start), b.subarray(reg.end));
      }
      const at = Math.floor(r() * b.length);
      const n = pick(r, [1, 2, 4, 8, 32, 256]);
      return concat(b.subarray(0, at), b.subarray(at + n));
    },
  ],
  length: [
    14,
    (b, s, r) => {
      const fs = s.fields.filter((f) => f.kind === 'len');
      if (!fs.length) return undefined;
      const out = b.slice();
      const f = pick(r, fs);
      writeField(out, f, lenValue(r, readField(b, f), f.size, b.length));
      return out;
    },
  ],
  dimension: [
    10,
    (b, s, r) => {
      const fs = s.fields.filter((f) => f.kind === 'dim');
      if (!fs.length) return undefined;
      const out = b.slice();
      for (const f of r() < 0.5 ? fs : [pick(r, fs)]) writeField(out, f, dimValue(r, f.size));
      return out;
    },
  ],
  offset: [
    8,
    (b, s, r) => {
      const fs = s.fields.filter((f) => f.kind === 'off' || f.kind === 'count');
      if (!fs.length) return undefined;
      const out = b.slice();
      const f = pick(r, fs);
      const old = readField(b, f);
      const ifd = s.ifds.length ? pick(r, s.ifds)[1] : 8;
      writeField(out, f, pick(r, [0, 1, old + 1, old - 1, old + 12, ifd, ifd + 2, 0xffff, 0xffffffff, 0x80000000, b.length, int(r, 0, b.length)]));
      return out;
    },
  ],
  ifdLoop: [
    4,
    (b, s, r) => {
      // point an IFD's "next" or a sub-IFD pointer back at an IFD: classic infinite-loop bait
      const offs = s.fields.filter((f) => f.kind === 'off');
      if (!s.ifds.length || !offs.length) return undefined;
      const out = b.slice();
      const [, target] = pick(r, s.ifds);
      writeField(out, pick(r, offs), target);
      return out;
    },
  ],
  duplicate: [
    8,
    (b, s, r) => {
      const regs = s.regions.filter((x) => x.end - x.start < 1 << 20);
      if (!regs.length) return undefined;
      const reg = pick(r, regs);
      const copies = pick(r, [1, 1, 2, 3, 10, 100, 1000]);
      const seg = b.subarray(reg.start, reg.end);
      if (seg.length * copies > MAX_BYTES) return undefined;
      const parts: Uint8Array[] = [];
      for (let k = 0; k < copies; k++) parts.push(seg);
      const at = r() < 0.7 ? reg.end : r() < 0.5 ? b.length : reg.start;
      return concat(b.subarray(0, at), ...parts, b.subarray(at));
    },
  ],
  retype: [
    5,
    (b, s, r, ctx) => {
      if (!s.regions.length) return undefined;
      const reg = pick(r, s.regions);
      const out = b.slice();
      if (ctx.format === 'jpeg') {
        if (out[reg.start] === 0xff) out[reg.start + 1] = pick(r, JPEG_MARKERS);
        return out;
      }
      const types = ctx.format === 'png' ? PNG_TYPES : ctx.format === 'webp' ? RIFF_TYPES : BOX_TYPES;
      const at = ctx.format === 'png' || ctx.format === 'heic' || ctx.format === 'avif' ? reg.start + 4 : reg.start;
      if (ctx.format === 'gif' || ctx.format === 'tiff' || ctx.format === 'bmp') return undefined;
      out.set(latin1(pick(r, types)), at);
      return out;
    },
  ],
  nest: [
    5,
    (b, s, r, ctx) => {
      // wrap a box (or, for other formats, a metadata segment payload) in many container boxes
      const boxRegs = s.regions.filter((x) => /^[\x20-\x7e]{4}$/.test(x.kind) && ctx.format !== 'jpeg' && ctx.format !== 'gif');
      const depth = pick(r, [2, 10, 100, 1000, 5000]);
      const type = pick(r, ['meta', 'iprp', 'ipco', 'jumb', 'iinf', 'dinf', 'moov', 'uuid']);
      const wrap = (inner: Uint8Array) => {
        const parts: Uint8Array[] = [];
        const pre = type === 'meta' ? 4 : 0;
        let size = inner.length;
        for (let k = 0; k < depth; k++) {
          size += 8 + pre;
          parts.push(concat(u32be(size >>> 0), latin1(type), new Uint8Array(pre)));
        }
        // outermost first
        return concat(...parts.reverse(), inner);
      };
      if ((ctx.format === 'heic' || ctx.format === 'avif') && boxRegs.length) {
        const reg = pick(r, boxRegs);
        return concat(b.subarray(0, reg.start), wrap(b.subarray(reg.start, reg.end)), b.subarray(reg.end));
      }
      if (ctx.format === 'jpeg') {
        // an APP11 segment whose JUMBF is deeply nested (capped by the 64 KiB segment size)
        const inner = wrap(concat(u32be(9), latin1('json'), [0x7b]));
        const payload = concat(latin1('JP'), [0, 1, 0, 0, 0, 1], inner.subarray(0, 65000));
        return concat(b.subarray(0, 2), [0xff, 0xeb, (payload.length + 2) >> 8, (payload.length + 2) & 0xff], payload, b.subarray(2));
      }
      if (ctx.format === 'png') {
        const inner = wrap(concat(u32be(9), latin1('cbor'), [0xa0]));
        const td = concat(latin1('caBX'), inner);
        const chunk = concat(u32be(inner.length), td, u32be(crc32(td)));
        return concat(b.subarray(0, 33), chunk, b.subarray(33));
      }
      return undefined;
    },
  ],
  selfSize: [
    3,
    (b, s, r) => {
      // a box/chunk whose size claims to run to (or past) the end of the file
      const fs = s.fields.filter((f) => f.kind === 'len' && f.size === 4);
      if (!fs.length) return undefined;
      const out = b.slice();
      const f = pick(r, fs);
      writeField(out, f, pick(r, [b.length - f.at, b.length - f.at + 1, b.length, 0xfffffff0]));
      return out;
    },
  ],
  splice: [
    4,
    (b, s, r, ctx) => {
      const same = ctx.corpus.filter((x) => x.format === ctx.format);
      const other = pick(r, r() < 0.7 && same.length ? same : ctx.corpus).bytes;
      const os = analyse(other, ctx.format);
      const from = os.regions.length && r() < 0.7 ? pick(r, os.regions) : { start: Math.floor(r() * other.length), end: other.length };
      const at = s.regions.length && r() < 0.7 ? pick(r, s.regions).start : Math.floor(r() * b.length);
      return concat(b.subarray(0, at), other.subarray(from.start, from.end), b.subarray(r() < 0.5 ? at : Math.min(b.length, at + (from.end - from.start))));
    },
  ],
  grow: [
    1,
    (b, _s, r) => {
      // a large file (MBs) made of repeats: speed of parsers on bigger inputs
      const target = pick(r, [256 * 1024, 1024 * 1024, 4 * 1024 * 1024]);
      const tail = b.subarray(Math.floor(b.length / 2));
      if (!tail.length) return undefined;
      const out = new Uint8Array(Math.max(target, b.length));
      out.set(b);
      for (let n = b.length; n < out.length; n += tail.length) out.set(tail.subarray(0, out.length - n), n);
      return out;
    },
  ],
  zero: [
    2,
    (b, _s, r) => {
      // zero-size or header-only files, or a run of zeros over the body
      if (r() < 0.3) return b.subarray(0, pick(r, [0, 1, 2, 3, 4, 8, 12, 16, 26, 30]));
      const out = b.slice();
      const at = Math.floor(r() * b.length);
      out.fill(0, at, at + pick(r, [16, 256, 4096]));
      return out;
    },
  ],
};

// ------------------------------------------------------------------ hostile metadata payloads

let zbomb: Uint8Array | undefined;
/** 64 MiB of zeros, zlib-compressed (~64 kB): inflating it uncapped would cost 64 MiB. */
function zlibBomb(): Uint8Array {
  return (zbomb ??= zlibSync(new Uint8Array(64 * 1024 * 1024), { level: 9 }));
}

function hostileXmp(r: () => number): string {
  const head = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">';
  const tail = '</rdf:RDF></x:xmpmeta>';
  const ns = 'xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"';
  switch (int(r, 0, 7)) {
    case 0:
      return head + '<rdf:Description><rdf:Bag><rdf:li>'.repeat(20000) + tail;
    case 1:
      return `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "${'A'.repeat(1000)}"><!ENTITY b "${'&a;'.repeat(1000)}"><!ENTITY c "${'&b;'.repeat(1000)}">]>${head}<rdf:Description ${ns} xmp:CreatorTool="&c;"/>${tail}`;
    case 2:
      return `${head}<rdf:Description ${ns} xmp:CreatorTool="${'X'.repeat(3_000_000)}"/>${tail}`;
    case 3:
      return `${head}<rdf:Description ${ns}><TC260:AIGC>${'['.repeat(200_000)}</TC260:AIGC></rdf:Description>${tail}`;
    case 4:
      return `${head}<rdf:Description ${ns}>${'<rdf:Seq><rdf:li>x</rdf:li></rdf:Seq>'.repeat(100_000)}</rdf:Description>${tail}`;
    case 5:
      return `${head}<rdf:Description ${ns} xmp:CreatorTool="&#x110000;&#0;&#xD800;&amp;&#99999999999;&unknown;\uFFFF"><TC260:AIGC>{"Label":"1","x":"\ud800"}</TC260:AIGC></rdf:Description>${tail}`;
    case 6:
      return `${head}<!-- ${'<rdf:Description>'.repeat(1000)}<![CDATA[ ${'x'.repeat(100_000)}`;
    default:
      return `${head}<rdf:Description ${Array.from({ length: 50_000 }, (_, k) => `a${k}:b="${k}"`).join(' ')}/>${tail}`;
  }
}

function hostileCbor(r: () => number): Uint8Array {
  const rep = (bytes: number[], n: number) => {
    const out = new Uint8Array(bytes.length * n);
    for (let k = 0; k < n; k++) out.set(bytes, k * bytes.length);
    return out;
  };
  switch (int(r, 0, 7)) {
    case 0:
      return concat(rep([0x81], 100_000), [0]); // [[[[…0]]]]
    case 1:
      return rep([0x9f], 100_000); // indefinite arrays never closed
    case 2:
      return concat([0xbb], rep([0xff], 8)); // map claiming 2^64-1 pairs
    case 3:
      return concat([0x7b], rep([0xff], 8), latin1('abc')); // text claiming 2^64-1 bytes
    case 4:
      return concat(rep([0xc0], 100_000), [0]); // tag chain
    case 5:
      return concat([0xba, 0x7f, 0xff, 0xff, 0xff], rep([0x60, 0x60], 150_000)); // huge map of empty strings
    case 6:
      return concat([0x5f], rep([0x40], 300_000)); // indefinite byte string of empty chunks, unclosed
    default:
      return concat([0xa1, 0x6f], latin1('claim_generator'), [0x9f], rep([0xa0], 250_000), [0xff]);
  }
}

function hostileStore(r: () => number): Uint8Array {
  const cbor = hostileCbor(r);
  const cborBox = concat(u32be(8 + cbor.length), latin1('cbor'), cbor);
  const json = utf8('{"actions":' + '['.repeat(int(r, 1, 3) === 1 ? 200_000 : 10) + ']}');
  const jsonBox = concat(u32be(8 + json.length), latin1('json'), json);
  return jumbfBox('c2pa', [jumbfBox('urn:uuid:1', [jumbfBox('c2pa.claim', [cborBox]), jumbfBox('c2pa.assertions', [jsonBox])])]);
}

const XMP_UUID = Uint8Array.from([0xbe, 0x7a, 0xcf, 0xcb, 0x97, 0xa9, 0x42, 0xe8, 0x9c, 0x71, 0x99, 0x94, 0x91, 0xe3, 0xaf, 0xac]);
const C2PA_BOX_UUID = Uint8Array.from([0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81]);

/** Put a hostile XMP packet, C2PA store or compressed text where each format keeps metadata. */
const hostile: Op = (b, _s, r, ctx) => {
  const what = pick(r, ['xmp', 'c2pa', 'zbomb'] as const);
  const payload = what === 'xmp' ? utf8(hostileXmp(r)) : what === 'c2pa' ? hostileStore(r) : zlibBomb();
  switch (ctx.format) {
    case 'jpeg': {
      const seg =
        what === 'xmp'
          ? jpegSegment(0xe1, concat(latin1('http://ns.adobe.com/xap/1.0/\0'), payload.subarray(0, 65000)))
          : what === 'c2pa'
            ? jpegSegment(0xeb, concat(latin1('JP'), [0, 1, 0, 0, 0, 1], payload.subarray(0, 65000)))
            : jpegSegment(0xfe, payload.subarray(0, 65000));
      return concat(b.subarray(0, 2), seg, b.subarray(2));
    }
    case 'png': {
      const chunk =
        what === 'xmp'
          ? pngChunk('iTXt', concat(latin1('XML:com.adobe.xmp'), [0, r() < 0.5 ? 1 : 0, 0, 0, 0], r() < 0.5 ? zlibSync(payload) : payload))
          : what === 'c2pa'
            ? pngChunk('caBX', payload)
            : pngChunk(pick(r, ['zTXt', 'iTXt', 'iCCP']), concat(latin1(pick(r, ['parameters', 'Comment', 'XML:com.adobe.xmp', 'prompt'])), [0, 0], r() < 0.5 ? [1, 0, 0, 0] : [], payload));
      return concat(b.subarray(0, 33), chunk, b.subarray(33));
    }
    case 'webp': {
      const out = concat(b, riffChunk(what === 'xmp' ? 'XMP ' : what === 'c2pa' ? 'C2PA' : 'EXIF', payload));
      out.set(u32le(out.length - 8), 4);
      return out;
    }
    case 'gif':
      return what === 'xmp' && b.length > 13 ? addGifMetadata(b, new TextDecoder().decode(payload)) : undefined;
    case 'heic':
    case 'avif':
      return concat(b, box('uuid', what === 'xmp' ? XMP_UUID : C2PA_BOX_UUID, what === 'c2pa' ? concat([0, 0, 0, 0], latin1('manifest\0'), u32be(0), u32be(0)) : [], payload));
    default:
      return undefined;
  }
};
OPS.hostile = [5, hostile];
// Structure-aware generators (structured.ts): XMP trees, Extended XMP, JUMBF, ISOBMFF, PNG chunks.
for (const [k, v] of Object.entries(STRUCTURED_OPS)) OPS[k] = v as [number, Op];

const OP_NAMES = Object.keys(OPS);
const OP_TOTAL = OP_NAMES.reduce((t, k) => t + OPS[k][0], 0);

function pickOp(r: () => number): string {
  let x = r() * OP_TOTAL;
  for (const k of OP_NAMES) {
    x -= OPS[k][0];
    if (x < 0) return k;
  }
  return OP_NAMES[0];
}

/** Recompute every PNG chunk CRC (so parsers past the CRC check see the mutation). */
export function fixPngCrcs(b: Uint8Array): Uint8Array {
  const out = b.slice();
  let i = 8;
  while (i + 12 <= out.length) {
    const len = be(out, i, 4);
    if (i + 12 + len > out.length) break;
    writeField(out, { at: i + 8 + len, size: 4, le: false, kind: 'len' }, crc32(out, i + 4, i + 8 + len));
    i += 12 + len;
  }
  return out;
}

export interface FuzzCase {
  bytes: Uint8Array;
  base: string;
  format: string;
  ops: string[];
}

/** The input of case `i` of a run with `seed`: the same (seed, i) always gives the same bytes. */
export function makeCase(corpus: Sample[], seed: number, i: number): FuzzCase {
  const r = rng(caseSeed(seed, i));
  const base = corpus[Math.floor(r() * corpus.length)];
  const ctx: MutationContext = { format: base.format, corpus };
  let b: Uint8Array = base.bytes;
  const ops: string[] = [];
  if ((base.format as string) === 'backup') {
    // backups: crafted records, keys, entries and ZIP sizes (structured.ts), or plain byte damage
    if (r() < 0.8) {
      const m = mutateBackup(b, r);
      return { bytes: m.bytes, base: base.name, format: base.format, ops: m.ops };
    }
    const out = OPS.flip[1](b, analyse(b, 'zip'), r, ctx)!;
    return { bytes: out, base: base.name, format: base.format, ops: ['flip'] };
  }
  if (r() >= 0.02) {
    const n = Math.min(8, 1 + Math.floor(-Math.log(1 - r()) * 1.3));
    for (let k = 0; k < n; k++) {
      const name = pickOp(r);
      const out = OPS[name][1](b, analyse(b, base.format), r, ctx);
      if (out && out.length <= MAX_BYTES) {
        b = out;
        ops.push(name);
      }
    }
  }
  if (base.format === 'png' && r() < 0.6) {
    b = fixPngCrcs(b);
    ops.push('fixcrc');
  }
  if (base.format === 'webp' && b.length >= 8 && r() < 0.5) {
    b = b.slice();
    writeField(b, { at: 4, size: 4, le: true, kind: 'len' }, b.length - 8);
    ops.push('fixriff');
  }
  return { bytes: b, base: base.name, format: base.format, ops };
}

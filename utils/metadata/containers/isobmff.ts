/**
 * ISOBMFF (HEIF/HEIC/AVIF) walker: meta → iinf (item types), iloc (extents, with base_offset and
 * construction methods 0 = file, 1 = idat), idat, iprp/ipco/ispe (size); Exif and XMP items;
 * top-level C2PA 'uuid' box. Every count and offset is bounds-checked.
 */
import { decodeUtf8, fourcc, indexOfNul, u16be, u32be, u64be } from '../bytes';
import type { MetaContext } from '../context';
import { addC2pa, addExif, addXmp, BLOCK_MAX } from './common';

const C2PA_UUID = 'd8fec3d61b0e483c92975828877ec481';

interface Box {
  type: string;
  /** Payload start/end in the file. */
  start: number;
  end: number;
}

function boxes(b: Uint8Array, from: number, to: number, cap = 2000): Box[] {
  const out: Box[] = [];
  let o = from;
  while (o + 8 <= to && out.length < cap) {
    let size = u32be(b, o);
    const type = fourcc(b, o + 4);
    let head = 8;
    if (size === 1) {
      size = u64be(b, o + 8);
      head = 16;
    } else if (size === 0) size = to - o;
    if (size < head) break;
    const end = Math.min(to, o + size);
    out.push({ type, start: o + head, end });
    if (o + size > to) break;
    o += size;
  }
  return out;
}

export function walkIsobmff(b: Uint8Array, ctx: MetaContext): void {
  const top = boxes(b, 0, b.length);
  for (const bx of top) {
    if (bx.type === 'uuid' && bx.end - bx.start > 16) {
      const uuid = Array.from(b.subarray(bx.start, bx.start + 16), (x) => x.toString(16).padStart(2, '0')).join('');
      if (uuid !== C2PA_UUID) continue;
      // FullBox header (4), purpose string, then for 'manifest' an 8-byte merkle offset, then JUMBF.
      const p = bx.start + 16 + 4;
      const nul = indexOfNul(b, p, 64);
      if (nul < 0) continue;
      const purpose = decodeUtf8(b.subarray(p, nul));
      if (purpose !== 'manifest') continue;
      addC2pa(ctx, b.subarray(nul + 1 + 8, bx.end), 'HEIF/AVIF uuid C2PA');
    } else if (bx.type === 'meta') readMeta(b, bx, ctx);
  }
}

function readMeta(b: Uint8Array, meta: Box, ctx: MetaContext): void {
  const kids = boxes(b, meta.start + 4, meta.end);
  const types = new Map<number, { type: string; mime?: string }>();
  const locs = new Map<number, { method: number; extents: [number, number][] }>();
  let idat: Box | undefined;
  for (const k of kids) {
    if (k.type === 'iinf') readIinf(b, k, types);
    else if (k.type === 'iloc') readIloc(b, k, locs, ctx);
    else if (k.type === 'idat') idat = k;
    else if (k.type === 'iprp') {
      for (const c of boxes(b, k.start, k.end)) {
        if (c.type !== 'ipco') continue;
        for (const p of boxes(b, c.start, c.end)) {
          if (p.type === 'ispe' && p.end - p.start >= 12) {
            const w = u32be(b, p.start + 4);
            const h = u32be(b, p.start + 8);
            if (w * h > (ctx.width ?? 0) * (ctx.height ?? 0)) {
              ctx.width = w;
              ctx.height = h;
            }
          }
        }
      }
    }
  }
  const data = (id: number): Uint8Array | undefined => {
    const loc = locs.get(id);
    if (!loc) return undefined;
    const src = loc.method === 1 ? (idat ? b.subarray(idat.start, idat.end) : undefined) : loc.method === 0 ? b : undefined;
    if (!src) return undefined;
    let total = 0;
    for (const [, len] of loc.extents) total += len;
    if (total > BLOCK_MAX) return undefined;
    const out = new Uint8Array(total);
    let o = 0;
    for (const [off, len] of loc.extents) {
      if (off + len > src.length) {
        ctx.warnings.push('item_truncated');
        return out.subarray(0, o);
      }
      out.set(src.subarray(off, off + len), o);
      o += len;
    }
    return out;
  };
  for (const [id, t] of types) {
    if (t.type === 'Exif') {
      const d = data(id);
      if (!d || d.length < 4) continue;
      // ExifDataBlock: 4-byte offset to the TIFF header, then (usually) "Exif\0\0", then TIFF.
      const skip = u32be(d, 0);
      if (4 + skip < d.length) addExif(ctx, d.subarray(4 + skip), 'HEIF Exif item');
    } else if (t.type === 'mime' && /rdf\+xml|xmp/i.test(t.mime ?? '')) {
      const d = data(id);
      if (d) addXmp(ctx, decodeUtf8(d), 'HEIF XMP item');
    }
  }
}

function readIinf(b: Uint8Array, box: Box, types: Map<number, { type: string; mime?: string }>): void {
  const version = b[box.start];
  const entriesAt = box.start + 4 + (version === 0 ? 2 : 4);
  for (const e of boxes(b, entriesAt, box.end, 10_000)) {
    if (e.type !== 'infe') continue;
    const v = b[e.start];
    if (v < 2) continue;
    let p = e.start + 4;
    const id = v === 2 ? u16be(b, p) : u32be(b, p);
    p += v === 2 ? 2 : 4;
    p += 2; // protection index
    const type = fourcc(b, p);
    p += 4;
    const nameEnd = indexOfNul(b, p, e.end - p);
    let mime: string | undefined;
    if (type === 'mime' && nameEnd >= 0) {
      const me = indexOfNul(b, nameEnd + 1, e.end - nameEnd - 1);
      mime = decodeUtf8(b.subarray(nameEnd + 1, me < 0 ? e.end : me));
    }
    types.set(id, { type, mime });
  }
}

function readIloc(b: Uint8Array, box: Box, locs: Map<number, { method: number; extents: [number, number][] }>, ctx: MetaContext): void {
  const version = b[box.start];
  if (version > 2) return;
  let p = box.start + 4;
  const offSize = b[p] >> 4;
  const lenSize = b[p] & 15;
  const baseSize = b[p + 1] >> 4;
  const idxSize = version === 1 || version === 2 ? b[p + 1] & 15 : 0;
  p += 2;
  const read = (size: number): number => {
    if (p + size > box.end) throw new RangeError('iloc');
    const v = size === 0 ? 0 : size === 4 ? u32be(b, p) : size === 8 ? u64be(b, p) : size === 2 ? u16be(b, p) : NaN;
    if (Number.isNaN(v)) throw new RangeError('iloc size');
    p += size;
    return v;
  };
  try {
    const count = read(version < 2 ? 2 : 4);
    for (let i = 0; i < count && i < 10_000; i++) {
      const id = read(version < 2 ? 2 : 4);
      const method = version === 1 || version === 2 ? read(2) & 15 : 0;
      read(2); // data_reference_index
      const base = read(baseSize);
      const n = read(2);
      const extents: [number, number][] = [];
      for (let k = 0; k < n && k < 1000; k++) {
        if (idxSize) read(idxSize);
        const off = read(offSize);
        const len = read(lenSize);
        extents.push([base + off, len]);
      }
      locs.set(id, { method, extents });
    }
  } catch {
    ctx.warnings.push('iloc_malformed');
  }
}

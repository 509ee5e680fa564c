/**
 * JPEG segment walker: APP1 Exif, APP1 XMP (+ Extended XMP reassembled by GUID and offset),
 * APP13 Photoshop/IPTC, APP11 JUMBF (C2PA, reassembled by box instance and sequence number),
 * APP2 ICC, COM, SOFn size. Stops at SOS (all metadata precedes the scan).
 */
import { decodeLatin1, decodeText, decodeUtf8, startsWithAscii, u16be, u32be } from '../bytes';
import type { MetaContext } from '../context';
import { addC2pa, addExif, addPhotoshop, addText, addXmp, BLOCK_MAX, iccDescription } from './common';
import { xmpValues } from '../xmp';

const XMP_NOTE = 'http://ns.adobe.com/xmp/note/';
/** Extended XMP packets reassembled per file: the one the main packet names, plus at most one other. */
export const EXT_XMP_MAX_GUIDS = 2;

const XMP_SIG = 'http://ns.adobe.com/xap/1.0/\0';
const XMP_EXT_SIG = 'http://ns.adobe.com/xmp/extension/\0';

export interface JpegSegment {
  marker: number;
  /** Offset of the payload (after the 2-byte length). */
  start: number;
  end: number;
}

/** List the marker segments before SOS. Bounded by the file size and a segment cap. */
export function jpegSegments(b: Uint8Array): { segments: JpegSegment[]; truncated: boolean } {
  const segments: JpegSegment[] = [];
  if (b[0] !== 0xff || b[1] !== 0xd8) return { segments, truncated: true };
  let o = 2;
  while (o + 4 <= b.length && segments.length < 4000) {
    if (b[o] !== 0xff) {
      // Garbage between segments: resync on the next 0xFF (bounded by the file size).
      o++;
      continue;
    }
    const marker = b[o + 1];
    if (marker === 0xff) {
      o++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2;
      continue;
    }
    if (marker === 0xd9) break;
    const len = u16be(b, o + 2);
    if (len < 2) return { segments, truncated: true };
    const start = o + 4;
    const end = o + 2 + len;
    if (end > b.length) {
      segments.push({ marker, start, end: b.length });
      return { segments, truncated: true };
    }
    segments.push({ marker, start, end });
    if (marker === 0xda) break;
    o = end;
  }
  return { segments, truncated: false };
}

export function walkJpeg(b: Uint8Array, ctx: MetaContext): void {
  const { segments, truncated } = jpegSegments(b);
  if (truncated) ctx.warnings.push('segment_truncated');
  const ext = new Map<string, { full: number; parts: { off: number; data: Uint8Array }[] }>();
  const jumbf = new Map<number, { z: number; data: Uint8Array }[]>();
  const icc: Uint8Array[] = [];
  let exifDone = false;
  for (const s of segments) {
    const p = b.subarray(s.start, s.end);
    const m = s.marker;
    if (m === 0xe1) {
      if (!exifDone && startsWithAscii(p, 0, 'Exif\0')) {
        exifDone = true;
        addExif(ctx, p.subarray(6), 'JPEG APP1 Exif');
      } else if (startsWithAscii(p, 0, XMP_SIG)) {
        addXmp(ctx, decodeUtf8(p.subarray(XMP_SIG.length)), 'JPEG APP1 XMP');
      } else if (startsWithAscii(p, 0, XMP_EXT_SIG)) {
        const h = XMP_EXT_SIG.length;
        if (p.length < h + 40) continue;
        const guid = decodeLatin1(p.subarray(h, h + 32));
        const full = u32be(p, h + 32);
        const off = u32be(p, h + 36);
        if (full > BLOCK_MAX || off >= full) continue;
        // Only references to the file's own bytes here: nothing is allocated per GUID yet.
        let e = ext.get(guid);
        if (!e) ext.set(guid, (e = { full, parts: [] }));
        if (e.full === full && e.parts.length < 1000) e.parts.push({ off, data: p.subarray(h + 40) });
      }
    } else if (m === 0xeb) {
      // APP11 JUMBF: CI 'JP', En (box instance), Z (packet sequence), then box header + payload.
      if (p.length < 16 || p[0] !== 0x4a || p[1] !== 0x50) continue;
      const en = u16be(p, 2);
      const z = u32be(p, 4);
      const list = jumbf.get(en) ?? [];
      if (list.length < 10000) list.push({ z, data: p.subarray(8) });
      jumbf.set(en, list);
    } else if (m === 0xed) {
      addPhotoshop(ctx, p);
    } else if (m === 0xe2 && startsWithAscii(p, 0, 'ICC_PROFILE\0')) {
      icc.push(p.subarray(14));
    } else if (m === 0xfe) {
      addText(ctx, 'Comment', decodeText(p), 'JPEG COM');
    } else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (ctx.width === undefined && p.length >= 5) {
        ctx.height = u16be(p, 1);
        ctx.width = u16be(p, 3);
      }
    }
  }
  readExtendedXmp(ctx, ext);
  for (const [, list] of jumbf) {
    list.sort((a, c) => a.z - c.z);
    const first = list[0].data;
    // Every continuation segment repeats the superbox header (LBox, TBox[, XLBox]).
    const head = u32be(first, 0) === 1 ? 16 : 8;
    let total = first.length;
    for (const x of list.slice(1)) total += Math.max(0, x.data.length - head);
    if (total > BLOCK_MAX * 4) continue;
    const buf = new Uint8Array(total);
    buf.set(first, 0);
    let o = first.length;
    for (const x of list.slice(1)) {
      const d = x.data.subarray(Math.min(head, x.data.length));
      buf.set(d, o);
      o += d.length;
    }
    addC2pa(ctx, buf, 'JPEG APP11 JUMBF');
  }
  if (icc.length) {
    const d = iccDescription(icc[0]);
    if (d) ctx.icc = d;
  }
}

/**
 * Extended XMP (XMP spec part 3): the main packet names its extension by GUID in
 * xmpNote:HasExtendedXMP. A hostile file may carry hundreds of GUIDs each claiming an 8 MiB
 * packet; we reassemble the named one and at most one other, and allocate a packet's full length
 * only once its chunks cover it (otherwise the chunks are joined in offset order, so the memory
 * and the parsing stay linear in the file size whatever the headers claim).
 */
function readExtendedXmp(ctx: MetaContext, ext: Map<string, { full: number; parts: { off: number; data: Uint8Array }[] }>): void {
  if (ext.size === 0) return;
  const named = new Set(ctx.xmp.flatMap((d) => xmpValues(d, XMP_NOTE, 'HasExtendedXMP')).map((g) => g.trim().toUpperCase()));
  const guids = [...ext.keys()];
  const chosen = [...guids.filter((g) => named.has(g.toUpperCase())), ...guids.filter((g) => !named.has(g.toUpperCase()))].slice(0, EXT_XMP_MAX_GUIDS);
  if (guids.length > chosen.length) ctx.warnings.push('xmp_extended_ignored');
  let budget = BLOCK_MAX;
  for (const guid of chosen) {
    const e = ext.get(guid)!;
    e.parts.sort((a, c) => a.off - c.off);
    // Bytes actually covered by the chunks (overlaps counted once).
    let covered = 0;
    let reach = 0;
    for (const { off, data } of e.parts) {
      const end = Math.min(e.full, off + data.length);
      if (end > reach) {
        covered += end - Math.max(off, reach);
        reach = end;
      }
    }
    if (covered === 0 || covered > budget) continue;
    budget -= covered;
    let buf: Uint8Array;
    if (covered >= e.full) {
      buf = new Uint8Array(e.full);
      for (const { off, data } of e.parts) buf.set(data.subarray(0, e.full - off), off);
    } else {
      // Chunks missing: join what is there in order (a gap we still parse around).
      buf = new Uint8Array(covered);
      let o = 0;
      reach = 0;
      for (const { off, data } of e.parts) {
        const end = Math.min(e.full, off + data.length);
        if (end <= reach) continue;
        const d = data.subarray(Math.max(0, reach - off), end - off);
        buf.set(d, o);
        o += d.length;
        reach = end;
      }
    }
    addXmp(ctx, decodeUtf8(buf).replace(/\0+/g, ''), `JPEG APP1 Extended XMP ${guid.slice(0, 8)}`);
  }
}

import { decodeText, RAW_MAX } from '../bytes';
import { iimFromPhotoshop, readIim } from '../iptc';
import { readC2paStore } from '../jumbf';
import { isTiff, readTiff } from '../tiff';
import { parseXmp } from '../xmp';
import type { MetaContext } from '../context';

/** Largest single metadata block we decode (text, XMP, inflated chunk). */
export const BLOCK_MAX = 8 * 1024 * 1024;
/** Largest text block (PNG text chunk, inflated): ComfyUI workflows reach a few hundred kB. */
export const TEXT_MAX = 2 * 1024 * 1024;

/** Merge a TIFF/EXIF block into the context (first value per tag wins). */
export function addExif(ctx: MetaContext, tiff: Uint8Array, where: string): void {
  // Some writers keep the JPEG "Exif\0\0" prefix in PNG eXIf / WebP EXIF / HEIF items.
  let b = tiff;
  if (b.length > 6 && b[0] === 0x45 && b[1] === 0x78 && b[2] === 0x69 && b[3] === 0x66 && b[4] === 0 && b[5] === 0) b = b.subarray(6);
  if (!isTiff(b)) {
    ctx.warnings.push('exif_malformed');
    return;
  }
  const { tags, warnings } = readTiff(b);
  ctx.warnings.push(...warnings);
  ctx.exifWhere ??= where;
  for (const [k, v] of Object.entries(tags)) {
    const key = k as keyof typeof tags;
    if (ctx.exif[key] === undefined) (ctx.exif as Record<string, unknown>)[key] = v;
  }
  if (tags.XMP) addXmp(ctx, tags.XMP, `${where} XMP tag`);
  if (tags.IPTC) addIim(ctx, tags.IPTC);
}

export function addXmp(ctx: MetaContext, xml: string, where: string): void {
  if (ctx.xmp.length >= 8) return;
  const doc = parseXmp(xml.length > BLOCK_MAX ? xml.slice(0, BLOCK_MAX) : xml, where);
  if (doc) ctx.xmp.push(doc);
}

export function addIim(ctx: MetaContext, iim: Uint8Array): void {
  const rec = readIim(iim);
  for (const [k, v] of Object.entries(rec)) (ctx.iptc[k] ??= []).push(...v);
}

export function addPhotoshop(ctx: MetaContext, app13: Uint8Array): void {
  const iim = iimFromPhotoshop(app13);
  if (iim) addIim(ctx, iim);
}

export function addC2pa(ctx: MetaContext, jumbf: Uint8Array, where: string): void {
  if (ctx.c2pa.length >= 4) return;
  const store = readC2paStore(jumbf);
  if (store.error && store.manifests.length === 0) ctx.warnings.push('c2pa_unreadable');
  ctx.c2pa.push({ where, bytes: jumbf.length, store });
}

export function addText(ctx: MetaContext, key: string, value: string, where: string): void {
  if (ctx.texts.length >= 200) return;
  ctx.texts.push({ key, value, where });
}

/** ICC 'desc' tag text (v2 'desc' or v4 'mluc'), best effort. */
export function iccDescription(icc: Uint8Array): string | undefined {
  if (icc.length < 132) return undefined;
  const dv = new DataView(icc.buffer, icc.byteOffset, icc.byteLength);
  const n = Math.min(dv.getUint32(128), 100);
  for (let i = 0; i < n; i++) {
    const e = 132 + i * 12;
    if (e + 12 > icc.length) break;
    if (dv.getUint32(e) !== 0x64657363) continue; // 'desc'
    const off = dv.getUint32(e + 4);
    const len = dv.getUint32(e + 8);
    if (off + Math.min(len, 12) > icc.length || len < 12) return undefined;
    const type = String.fromCharCode(icc[off], icc[off + 1], icc[off + 2], icc[off + 3]);
    if (type === 'desc') {
      const l = dv.getUint32(off + 8);
      return decodeText(icc.subarray(off + 12, Math.min(icc.length, off + 12 + Math.min(l, RAW_MAX)))).replace(/\0+$/, '');
    }
    if (type === 'mluc' && off + 28 <= icc.length) {
      const sl = dv.getUint32(off + 20);
      const so = dv.getUint32(off + 24);
      const s = icc.subarray(off + so, Math.min(icc.length, off + so + Math.min(sl, RAW_MAX * 2)));
      return new TextDecoder('utf-16be').decode(s).replace(/\0+$/, '');
    }
  }
  return undefined;
}

/**
 * PNG chunk walker: IHDR, tEXt, zTXt, iTXt (compressed or not; 'XML:com.adobe.xmp' is XMP),
 * eXIf, caBX (C2PA JUMBF), ImageMagick 'Raw profile type exif/xmp/iptc' hex blocks.
 * Walks the whole file (text chunks may follow IDAT), CRCs are not checked.
 */
import { decodeLatin1, decodeUtf8, fourcc, indexOfNul, inflateCapped, u32be } from '../bytes';
import type { MetaContext } from '../context';
import { addC2pa, addExif, addIim, addText, addXmp, BLOCK_MAX, TEXT_MAX } from './common';

export function walkPng(b: Uint8Array, ctx: MetaContext): void {
  let o = 8;
  let n = 0;
  let textBytes = 0;
  while (o + 8 <= b.length && n++ < 100_000) {
    const len = u32be(b, o);
    const type = fourcc(b, o + 4);
    const start = o + 8;
    if (len > b.length - start) {
      ctx.warnings.push('chunk_truncated');
      if (type === 'IDAT') break;
    }
    const end = Math.min(b.length, start + len);
    const d = b.subarray(start, end);
    if (type === 'IHDR' && d.length >= 8) {
      ctx.width = u32be(d, 0);
      ctx.height = u32be(d, 4);
    } else if ((type === 'tEXt' || type === 'zTXt' || type === 'iTXt') && textBytes < BLOCK_MAX * 4) {
      textBytes += d.length;
      const t = readTextChunk(type, d);
      if (t === undefined) ctx.warnings.push('text_chunk_malformed');
      else handleText(ctx, t.key, t.value, `PNG ${type}`);
    } else if (type === 'eXIf') {
      addExif(ctx, d, 'PNG eXIf');
    } else if (type === 'caBX') {
      addC2pa(ctx, d, 'PNG caBX');
    } else if (type === 'IEND') break;
    o = start + len + 4;
  }
}

/** Decode one tEXt/zTXt/iTXt payload into key and text. undefined when malformed. */
export function readTextChunk(type: string, d: Uint8Array): { key: string; value: string } | undefined {
  const nul = indexOfNul(d, 0, 80);
  if (nul <= 0) return undefined;
  const key = decodeLatin1(d.subarray(0, nul));
  if (type === 'tEXt') return { key, value: decodeLatin1(d.subarray(nul + 1, Math.min(d.length, nul + 1 + TEXT_MAX))) };
  if (type === 'zTXt') {
    if (d[nul + 1] !== 0) return undefined;
    const raw = inflateCapped(d.subarray(nul + 2), TEXT_MAX);
    return raw ? { key, value: decodeLatin1(raw) } : undefined;
  }
  // iTXt: keyword\0 flag method lang\0 translated\0 text
  const flag = d[nul + 1];
  const lang = indexOfNul(d, nul + 3, 1000);
  if (lang < 0) return undefined;
  const trans = indexOfNul(d, lang + 1, 10000);
  if (trans < 0) return undefined;
  const body = d.subarray(trans + 1);
  const text = flag === 1 ? inflateCapped(body, key === 'XML:com.adobe.xmp' ? BLOCK_MAX : TEXT_MAX) : body.subarray(0, BLOCK_MAX);
  return text ? { key, value: decodeUtf8(text) } : undefined;
}

function handleText(ctx: MetaContext, key: string, value: string, where: string): void {
  if (key === 'XML:com.adobe.xmp') return addXmp(ctx, value, `${where} XMP`);
  const raw = /^Raw profile type (exif|app1|xmp|iptc|8bim)$/i.exec(key);
  if (raw) {
    const bytes = rawProfile(value);
    if (!bytes) return;
    const kind = raw[1].toLowerCase();
    if (kind === 'exif' || kind === 'app1') addExif(ctx, bytes, `${where} ${key}`);
    else if (kind === 'xmp') addXmp(ctx, decodeUtf8(bytes), `${where} ${key}`);
    else if (kind === 'iptc') addIim(ctx, bytes);
    return;
  }
  addText(ctx, key, value, where);
}

/** ImageMagick raw profile: "\n<name>\n   <length>\n<hex digits, wrapped>". */
function rawProfile(s: string): Uint8Array | undefined {
  const m = /^\s*\S+\s+(\d+)\s+([0-9a-fA-F\s]+)/.exec(s);
  if (!m) return undefined;
  const n = Math.min(parseInt(m[1], 10), BLOCK_MAX);
  const hex = m[2].replace(/\s+/g, '');
  const out = new Uint8Array(Math.min(n, hex.length >> 1));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

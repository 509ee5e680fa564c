/**
 * Byte helpers shared by the container walkers. Every reader is bounds-checked: a length field
 * read from a file is never trusted, offsets past the end give `undefined`/empty results.
 */
import { Gunzip, Unzlib } from 'fflate';

/** Longest raw value kept for a Signal's `raw` entry. */
export const RAW_MAX = 500;

export function u16be(b: Uint8Array, o: number): number {
  return o + 2 <= b.length ? (b[o] << 8) | b[o + 1] : 0;
}
export function u16le(b: Uint8Array, o: number): number {
  return o + 2 <= b.length ? b[o] | (b[o + 1] << 8) : 0;
}
export function u32be(b: Uint8Array, o: number): number {
  return o + 4 <= b.length ? ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0 : 0;
}
export function u32le(b: Uint8Array, o: number): number {
  return o + 4 <= b.length ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : 0;
}
/** 64-bit big-endian as a Number (exact up to 2^53; larger values are beyond any file we accept anyway). */
export function u64be(b: Uint8Array, o: number): number {
  return u32be(b, o) * 4294967296 + u32be(b, o + 4);
}

/** Four ASCII characters at `o` (a chunk/box type). */
export function fourcc(b: Uint8Array, o: number): string {
  if (o + 4 > b.length) return '';
  return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
}

/** Does `b` hold the ASCII string `s` at `o`? */
export function startsWithAscii(b: Uint8Array, o: number, s: string): boolean {
  if (o + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[o + i] !== s.charCodeAt(i)) return false;
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf16le = new TextDecoder('utf-16le', { fatal: false });
const utf16be = new TextDecoder('utf-16be', { fatal: false });

export function decodeUtf8(b: Uint8Array): string {
  return utf8.decode(b);
}
export function decodeUtf16(b: Uint8Array, littleEndian: boolean): string {
  return (littleEndian ? utf16le : utf16be).decode(b);
}
/** ISO-8859-1 (PNG tEXt, TIFF ASCII): each byte is one code point. */
export function decodeLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, Math.min(b.length, i + 8192)) as unknown as number[]);
  return s;
}

/** Text that is probably UTF-8 but may be Latin-1: decode as UTF-8 unless it yields replacement characters. */
export function decodeText(b: Uint8Array): string {
  const s = decodeUtf8(b);
  return s.includes('\uFFFD') ? decodeLatin1(b) : s;
}

/** Index of the first 0 byte at or after `from`, or -1 (searches at most `limit` bytes). */
export function indexOfNul(b: Uint8Array, from: number, limit = b.length): number {
  const end = Math.min(b.length, from + limit);
  for (let i = from; i < end; i++) if (b[i] === 0) return i;
  return -1;
}

/** Find the ASCII needle in b[from, to). */
export function indexOfAscii(b: Uint8Array, needle: string, from = 0, to = b.length): number {
  const n = needle.length;
  if (n === 0) return -1;
  const c0 = needle.charCodeAt(0);
  const end = Math.min(b.length, to) - n;
  outer: for (let i = Math.max(0, from); i <= end; i++) {
    if (b[i] !== c0) continue;
    for (let j = 1; j < n; j++) if (b[i + j] !== needle.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}

/** Cut a string to `max` characters for display (never for parsing). */
export function clip(s: string, max = RAW_MAX): string {
  const t = s.replace(/\u0000+$/g, '');
  return t.length > max ? t.slice(0, max) + '…' : t;
}

/** zlib-inflate with a hard cap on the output size (decompression bombs). Returns undefined on error. */
export function inflateCapped(data: Uint8Array, maxOut: number, gzip = false): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  let over = false;
  try {
    const onData = (chunk: Uint8Array) => {
      if (over) return;
      total += chunk.length;
      if (total > maxOut) {
        over = true;
        return;
      }
      parts.push(chunk);
    };
    const z = gzip ? new Gunzip(onData) : new Unzlib(onData);
    // Small input steps bound the output a single push can produce (deflate expands ≤ ~1032×).
    const step = 1024;
    for (let i = 0; i < data.length && !over; i += step) {
      z.push(data.subarray(i, Math.min(data.length, i + step)), i + step >= data.length);
    }
  } catch {
    if (parts.length === 0) return undefined;
  }
  const out = new Uint8Array(Math.min(total, maxOut));
  let o = 0;
  for (const p of parts) {
    if (o + p.length > out.length) break;
    out.set(p, o);
    o += p.length;
  }
  return out.subarray(0, o);
}

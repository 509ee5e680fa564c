import type { ImageFormat } from '../types';

/**
 * Format sniffing and header-only dimension reading. Everything here reads untrusted bytes:
 * every read is bounds-checked, every loop is bounded (by the input length or a fixed count),
 * and no function throws.
 */

const ascii = (b: Uint8Array, at: number, s: string) => {
  if (at < 0 || b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};
const fourcc = (b: Uint8Array, at: number) =>
  at + 4 <= b.length ? String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]) : '';

/** BMP DIB header sizes in the wild (core, info, v2, v3, OS/2 v2, v4, v5). */
const BMP_DIB_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

const HEIF_BRANDS = /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1|mif2|miaf)$/;

/** Identify an image container from its first bytes. Never trusts URLs or MIME types. */
export function sniffFormat(b: Uint8Array): ImageFormat {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (ascii(b, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'webp';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'gif';
  // "BM" alone is too weak (text starting with "BM…"): require a known DIB header size.
  if (ascii(b, 0, 'BM') && b.length > 26) {
    const dib = b[14] | (b[15] << 8) | (b[16] << 16) | (b[17] << 24);
    if (BMP_DIB_SIZES.has(dib)) return 'bmp';
  }
  if (ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*')) return 'tiff';
  if (ascii(b, 4, 'ftyp')) {
    const major = fourcc(b, 8);
    // ftyp box: major brand, minor version, then compatible brands up to the box end
    const size = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    const end = Math.min(b.length, size >= 16 && size <= 4096 ? size : 64);
    const brands: string[] = [];
    for (let i = 16; i + 4 <= end; i += 4) brands.push(fourcc(b, i));
    if (major === 'avif' || major === 'avis') return 'avif';
    if (HEIF_BRANDS.test(major)) {
      // mif1/miaf files may still be AVIF: decide on the compatible brands.
      if (brands.includes('avif') || brands.includes('avis')) {
        return brands.includes('heic') || brands.includes('heix') ? 'heic' : 'avif';
      }
      return 'heic';
    }
  }
  return 'unknown';
}

/**
 * True when the bytes look like a web page / text rather than an image (for a clearer error):
 * markup or JSON, or a head that decodes as text without control characters.
 */
export function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  const headBytes = b.subarray(0, 512);
  const head = new TextDecoder('utf-8', { fatal: false }).decode(headBytes).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (head.startsWith('<') || head.startsWith('{') || head.startsWith('[')) return true;
  // plain-text error pages ("Not Found", "Forbidden"): valid UTF-8 without binary control bytes
  let text: string;
  try {
    // a multi-byte character may be cut at the 512-byte boundary: drop the last 3 bytes
    text = new TextDecoder('utf-8', { fatal: true }).decode(headBytes.length === 512 ? headBytes.subarray(0, 509) : headBytes);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return text.trim().length > 0 && !/[\x00-\x08\x0e-\x1f\x7f]/.test(text);
}

export interface Dimensions {
  width: number;
  height: number;
}

/**
 * Image dimensions from the header without decoding (for the pixel-count cap before decode).
 * When a format can carry several sizes (GIF frames, WebP canvas and frame, HEIF items), the
 * largest is returned, so a small header cannot hide a large frame. Never throws; `undefined`
 * when no size could be read.
 */
export function readDimensions(b: Uint8Array, format: ImageFormat): Dimensions | undefined {
  try {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    switch (format) {
      case 'png':
        return pngDims(b, dv);
      case 'gif':
        return gifDims(b, dv);
      case 'bmp':
        return bmpDims(b, dv);
      case 'webp':
        return webpDims(b, dv);
      case 'jpeg':
        return jpegDims(b, dv);
      case 'tiff':
        return tiffDims(b, dv);
      case 'heic':
      case 'avif':
        return heifDims(b, dv);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

const largest = (a: Dimensions | undefined, c: Dimensions | undefined): Dimensions | undefined =>
  !a ? c : !c ? a : a.width * a.height >= c.width * c.height ? a : c;

function pngDims(b: Uint8Array, dv: DataView): Dimensions | undefined {
  if (b.length < 24 || !ascii(b, 12, 'IHDR')) return undefined;
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

function gifDims(b: Uint8Array, dv: DataView): Dimensions | undefined {
  if (b.length < 10) return undefined;
  let dims: Dimensions | undefined = { width: dv.getUint16(6, true), height: dv.getUint16(8, true) };
  // Walk to the first image descriptor: a frame larger than the logical screen grows the canvas
  // in browsers, so count it too.
  if (b.length < 13) return dims;
  let i = 13;
  if (b[10] & 0x80) i += 3 * (1 << ((b[10] & 7) + 1));
  for (let guard = 0; guard < 10_000 && i < b.length; guard++) {
    const t = b[i];
    if (t === 0x2c) {
      if (i + 9 >= b.length) break;
      const left = dv.getUint16(i + 1, true), top = dv.getUint16(i + 3, true);
      const w = dv.getUint16(i + 5, true), h = dv.getUint16(i + 7, true);
      dims = largest(dims, { width: Math.max(dims.width, left + w), height: Math.max(dims.height, top + h) });
      break;
    }
    if (t !== 0x21 || i + 2 > b.length) break;
    // extension: label, then sub-blocks until a zero length
    i += 2;
    while (i < b.length && b[i] !== 0) i += 1 + b[i];
    i += 1;
  }
  return dims;
}

function bmpDims(b: Uint8Array, dv: DataView): Dimensions | undefined {
  if (b.length < 26) return undefined;
  const dib = dv.getUint32(14, true);
  if (dib === 12) return { width: dv.getUint16(18, true), height: dv.getUint16(20, true) };
  // |INT32_MIN| is 2^31: Math.abs is fine on a JS number
  return { width: Math.abs(dv.getInt32(18, true)), height: Math.abs(dv.getInt32(22, true)) };
}

function webpDims(b: Uint8Array, dv: DataView): Dimensions | undefined {
  let dims: Dimensions | undefined;
  let i = 12;
  for (let guard = 0; guard < 64 && i + 8 <= b.length; guard++) {
    const type = fourcc(b, i);
    const len = dv.getUint32(i + 4, true);
    const d = i + 8;
    if (type === 'VP8X' && d + 10 <= b.length) {
      dims = largest(dims, { width: 1 + (b[d + 4] | (b[d + 5] << 8) | (b[d + 6] << 16)), height: 1 + (b[d + 7] | (b[d + 8] << 8) | (b[d + 9] << 16)) });
    } else if (type === 'VP8L' && d + 5 <= b.length && b[d] === 0x2f) {
      const bits = dv.getUint32(d + 1, true);
      dims = largest(dims, { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) });
    } else if (type === 'VP8 ' && d + 10 <= b.length && b[d + 3] === 0x9d && b[d + 4] === 0x01 && b[d + 5] === 0x2a) {
      dims = largest(dims, { width: dv.getUint16(d + 6, true) & 0x3fff, height: dv.getUint16(d + 8, true) & 0x3fff });
    }
    if (type === 'VP8 ' || type === 'VP8L') break; // the (first) frame: enough
    i = d + len + (len & 1);
  }
  return dims;
}

function jpegDims(b: Uint8Array, dv: DataView): Dimensions | undefined {
  // Segments before the frame header (APPn with EXIF/XMP/ICC, COM, DQT, DHT …) are skipped by
  // their length, so an EXIF thumbnail's own SOF is never taken for the image's.
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const m = b[i + 1];
    if (m === 0xff) {
      i++; // fill byte
      continue;
    }
    if (m === 0xd8 || m === 0x01 || m === 0x00 || (m >= 0xd0 && m <= 0xd7)) {
      i += 2;
      continue;
    }
    if (m === 0xd9 || m === 0xda) return undefined; // EOI / scan before any frame header
    const len = dv.getUint16(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC): baseline, extended, progressive, lossless, arithmetic
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (i + 9 > b.length) return undefined;
      return { height: dv.getUint16(i + 5), width: dv.getUint16(i + 7) };
    }
    if (len < 2) return undefined; // a segment length below 2 cannot be walked past
    i += 2 + len;
  }
  return undefined;
}

function tiffDims(b: Uint8Array, dv: DataView): Dimensions | undefined {
  if (b.length < 8) return undefined;
  const le = b[0] === 0x49;
  const ifd = dv.getUint32(4, le);
  if (ifd < 8 || ifd + 2 > b.length) return undefined;
  const n = dv.getUint16(ifd, le);
  let width: number | undefined, height: number | undefined;
  for (let k = 0; k < n && k < 4096; k++) {
    const e = ifd + 2 + 12 * k;
    if (e + 12 > b.length) break;
    const tag = dv.getUint16(e, le);
    if (tag !== 256 && tag !== 257) continue;
    const type = dv.getUint16(e + 2, le);
    const v = type === 3 ? dv.getUint16(e + 8, le) : type === 4 ? dv.getUint32(e + 8, le) : undefined;
    if (v === undefined) continue;
    if (tag === 256) width = v;
    else height = v;
  }
  return width !== undefined && height !== undefined ? { width, height } : undefined;
}

/** ISOBMFF: the largest 'ispe' (image spatial extent) of meta/iprp/ipco. */
function heifDims(b: Uint8Array, dv: DataView): Dimensions | undefined {
  let dims: Dimensions | undefined;
  // Boxes are walked iteratively with a fixed budget, so nested or self-referencing size fields
  // cannot cause deep recursion or a long loop.
  const stack: [number, number][] = [[0, b.length]];
  let budget = 4096;
  while (stack.length && budget-- > 0) {
    const [start, end] = stack.pop()!;
    let i = start;
    while (i + 8 <= end && budget-- > 0) {
      let size = dv.getUint32(i);
      const type = fourcc(b, i + 4);
      let header = 8;
      if (size === 1) {
        if (i + 16 > end) break;
        const big = dv.getBigUint64(i + 8);
        size = big > BigInt(end - i) ? end - i + 1 : Number(big);
        header = 16;
      } else if (size === 0) size = end - i;
      if (size < header || i + size > end) break;
      const boxEnd = i + size;
      if (type === 'meta') stack.push([i + header + 4, boxEnd]); // FullBox: version + flags
      else if (type === 'iprp' || type === 'ipco') stack.push([i + header, boxEnd]);
      else if (type === 'ispe' && i + header + 12 <= boxEnd) {
        dims = largest(dims, { width: dv.getUint32(i + header + 4), height: dv.getUint32(i + header + 8) });
      }
      i = boxEnd;
    }
  }
  return dims;
}

import type { ImageFormat } from '../types';

const ascii = (b: Uint8Array, at: number, s: string) => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

/** Identify an image container from its first bytes. Never trusts URLs or MIME types. */
export function sniffFormat(b: Uint8Array): ImageFormat {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (ascii(b, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'webp';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'gif';
  if (ascii(b, 0, 'BM') && b.length > 26) return 'bmp';
  if (ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*')) return 'tiff';
  if (ascii(b, 4, 'ftyp')) {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (/^(avif|avis)$/.test(brand)) return 'avif';
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) {
      // mif1 files may still be AVIF: look for an avif compatible brand.
      const head = String.fromCharCode(...b.subarray(8, Math.min(b.length, 64)));
      return head.includes('avif') && !head.includes('heic') ? 'avif' : 'heic';
    }
  }
  return 'unknown';
}

/** True when the bytes look like text/HTML rather than an image (for a clearer error). */
export function looksLikeText(b: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(b.subarray(0, 512))
    .trimStart()
    .toLowerCase();
  return head.startsWith('<!doctype') || head.startsWith('<html') || head.startsWith('<?xml') || head.startsWith('{') || head.startsWith('<');
}

/** Image dimensions from the header without decoding (for pixel-count caps before decode). */
export function readDimensions(b: Uint8Array, format: ImageFormat): { width: number; height: number } | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    switch (format) {
      case 'png':
        if (ascii(b, 12, 'IHDR')) return { width: dv.getUint32(16), height: dv.getUint32(20) };
        return undefined;
      case 'gif':
        return { width: dv.getUint16(6, true), height: dv.getUint16(8, true) };
      case 'bmp':
        return { width: Math.abs(dv.getInt32(18, true)), height: Math.abs(dv.getInt32(22, true)) };
      case 'webp': {
        if (ascii(b, 12, 'VP8X')) {
          const w = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
          const h = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
          return { width: w, height: h };
        }
        if (ascii(b, 12, 'VP8L')) {
          const bits = dv.getUint32(21, true);
          return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
        }
        if (ascii(b, 12, 'VP8 ')) return { width: dv.getUint16(26, true) & 0x3fff, height: dv.getUint16(28, true) & 0x3fff };
        return undefined;
      }
      case 'jpeg': {
        let i = 2;
        while (i + 9 < b.length) {
          if (b[i] !== 0xff) { i++; continue; }
          const m = b[i + 1];
          if (m === 0xff) { i++; continue; }
          if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { i += 2; continue; }
          const len = dv.getUint16(i + 2);
          if ((m >= 0xc0 && m <= 0xcf) && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
            return { height: dv.getUint16(i + 5), width: dv.getUint16(i + 7) };
          }
          if (m === 0xda) return undefined;
          i += 2 + len;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * IPTC-IIM (JPEG APP13 "Photoshop 3.0" 8BIM resource 0x0404, or TIFF tag 33723).
 * Datasets: 0x1C, record, dataset, 2-byte length (extended lengths are skipped as hostile).
 */
import { decodeText, startsWithAscii, u16be, u32be } from './bytes';

/** Record 2 datasets the signals care about. */
const NAMES: Record<number, string> = {
  5: 'ObjectName',
  25: 'Keywords',
  80: 'By-line',
  105: 'Headline',
  110: 'Credit',
  115: 'Source',
  116: 'CopyrightNotice',
  120: 'Caption-Abstract',
  122: 'Writer-Editor',
  65: 'OriginatingProgram',
};

export function readIim(b: Uint8Array): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let o = 0;
  let guard = 0;
  while (o + 5 <= b.length && guard++ < 5000) {
    if (b[o] !== 0x1c) {
      o++;
      continue;
    }
    const rec = b[o + 1];
    const ds = b[o + 2];
    const len = u16be(b, o + 3);
    if (len & 0x8000) break; // extended dataset: not used for text, stop rather than trust it
    const start = o + 5;
    const end = Math.min(b.length, start + len);
    if (rec === 2 && NAMES[ds]) (out[NAMES[ds]] ??= []).push(decodeText(b.subarray(start, end)).trim());
    o = end;
  }
  return out;
}

/** Find resource 0x0404 (IPTC) in a Photoshop image-resource block ("8BIM" entries). */
export function iimFromPhotoshop(b: Uint8Array): Uint8Array | undefined {
  let o = startsWithAscii(b, 0, 'Photoshop 3.0\0') ? 14 : 0;
  let guard = 0;
  while (o + 12 <= b.length && guard++ < 2000) {
    if (!startsWithAscii(b, o, '8BIM')) return undefined;
    const id = u16be(b, o + 4);
    const nameLen = b[o + 6];
    let p = o + 6 + 1 + nameLen;
    if (p % 2) p++; // Pascal string padded to even length
    const size = u32be(b, p);
    const dataAt = p + 4;
    if (dataAt + size > b.length) return id === 0x0404 ? b.subarray(dataAt) : undefined;
    if (id === 0x0404) return b.subarray(dataAt, dataAt + size);
    o = dataAt + size + (size % 2);
  }
  return undefined;
}

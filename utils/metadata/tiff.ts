/**
 * Minimal TIFF/EXIF IFD reader (the "Exif" block of JPEG/PNG/WebP/HEIF, or a whole TIFF file).
 * Reads only the tags the signals need; every offset and count is bounds-checked and every loop
 * is capped, so a hostile block costs at most a few thousand steps.
 */
import { decodeLatin1, decodeText, decodeUtf16, u16be, u16le, u32be, u32le } from './bytes';

export interface ExifTags {
  Make?: string;
  Model?: string;
  Software?: string;
  Artist?: string;
  Copyright?: string;
  ImageDescription?: string;
  DateTime?: string;
  DateTimeOriginal?: string;
  DateTimeDigitized?: string;
  OffsetTimeOriginal?: string;
  UserComment?: string;
  XPComment?: string;
  XPTitle?: string;
  XPKeywords?: string;
  XPSubject?: string;
  HostComputer?: string;
  LensModel?: string;
  BodySerialNumber?: string;
  Orientation?: number;
  PixelXDimension?: number;
  PixelYDimension?: number;
  /** GPS IFD present with a latitude. */
  GPS?: boolean;
  /** XMP packet stored in TIFF tag 700 (TIFF files). */
  XMP?: string;
  /** IPTC-IIM stored in TIFF tag 33723. */
  IPTC?: Uint8Array;
  /** IFD1 JPEG thumbnail. */
  thumbnail?: Uint8Array;
}

const IFD0_TAGS: Record<number, keyof ExifTags> = {
  0x010e: 'ImageDescription',
  0x010f: 'Make',
  0x0110: 'Model',
  0x0112: 'Orientation',
  0x0131: 'Software',
  0x0132: 'DateTime',
  0x013b: 'Artist',
  0x013c: 'HostComputer',
  0x8298: 'Copyright',
  0x9c9b: 'XPTitle',
  0x9c9c: 'XPComment',
  0x9c9e: 'XPKeywords',
  0x9c9f: 'XPSubject',
};
const EXIF_TAGS: Record<number, keyof ExifTags> = {
  0x9003: 'DateTimeOriginal',
  0x9004: 'DateTimeDigitized',
  0x9011: 'OffsetTimeOriginal',
  0x9286: 'UserComment',
  0xa002: 'PixelXDimension',
  0xa003: 'PixelYDimension',
  0xa434: 'LensModel',
  0xa431: 'BodySerialNumber',
};
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
const MAX_ENTRIES = 1000;
const MAX_STRING = 256 * 1024;

/** Is this the start of a TIFF header ("II*\0" or "MM\0*")? */
export function isTiff(b: Uint8Array, o = 0): boolean {
  return (
    (b[o] === 0x49 && b[o + 1] === 0x49 && b[o + 2] === 0x2a && b[o + 3] === 0) ||
    (b[o] === 0x4d && b[o + 1] === 0x4d && b[o + 2] === 0 && b[o + 3] === 0x2a)
  );
}

/**
 * Parse a TIFF-structured block. Returns the tags found and warnings; never throws.
 * `tiff` starts at the byte-order mark.
 */
export function readTiff(tiff: Uint8Array): { tags: ExifTags; warnings: string[] } {
  const tags: ExifTags = {};
  const warnings: string[] = [];
  if (!isTiff(tiff)) {
    warnings.push('exif_malformed');
    return { tags, warnings };
  }
  const le = tiff[0] === 0x49;
  const r16 = (o: number) => (le ? u16le(tiff, o) : u16be(tiff, o));
  const r32 = (o: number) => (le ? u32le(tiff, o) : u32be(tiff, o));
  const visited = new Set<number>();

  type Entry = { tag: number; type: number; count: number; valueAt: number; size: number };
  const entries = (ifd: number): Entry[] => {
    if (ifd < 8 || ifd + 2 > tiff.length || visited.has(ifd)) return [];
    visited.add(ifd);
    const n = r16(ifd);
    if (n > MAX_ENTRIES) {
      warnings.push('exif_malformed');
      return [];
    }
    const out: Entry[] = [];
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + i * 12;
      if (e + 12 > tiff.length) {
        warnings.push('exif_truncated');
        break;
      }
      const tag = r16(e);
      const type = r16(e + 2);
      const count = r32(e + 4);
      const unit = TYPE_SIZE[type] ?? 0;
      if (!unit) continue;
      const size = unit * count;
      const valueAt = size <= 4 ? e + 8 : r32(e + 8);
      if (size > tiff.length || valueAt + size > tiff.length) {
        warnings.push('exif_truncated');
        continue;
      }
      out.push({ tag, type, count, valueAt, size });
    }
    return out;
  };
  const num = (en: Entry): number | undefined => {
    if (en.type === 3) return r16(en.valueAt);
    if (en.type === 4 || en.type === 13) return r32(en.valueAt);
    if (en.type === 1 || en.type === 7) return tiff[en.valueAt];
    return undefined;
  };
  const bytesOf = (en: Entry) => tiff.subarray(en.valueAt, en.valueAt + Math.min(en.size, MAX_STRING));
  const ascii = (en: Entry): string => {
    const raw = bytesOf(en);
    let end = raw.indexOf(0);
    if (end < 0) end = raw.length;
    return decodeText(raw.subarray(0, end)).trim();
  };
  const set = (key: keyof ExifTags, en: Entry) => {
    if (tags[key] !== undefined) return;
    switch (key) {
      case 'Orientation':
      case 'PixelXDimension':
      case 'PixelYDimension': {
        const v = num(en);
        if (v !== undefined) (tags as Record<string, unknown>)[key] = v;
        return;
      }
      case 'UserComment':
        tags.UserComment = userComment(bytesOf(en), le);
        return;
      case 'XPTitle':
      case 'XPComment':
      case 'XPKeywords':
      case 'XPSubject':
        tags[key] = decodeUtf16(bytesOf(en), true).replace(/\u0000+$/, '').trim();
        return;
      default: {
        const s = en.type === 2 || en.type === 7 || en.type === 1 ? ascii(en) : undefined;
        if (s) (tags as Record<string, unknown>)[key] = s;
      }
    }
  };

  const ifd0 = r32(4);
  let exifIfd = 0;
  let gpsIfd = 0;
  let thumbOff = 0;
  let thumbLen = 0;
  for (const en of entries(ifd0)) {
    const key = IFD0_TAGS[en.tag];
    if (key) set(key, en);
    else if (en.tag === 0x8769) exifIfd = num(en) ?? 0;
    else if (en.tag === 0x8825) gpsIfd = num(en) ?? 0;
    else if (en.tag === 0x02bc && !tags.XMP) tags.XMP = decodeText(bytesOf(en));
    else if (en.tag === 0x83bb && !tags.IPTC) tags.IPTC = bytesOf(en);
  }
  if (exifIfd) for (const en of entries(exifIfd)) {
    const key = EXIF_TAGS[en.tag];
    if (key) set(key, en);
  }
  if (gpsIfd) {
    const gps = entries(gpsIfd);
    // GPSLatitude (2) with a non-zero rational, or at least a latitude ref.
    tags.GPS = gps.some((en) => en.tag === 2 && en.size >= 8) || gps.some((en) => en.tag === 1);
  }
  // IFD1 (thumbnail) follows IFD0's entries.
  if (ifd0 >= 8 && ifd0 + 2 <= tiff.length) {
    const n = r16(ifd0);
    const next = ifd0 + 2 + n * 12;
    const ifd1 = n <= MAX_ENTRIES && next + 4 <= tiff.length ? r32(next) : 0;
    if (ifd1) for (const en of entries(ifd1)) {
      if (en.tag === 0x0201) thumbOff = num(en) ?? 0;
      if (en.tag === 0x0202) thumbLen = num(en) ?? 0;
    }
  }
  if (thumbOff > 0 && thumbLen > 0 && thumbOff + thumbLen <= tiff.length && tiff[thumbOff] === 0xff && tiff[thumbOff + 1] === 0xd8) {
    tags.thumbnail = tiff.slice(thumbOff, thumbOff + thumbLen);
  }
  return { tags, warnings: [...new Set(warnings)] };
}

/**
 * EXIF UserComment: 8-byte character-code prefix then the text. "UNICODE\0" is UTF-16 — in the
 * block's byte order by the standard, but piexif (AUTOMATIC1111) always writes big-endian, so the
 * order is guessed from where the zero bytes fall.
 */
export function userComment(b: Uint8Array, littleEndian: boolean): string {
  if (b.length < 8) return decodeText(b).replace(/\u0000+$/, '').trim();
  const code = decodeLatin1(b.subarray(0, 8));
  const body = b.subarray(8);
  let s: string;
  if (code.startsWith('UNICODE')) {
    let evenZero = 0;
    let oddZero = 0;
    const n = Math.min(body.length & ~1, 2000);
    for (let i = 0; i < n; i += 2) {
      if (body[i] === 0) evenZero++;
      if (body[i + 1] === 0) oddZero++;
    }
    const le = evenZero === oddZero ? littleEndian : oddZero > evenZero;
    s = decodeUtf16(body.subarray(0, body.length & ~1), le);
  } else if (code.startsWith('ASCII') || code.startsWith('\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000') || code.startsWith('JIS')) {
    s = decodeText(body);
  } else {
    // No (valid) prefix: some tools write bare text.
    s = decodeText(b);
  }
  return s.replace(/\u0000+$/, '').trim();
}

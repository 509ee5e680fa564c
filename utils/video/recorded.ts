/**
 * When was a packing video recorded? Read from the container, never from the clock:
 *   MP4 / MOV  moov → mvhd creation_time (seconds since 1904-01-01 UTC; version 0: 32 bit, 1: 64 bit)
 *   WebM / MKV Segment → Info → DateUTC (EBML id 0x4461: signed ns since 2001-01-01 UTC)
 * The file is read in small pieces through `read` (File.slice in the page, a Buffer in tests), so a
 * 2 GB video with its moov box at the end costs a handful of reads. Never throws.
 */

export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

const EPOCH_1904 = Date.UTC(1904, 0, 1);
const EPOCH_2001 = Date.UTC(2001, 0, 1);
/** Creation times before this are "unset" (0) or garbage written by cameras without a clock. */
const MIN_PLAUSIBLE = Date.UTC(2000, 0, 1);
const MAX_BOXES = 10_000;

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function type(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
}

function plausible(ms: number, now = Date.now()): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_PLAUSIBLE || ms > now + 366 * 86400_000) return undefined;
  return new Date(ms).toISOString();
}

/** Walk boxes in [start, end) and return the offset/size of the first of `want`. */
async function findBox(read: RangeReader, start: number, end: number, want: string): Promise<{ at: number; size: number; header: number } | undefined> {
  let pos = start;
  for (let n = 0; n < MAX_BOXES && pos + 8 <= end; n++) {
    const h = await read(pos, 16);
    if (h.length < 8) return undefined;
    let size = u32(h, 0);
    let header = 8;
    if (size === 1) {
      if (h.length < 16) return undefined;
      size = u32(h, 8) * 2 ** 32 + u32(h, 12);
      header = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < header || pos + size > end + 8) return undefined;
    if (type(h, 4) === want) return { at: pos, size: Math.min(size, end - pos), header };
    pos += size;
  }
  return undefined;
}

/** ISO creation time from an MP4/MOV `mvhd`, or undefined. */
export async function mp4CreationTime(read: RangeReader, fileSize: number, now?: number): Promise<string | undefined> {
  try {
    const moov = await findBox(read, 0, fileSize, 'moov');
    if (!moov) return undefined;
    const mvhd = await findBox(read, moov.at + moov.header, moov.at + moov.size, 'mvhd');
    if (!mvhd) return undefined;
    const b = await read(mvhd.at + mvhd.header, 12);
    if (b.length < 8) return undefined;
    const version = b[0];
    const secs = version === 1 ? (b.length >= 12 ? u32(b, 4) * 2 ** 32 + u32(b, 8) : NaN) : u32(b, 4);
    return plausible(EPOCH_1904 + secs * 1000, now);
  } catch {
    return undefined;
  }
}

/** ISO DateUTC of a WebM/Matroska segment (looked for in the first 256 kB), or undefined. */
export async function webmDateUtc(read: RangeReader, fileSize: number, now?: number): Promise<string | undefined> {
  try {
    const b = await read(0, Math.min(fileSize, 256 * 1024));
    if (u32(b, 0) !== 0x1a45dfa3) return undefined; // EBML magic
    for (let i = 4; i + 11 <= b.length; i++) {
      // DateUTC element: id 0x44 0x61, size 0x88 (one-byte vint: 8 bytes of data)
      if (b[i] === 0x44 && b[i + 1] === 0x61 && b[i + 2] === 0x88) {
        const hi = u32(b, i + 3) | 0; // signed
        const lo = u32(b, i + 7);
        const ns = hi * 2 ** 32 + lo;
        return plausible(EPOCH_2001 + ns / 1e6, now);
      }
    }
    return undefined;
  } catch {
    return undefined;
  }
}

export type RecordedSource = 'mvhd' | 'webm-date' | 'file-date';

/**
 * The recording time of a video: the container's own time when it has one, else the file's
 * modification time (which a copy or download may have changed: the UI says so).
 */
export async function recordedAt(
  read: RangeReader,
  fileSize: number,
  lastModified?: number,
): Promise<{ recordedAt?: string; source?: RecordedSource }> {
  const head = await read(0, 12).catch(() => new Uint8Array());
  if (head.length >= 8 && (type(head, 4) === 'ftyp' || type(head, 4) === 'moov' || type(head, 4) === 'wide' || type(head, 4) === 'mdat')) {
    const t = await mp4CreationTime(read, fileSize);
    if (t) return { recordedAt: t, source: 'mvhd' };
  } else if (head.length >= 4 && u32(head, 0) === 0x1a45dfa3) {
    const t = await webmDateUtc(read, fileSize);
    if (t) return { recordedAt: t, source: 'webm-date' };
  }
  if (lastModified && Number.isFinite(lastModified) && lastModified > 0) {
    return { recordedAt: new Date(lastModified).toISOString(), source: 'file-date' };
  }
  return {};
}

/**
 * Capture facts (neutral, weight 0): camera make/model, capture time, GPS present. Plus
 * captureVsTicket(), which the pipeline calls when the site adapter knows the ticket times.
 */
import type { MetadataSummary, Signal, TicketInfo } from '../../types';
import type { MetaContext } from '../context';
import { NS, xmpFirst } from '../xmp';
import { parseExifTime } from './editor';
import { signal, type SignalModule } from './util';

export const camera: SignalModule = {
  id: 'camera',
  run(ctx: MetaContext): Signal[] {
    const out: Signal[] = [];
    const e = ctx.exif;
    const w = ctx.exifWhere ?? 'EXIF';
    const make = e.Make ?? xmpFirst(ctx.xmp, NS.tiff, 'Make')?.value;
    const model = e.Model ?? xmpFirst(ctx.xmp, NS.tiff, 'Model')?.value;
    if ((make || model) && !/^(workflow|prompt):/.test(make ?? '')) {
      const raw = [];
      if (make) raw.push({ field: `${w} Make`, value: make });
      if (model) raw.push({ field: `${w} Model`, value: model });
      out.push(signal('camera', 'camera', 0, 'sig_camera', { make: make ?? '', model: model ?? '', lens: e.LensModel }, raw));
    }
    const time = captureTime(ctx);
    if (time) out.push(signal('camera', 'capture', 0, 'sig_capture_time', { time: time.value }, [time]));
    if (e.GPS) out.push(signal('camera', 'camera', 0, 'sig_gps_present', {}, [{ field: `${w} GPS`, value: 'GPSLatitude present' }]));
    return out;
  },
};

/** Capture time as written: EXIF DateTimeOriginal, DateTimeDigitized, then XMP photoshop/exif/xmp dates. */
export function captureTime(ctx: MetaContext): { field: string; value: string } | undefined {
  const w = ctx.exifWhere ?? 'EXIF';
  if (ctx.exif.DateTimeOriginal) return { field: `${w} DateTimeOriginal`, value: ctx.exif.DateTimeOriginal };
  if (ctx.exif.DateTimeDigitized) return { field: `${w} DateTimeDigitized`, value: ctx.exif.DateTimeDigitized };
  const x = xmpFirst(ctx.xmp, NS.exif, 'DateTimeOriginal') ?? xmpFirst(ctx.xmp, NS.photoshop, 'DateCreated');
  if (x) return { field: `${x.doc.where} DateTimeOriginal`, value: x.value };
  return undefined;
}

/** "2018:07:25 16:34:23" → "2018-07-25T16:34:23" (no zone guessing); other forms kept as written. */
export function toIsoLocal(s: string): string {
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(.*)$/.exec(s.trim());
  if (!m) return s.trim();
  const zone = /^(?:\.\d+)?([+-]\d{2}:?\d{2}|Z)$/.exec(m[7].trim())?.[1] ?? '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}`;
}

/** Slack for the unknown time zone of a capture time: ±14 h covers every zone. */
const ZONE_SLACK_MS = 14 * 3600_000;
const DAY = 24 * 3600_000;

/**
 * Compare the capture time with the ticket: a photo of a "damaged delivery" taken before the
 * order was placed is not a photo of that delivery. Times without a zone get ±14 h slack.
 * Returns undefined when the times are consistent or unknown.
 */
export function captureVsTicket(summary: MetadataSummary, ticket: TicketInfo | undefined): Signal | undefined {
  if (!summary.captureTime || !ticket) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(summary.captureTime);
  const cap = hasZone ? Date.parse(summary.captureTime) : parseExifTime(summary.captureTime);
  if (cap === undefined || Number.isNaN(cap)) return undefined;
  const slack = hasZone ? 0 : ZONE_SLACK_MS;
  const raw = [{ field: 'capture time', value: summary.captureTime }];
  const ordered = ticket.orderedAt ? Date.parse(ticket.orderedAt) : NaN;
  const refund = ticket.refundAt ? Date.parse(ticket.refundAt) : NaN;
  if (!Number.isNaN(ordered) && cap < ordered - slack) {
    const days = Math.max(0, Math.round((ordered - cap) / DAY));
    return signal('capture', 'capture', 0.7, 'sig_capture_before_order', { captured: summary.captureTime, ordered: ticket.orderedAt!, days }, [...raw, { field: 'ticket orderedAt', value: ticket.orderedAt! }]);
  }
  if (!Number.isNaN(refund) && cap > refund + slack + DAY) {
    const days = Math.round((cap - refund) / DAY);
    return signal('capture', 'capture', 0.4, 'sig_capture_after_refund', { captured: summary.captureTime, refund: ticket.refundAt!, days }, [...raw, { field: 'ticket refundAt', value: ticket.refundAt! }]);
  }
  if (!Number.isNaN(ordered) && Number.isNaN(refund) && cap > ordered + 180 * DAY) {
    const days = Math.round((cap - ordered) / DAY);
    return signal('capture', 'capture', 0.2, 'sig_capture_long_after_order', { captured: summary.captureTime, ordered: ticket.orderedAt!, days }, [...raw, { field: 'ticket orderedAt', value: ticket.orderedAt! }]);
  }
  return undefined;
}

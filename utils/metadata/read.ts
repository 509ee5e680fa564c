/**
 * Read every metadata block of a file and run the signal modules over it.
 *
 *   bytes ─▶ container walker (containers/*: JPEG segments, PNG chunks, WebP RIFF, ISOBMFF boxes,
 *            TIFF IFDs) ─▶ one MetaContext (EXIF tags, XMP packets, IPTC, text blocks, C2PA stores)
 *         ─▶ signal modules (signals/index.ts) ─▶ Signal[]  +  JPEG quantisation hint (forensics)
 *
 * Never throws and never hangs: every walker bounds its loops and treats lengths as hostile; a
 * module that fails only adds a warning. Files larger than META_SCAN_MAX are scanned in their
 * first META_SCAN_MAX bytes (plus the tail for PNG text chunks after IDAT).
 */
import type { C2paFacts, ImageFormat, MetadataResult, MetadataSummary, Signal } from '../types';
import { c2paValid, failed, type C2paValidator } from './c2pa-validate';
import { jpegQuantSignal } from '../forensics/jpeg-quant';
import { emptyContext, type MetaContext } from './context';
import { walkIsobmff } from './containers/isobmff';
import { walkJpeg } from './containers/jpeg';
import { walkPng } from './containers/png';
import { walkWebp } from './containers/webp';
import { addExif } from './containers/common';
import { captureTime, toIsoLocal } from './signals/camera';
import { SIGNAL_MODULES } from './signals/index';
import { isTiff } from './tiff';

export { captureVsTicket } from './signals/camera';
export { thumbnailDisagreement, compareThumbnail } from './thumbnail';
export { stealthSignal, readStealthPngInfo } from './stealth';

/** Longest stretch of a file the walkers look at. */
export const META_SCAN_MAX = 64 * 1024 * 1024;

/** Build the shared context for a file (exported for tests and tools). Never throws. */
export function buildContext(bytes: Uint8Array, format: ImageFormat): MetaContext {
  const ctx = emptyContext(format, bytes.length);
  const b = bytes.length > META_SCAN_MAX ? bytes.subarray(0, META_SCAN_MAX) : bytes;
  try {
    switch (format) {
      case 'jpeg':
        walkJpeg(b, ctx);
        break;
      case 'png':
        walkPng(b, ctx);
        break;
      case 'webp':
        walkWebp(b, ctx);
        break;
      case 'heic':
      case 'avif':
        walkIsobmff(b, ctx);
        break;
      case 'tiff':
        if (isTiff(b)) addExif(ctx, b, 'TIFF IFD0');
        break;
      default:
        break;
    }
  } catch (e) {
    ctx.warnings.push('metadata_walk_failed');
  }
  ctx.warnings = [...new Set(ctx.warnings)];
  return ctx;
}

export function summarise(ctx: MetaContext): MetadataSummary {
  const e = ctx.exif;
  const summary: MetadataSummary = { format: ctx.format };
  if (ctx.width) summary.width = ctx.width;
  if (ctx.height) summary.height = ctx.height;
  if (e.Make && !/^(workflow|prompt):/.test(e.Make)) summary.make = e.Make.slice(0, 200);
  if (e.Model && !/^(workflow|prompt):/.test(e.Model)) summary.model = e.Model.slice(0, 200);
  if (e.Software) summary.software = e.Software.slice(0, 200);
  const t = captureTime(ctx);
  if (t) summary.captureTime = toIsoLocal(t.value + (ctx.exif.OffsetTimeOriginal && t.field.endsWith('DateTimeOriginal') ? ctx.exif.OffsetTimeOriginal : ''));
  if (e.GPS !== undefined) summary.gps = e.GPS;
  if (e.Orientation && e.Orientation >= 1 && e.Orientation <= 8) summary.orientation = e.Orientation;
  return summary;
}

/** Run every registered signal module; one failing module costs a warning, not the others. */
export function runSignals(ctx: MetaContext): Signal[] {
  const out: Signal[] = [];
  for (const m of SIGNAL_MODULES) {
    try {
      out.push(...m.run(ctx));
    } catch {
      ctx.warnings.push('signal_failed');
    }
  }
  return out;
}

export interface ReadOptions {
  /**
   * The official C2PA reader (utils/metadata/c2pa-validate.ts). Called only when the presence scan
   * found a manifest store; without it C2PA stays "present, not validated".
   */
  validateC2pa?: C2paValidator;
}

/** Validate the file's C2PA store when there is one (never throws: a failure is an outcome). */
async function validateC2pa(ctx: MetaContext, bytes: Uint8Array, format: ImageFormat, opts: ReadOptions): Promise<C2paFacts | undefined> {
  if (ctx.c2pa.length === 0) return undefined;
  if (!opts.validateC2pa) return { valid: null, outcome: 'not-checked', codes: [] };
  const manifestBytes = ctx.c2pa.reduce((n, b) => n + b.bytes, 0);
  try {
    ctx.c2paValidation = await opts.validateC2pa(bytes, format, manifestBytes);
  } catch {
    ctx.c2paValidation = failed('unavailable');
  }
  const v = ctx.c2paValidation;
  const facts: C2paFacts = { valid: c2paValid(v), outcome: v.outcome, codes: v.codes };
  if (v.outcome === 'failed' && v.error === 'unavailable') facts.valid = null; // not validated at all
  if (v.ms !== undefined) facts.ms = v.ms;
  return facts;
}

export async function readMetadata(bytes: Uint8Array, format: ImageFormat, opts: ReadOptions = {}): Promise<MetadataResult> {
  try {
    const ctx = buildContext(bytes, format);
    const c2pa = await validateC2pa(ctx, bytes, format, opts);
    const signals = runSignals(ctx);
    if (format === 'jpeg') {
      try {
        const q = jpegQuantSignal(bytes.length > META_SCAN_MAX ? bytes.subarray(0, META_SCAN_MAX) : bytes, Boolean(ctx.exif.Make || ctx.exif.Model));
        if (q) signals.push(q);
      } catch {
        ctx.warnings.push('quant_tables_unreadable');
      }
    }
    signals.sort((a, b) => b.weight - a.weight);
    const result: MetadataResult = { summary: summarise(ctx), signals, thumbnail: ctx.exif.thumbnail, warnings: [...new Set(ctx.warnings)] };
    if (c2pa) result.c2pa = c2pa;
    return result;
  } catch {
    return { summary: { format }, signals: [], warnings: ['metadata_failed'] };
  }
}

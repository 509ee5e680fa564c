import { admitBytes } from './image/acquire';
import type { Decoder } from './image/decode';
import { sha256Hex } from './image/sha256';
import { readMetadata } from './metadata/read';
import type { C2paValidator } from './metadata/c2pa-validate';
import { captureVsTicket } from './metadata/signals/camera';
import { compareThumbnail } from './metadata/thumbnail';
import { findMatch, type MatchDeps } from './compare/match';
import { decideVerdict } from './verdict';
import { CheckFailure, toCheckError } from './errors';
import { LIMITS } from './limits';
import type { CheckResult, ImageFormat, RGBAImage, TicketInfo } from './types';
import { stealthSignal } from './metadata/stealth';
import type { LabelReader } from './ocr/remote';
import { readVisibleLabel, visibleLabelSignal, withoutLabelRegions } from './ocr/visible-label';

/** Largest image whose full-size pixels are read for stealth pnginfo (SD outputs are far smaller). */
export const STEALTH_MAX_PIXELS = 8_000_000;

export interface CheckInput {
  bytes: Uint8Array;
  sourceUrl?: string;
  pageUrl?: string;
  ticket?: TicketInfo;
}

export interface CheckDeps extends Omit<MatchDeps, 'index'> {
  /** The reference index, or its promise (loading it then overlaps the decode). */
  index: MatchDeps['index'] | Promise<MatchDeps['index']>;
  decode: Decoder;
  newId?: () => string;
  now?: () => Date;
  /**
   * Full-size, non-premultiplied pixels of a PNG/WebP (for text hidden in the alpha channel's low
   * bits, "stealth pnginfo", which any resize destroys). Optional: without it that signal is skipped.
   */
  decodeFull?: (bytes: Uint8Array, format: ImageFormat) => Promise<RGBAImage>;
  /**
   * The official C2PA reader, in a worker with a time limit (utils/metadata/c2pa-remote.ts) or
   * in-process in Node. Called only for files whose presence scan found a manifest store.
   */
  validateC2pa?: C2paValidator;
  /**
   * Reads the metadata where a timer can stop it (utils/metadata/remote.ts: the offscreen
   * document's worker); default: readMetadata on this thread.
   */
  readMetadata?: (bytes: Uint8Array, format: ImageFormat) => Promise<import('./types').MetadataResult>;
  /**
   * Reads the text at the image's edges for a visible AI label (utils/ocr/remote.ts: a worker with a
   * time limit). Runs beside the match; without it the visible label is not checked.
   */
  readLabel?: LabelReader;
  /** Receives the analysis-size pixels (e.g. to keep a copy for the report). */
  onDecoded?: (img: RGBAImage) => void;
  /** Cancels the check (time budget, merchant closed the card). */
  signal?: AbortSignal;
}

/**
 * One full check of a buyer photo: admit → metadata → decode → match/localise → verdict.
 * Pure over bytes; the platform comes in through `deps`. Never throws: failures become level 'error'.
 */
export async function runCheck(input: CheckInput, deps: CheckDeps): Promise<CheckResult> {
  const timings: Record<string, number> = {};
  const t = () => performance.now();
  let t0 = t();
  const lap = (name: string) => {
    const now = t();
    timings[name] = Math.round((now - t0) * 10) / 10;
    t0 = now;
  };
  const base: CheckResult = {
    id: deps.newId?.() ?? crypto.randomUUID(),
    checkedAt: (deps.now?.() ?? new Date()).toISOString(),
    level: 'error',
    reasons: [],
    ticket: input.ticket,
    timings,
  };
  try {
    const acq = admitBytes(input.bytes);
    // The browser decodes off the main thread: start it now, hash and read metadata meanwhile.
    const decoding = deps.decode(input.bytes, acq.format, LIMITS.analysisMaxSide);
    decoding.catch(() => {}); // awaited below; an early failure elsewhere must not leave it unhandled
    if (deps.index instanceof Promise) deps.index.catch(() => {});
    const sha256 = await sha256Hex(input.bytes);
    base.file = {
      bytes: input.bytes.length,
      sha256,
      format: acq.format,
      width: acq.width,
      height: acq.height,
      sourceUrl: input.sourceUrl,
      pageUrl: input.pageUrl,
    };
    lap('acquire'); // timings overlap: 'decode' is the wait left after hashing and metadata
    let metadata = deps.readMetadata
      ? await deps.readMetadata(input.bytes, acq.format)
      : await readMetadata(input.bytes, acq.format, { validateC2pa: deps.validateC2pa });
    // the stoppable remote reader has no C2PA validator: a file whose scan found a manifest store is
    // read once more here, with it (parsing is linear in the file size and capped)
    if (deps.readMetadata && deps.validateC2pa && metadata.c2pa?.outcome === 'not-checked') {
      metadata = await readMetadata(input.bytes, acq.format, { validateC2pa: deps.validateC2pa });
    }
    base.metadata = metadata;
    lap('metadata');
    if (deps.signal?.aborted) throw new CheckFailure('err_cancelled');
    const decoded = await decoding;
    base.file.width = decoded.width;
    base.file.height = decoded.height;
    lap('decode');
    deps.onDecoded?.(decoded.image);
    if (deps.signal?.aborted) throw new CheckFailure('err_cancelled');
    // the visible label is read in its worker while the match runs here
    const labelling = deps.readLabel ? readVisibleLabel(deps.readLabel, decoded.image, decoded) : undefined;
    // Signals that need the ticket or the decoded pixels.
    const capture = captureVsTicket(metadata.summary, input.ticket);
    if (capture) metadata.signals.push(capture);
    if (metadata.thumbnail) {
      try {
        // The embedded thumbnail is as untrusted as the file: same caps before any decode.
        const t = admitBytes(metadata.thumbnail);
        const thumb = await deps.decode(t.bytes, t.format, 256);
        const s = compareThumbnail(thumb.image, decoded.image, metadata.summary.orientation);
        if (s) metadata.signals.push(s);
      } catch {
        metadata.warnings.push('thumbnail_undecodable');
      }
    }
    if (deps.decodeFull && (acq.format === 'png' || acq.format === 'webp') && decoded.width * decoded.height <= STEALTH_MAX_PIXELS) {
      try {
        const st = stealthSignal(await deps.decodeFull(input.bytes, acq.format));
        if (st) metadata.signals.push(st);
      } catch {
        /* the analysis decode worked; a failing full decode only loses this hint */
      }
    }
    lap('signals');
    const found = await findMatch(decoded.image, decoded, { ...deps, index: await deps.index });
    const { match } = found;
    let { localisation } = found;
    lap('match');
    let visibleLabel: CheckResult['visibleLabel'];
    if (labelling) {
      visibleLabel = await labelling;
      const s = visibleLabelSignal(visibleLabel);
      if (s) metadata.signals.push(s);
      if (localisation && visibleLabel.box) localisation = withoutLabelRegions(localisation, visibleLabel.box);
      lap('label'); // the wait left after the match
    }
    const { level, reasons } = decideVerdict({ signals: metadata.signals, match, localisation, size: decoded });
    return { ...base, level, reasons, match, localisation, ...(visibleLabel ? { visibleLabel } : {}) };
  } catch (e) {
    const error = toCheckError(e);
    const { level, reasons } = decideVerdict({ signals: base.metadata?.signals ?? [], error });
    return { ...base, level, reasons, error };
  }
}

/**
 * The evidence report of one stored check as plain data: what the report page shows and what the
 * PDF, PNG and JSON exports are built from. Pure (no DOM, no browser APIs): runs in Node tests too.
 */
import { readDimensions, sniffFormat } from '../image/sniff';
import { sha256Hex } from '../image/sha256';
import { editRegions } from '../regions';
import type { CheckRecord, ReferenceRecord, ReferenceSource } from '../library/db';
import type {
  CheckError, FileFacts, MatchResult, MetadataSummary, Reason, Signal, TicketInfo, VerdictLevel, Box, VisibleLabel,
} from '../types';

/** Facts of an image embedded in the report, so a reviewer can verify the exported copies. */
export interface ImageFacts {
  sha256: string;
  bytes: number;
  type: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/** The matched reference as the report shows it: the library record's facts without its pixels. */
export type ReportReference = Pick<ReferenceRecord, 'id' | 'name' | 'libraryId' | 'sha256' | 'originalBytes' | 'width' | 'height' | 'addedAt' | 'source'> & {
  libraryName?: string;
};

export interface ReportModel {
  id: string;
  checkedAt: string;
  level: VerdictLevel;
  reasons: Reason[];
  error?: CheckError;
  file?: FileFacts;
  ticket?: TicketInfo;
  summary?: MetadataSummary;
  signals: Signal[];
  warnings: string[];
  match?: MatchResult;
  /** The matched reference as stored (absent when it was deleted since the check). */
  reference?: ReportReference;
  localisation?: { regions: Box[]; changedShare: number; edited: boolean };
  /** The visible AI label read on the pixels (GB 45438 explicit label); absent for checks made before it was read. */
  visibleLabel?: Pick<VisibleLabel, 'status' | 'text' | 'box' | 'position'>;
  /** Earlier suspicious checks of the same buyer on other orders. */
  repeatBuyer?: { buyer: string; count: number };
  /** `aligned`: the reference warped into the buyer photo's frame; `difference`: the difference picture (utils/report/difference.ts). */
  images: { buyer?: ImageFacts; reference?: ImageFacts; overlay?: ImageFacts; aligned?: ImageFacts; difference?: ImageFacts };
  generator: { name: string; version: string };
}

/** The image bytes that go with a model (kept apart: the model itself stays small and JSON-safe). */
export interface ReportImages {
  buyer?: Uint8Array;
  reference?: Uint8Array;
  overlay?: Uint8Array;
  aligned?: Uint8Array;
  difference?: Uint8Array;
}

export interface ReportSources {
  check: CheckRecord;
  reference?: Pick<ReferenceRecord, 'id' | 'name' | 'libraryId' | 'sha256' | 'originalBytes' | 'width' | 'height' | 'addedAt' | 'source' | 'working'>;
  libraryName?: string;
  repeatBuyerCount?: number;
  version?: string;
}

async function facts(bytes: Uint8Array | undefined): Promise<ImageFacts | undefined> {
  if (!bytes || !bytes.length) return undefined;
  const format = sniffFormat(bytes);
  if (format !== 'jpeg' && format !== 'png') return undefined;
  const dims = readDimensions(bytes, format);
  if (!dims) return undefined;
  return { sha256: await sha256Hex(bytes), bytes: bytes.length, type: format === 'png' ? 'image/png' : 'image/jpeg', width: dims.width, height: dims.height };
}

export async function buildReportModel(src: ReportSources): Promise<{ model: ReportModel; images: ReportImages }> {
  const rec = src.check;
  const r = rec.result;
  const overlay = r.localisation?.overlayPng;
  const [buyer, reference, overlayFacts] = await Promise.all([facts(rec.image), facts(src.reference?.working), facts(overlay)]);
  const ref = src.reference;
  const model: ReportModel = {
    id: r.id,
    checkedAt: r.checkedAt,
    level: r.level,
    reasons: r.reasons,
    error: r.error,
    file: r.file,
    ticket: r.ticket ?? rec.ticket,
    summary: r.metadata?.summary,
    signals: r.metadata?.signals ?? [],
    warnings: r.metadata?.warnings ?? [],
    match: r.match,
    reference: ref
      ? {
        id: ref.id, name: ref.name, libraryId: ref.libraryId, libraryName: src.libraryName, sha256: ref.sha256,
        originalBytes: ref.originalBytes, width: ref.width, height: ref.height, addedAt: ref.addedAt, source: ref.source,
      }
      : undefined,
    localisation: r.localisation
      ? { regions: r.localisation.regions, changedShare: r.localisation.changedShare, edited: r.localisation.edited }
      : undefined,
    visibleLabel: r.visibleLabel
      ? { status: r.visibleLabel.status, text: r.visibleLabel.text, box: r.visibleLabel.box, position: r.visibleLabel.position }
      : undefined,
    repeatBuyer: src.repeatBuyerCount && (r.ticket?.buyer ?? rec.buyer)
      ? { buyer: (r.ticket?.buyer ?? rec.buyer)!, count: src.repeatBuyerCount }
      : undefined,
    images: { buyer, reference, overlay: overlayFacts },
    generator: { name: 'RefundLens', version: src.version ?? '' },
  };
  return {
    model,
    images: {
      buyer: buyer ? rec.image : undefined,
      reference: reference ? ref?.working : undefined,
      overlay: overlayFacts ? overlay : undefined,
    },
  };
}

/** The model and images with the comparison pictures added (their facts for the reviewer's checks). */
export async function withComparePictures(
  model: ReportModel, images: ReportImages, pics: Pick<ReportImages, 'aligned' | 'difference'>,
): Promise<{ model: ReportModel; images: ReportImages }> {
  const [aligned, difference] = await Promise.all([facts(pics.aligned), facts(pics.difference)]);
  return {
    // (the check's own heat map is left out once the difference picture replaces it)
    model: { ...model, images: { ...model.images, aligned, difference, overlay: difference ? undefined : model.images.overlay } },
    images: {
      ...images,
      aligned: aligned ? pics.aligned : undefined,
      difference: difference ? pics.difference : undefined,
      overlay: difference ? undefined : images.overlay,
    },
  };
}

/** Regions (full-size query pixels) scaled to the stored analysis-size image. */
export function regionsOnImage(model: Pick<ReportModel, 'localisation' | 'file'>, image: { width: number }): Box[] {
  const regions = displayRegions(model);
  const fullW = model.file?.width;
  if (!regions.length || !fullW) return [];
  const s = image.width / fullW;
  return regions.map((b) => [b[0] * s, b[1] * s, b[2] * s, b[3] * s] as Box);
}

/** The visible AI label's box (full-size query pixels) scaled to the stored analysis-size image. */
export function labelOnImage(model: Pick<ReportModel, 'visibleLabel' | 'file'>, image: { width: number }): Box | undefined {
  const b = model.visibleLabel?.status === 'found' ? model.visibleLabel.box : undefined;
  const fullW = model.file?.width;
  if (!b || !fullW) return undefined;
  const s = image.width / fullW;
  return [b[0] * s, b[1] * s, b[2] * s, b[3] * s];
}

/**
 * The regions every view draws and counts: one per edit, as the localisation found them
 * (utils/regions.ts), the same list the JSON evidence carries.
 */
export function displayRegions(model: Pick<ReportModel, 'localisation' | 'file'>): Box[] {
  return editRegions(model.localisation);
}

/** The video frame a matched reference came from, if it came from one. */
export function frameOf(model: Pick<ReportModel, 'reference'>): Extract<ReferenceSource, { kind: 'video-frame' }> | undefined {
  const s = model.reference?.source;
  return s?.kind === 'video-frame' ? s : undefined;
}

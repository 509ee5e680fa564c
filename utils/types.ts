/**
 * Shared shapes of the checking pipeline. Pure data: no browser or Node APIs here,
 * so every module in utils/ can run in the service worker, a page and Node alike.
 */

/** An RGBA pixel buffer, row-major, 4 bytes per pixel (same layout as ImageData). */
export interface RGBAImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** Container formats recognised from magic bytes (never from the URL or MIME type). */
export type ImageFormat =
  | 'jpeg'
  | 'png'
  | 'webp'
  | 'gif'
  | 'bmp'
  | 'tiff'
  | 'heic'
  | 'avif'
  | 'unknown';

/** [x0, y0, x1, y1] in pixels, x1/y1 exclusive. */
export type Box = [number, number, number, number];

/** A value a reason can carry into its translated sentence. */
export type ParamValue = string | number | boolean;

/**
 * One piece of evidence found by a signal module.
 * `code` is a message key in public/_locales (letters, digits and underscores only);
 * `params` fill its placeholders ($1..$9 in order of `paramOrder`, or by name in the UI).
 */
export interface Signal {
  /** Module that produced it, e.g. 'aigc-label', 'c2pa', 'editor', 'camera'. */
  source: string;
  /** What it speaks to. */
  kind: 'ai' | 'c2pa' | 'edit' | 'camera' | 'capture' | 'thumbnail' | 'forensic' | 'info';
  /**
   * Strength of the evidence that the file is AI-made or manipulated, 0..1
   * (0 = neutral fact, 1 = conclusive label). Negative values speak for authenticity.
   */
  weight: number;
  /** Message key of the plain-language reason, e.g. 'sig_aigc_label'. */
  code: string;
  params?: Record<string, ParamValue>;
  /** The raw fields this came from, shown in the report: e.g. {field: 'XMP TC260:AIGC', value: '{"Label":"1",…}'}. */
  raw?: { field: string; value: string }[];
}

/** Compact facts about the file for the card and report. */
export interface MetadataSummary {
  format: ImageFormat;
  width?: number;
  height?: number;
  make?: string;
  model?: string;
  software?: string;
  /** ISO 8601 as written in the file (no time-zone guessing). */
  captureTime?: string;
  gps?: boolean;
  /** Orientation tag 1..8 when present. */
  orientation?: number;
}

export interface MetadataResult {
  summary: MetadataSummary;
  signals: Signal[];
  /** Embedded EXIF thumbnail (JPEG bytes) when present, for the thumbnail-disagreement check. */
  thumbnail?: Uint8Array;
  /** Non-fatal problems while reading (e.g. 'exif_malformed'). */
  warnings: string[];
  /** C2PA Content Credentials: embedded store found, and what the official reader said (utils/metadata/c2pa-validate.ts). */
  c2pa?: C2paFacts;
}

/** The C2PA facts of a file, for the eval output and the JSON evidence (CONTRACTS.md `c2paValid`, `c2paStatus`). */
export interface C2paFacts {
  /** true: signature and hard bindings verify; false: they fail or the store cannot be validated; null: not validated (no validator ran). */
  valid: boolean | null;
  /** 'valid' | 'changed' | 'broken' | 'unreadable' | 'unsupported' | 'remote' | 'absent' | 'failed' | 'not-checked'. */
  outcome: string;
  /** c2pa-rs validation codes, or the reader's error name. */
  codes: string[];
  /** Time the reader took, ms. */
  ms?: number;
}

/** Facts of the refund ticket read from the page by a site adapter. */
export interface TicketInfo {
  site?: string;
  orderId?: string;
  refundId?: string;
  buyer?: string;
  /** ISO times. */
  orderedAt?: string;
  refundAt?: string;
}

export type VerdictLevel =
  | 'derived'
  | 'derived-edited'
  | 'ai-labelled'
  | 'edited'
  | 'no-evidence'
  | 'error';

export interface Reason {
  code: string;
  params?: Record<string, ParamValue>;
  /** 0..1 how much it weighed in the verdict. */
  weight: number;
}

/** Result of matching a query against the merchant's library. */
export interface MatchResult {
  referenceId: string;
  referenceName: string;
  libraryId?: string;
  /** 0..1 confidence that the query is derived from this reference. */
  confidence: number;
  /** Hamming distance of the best global hash variant (for the report), 0..256. */
  distance: number;
  /** Which stage decided: 'global', 'tiles', 'keypoints', ... */
  method: string;
  /** Query → reference transform as a 3x3 row-major homography, when aligned. */
  homography?: number[];
  /** Note of the geometric variant that matched, e.g. 'mirror', 'rot90', 'crop'. */
  variant?: string;
}

/** Where the buyer photo differs from the matched reference. */
export interface Localisation {
  /** Changed regions in query pixel coordinates (of the original, full-size query). */
  regions: Box[];
  /** Share of the overlapping (compared) area that changed, 0..1. */
  changedShare: number;
  /** Difference heat map at analysis size, PNG bytes, aligned to the query. */
  overlayPng?: Uint8Array;
  /** True when the regions are considered a local alteration (not just re-compression). */
  edited: boolean;
}

export interface FileFacts {
  bytes: number;
  sha256: string;
  format: ImageFormat;
  width?: number;
  height?: number;
  sourceUrl?: string;
  pageUrl?: string;
}

export interface CheckError {
  /** Message key, e.g. 'err_not_image'. */
  code: string;
  params?: Record<string, ParamValue>;
}

/**
 * The visible AI label (GB 45438 explicit label) read on the pixels (utils/ocr). 'none': the edges
 * were read and carry no label; 'not-checked': the reader failed, timed out or is not available.
 */
export interface VisibleLabel {
  status: 'found' | 'none' | 'not-checked';
  /** The label as read, e.g. 「豆包AI生成」. */
  text?: string;
  /** Around the label, in pixels of the full-size checked file (like Localisation.regions). */
  box?: Box;
  /** Where it sits: 'bottom_right', 'top_left', 'bottom' … (message keys pos_<position>). */
  position?: string;
  /** Why it was not checked: 'timeout', 'crashed', 'unavailable', 'too-large'. */
  reason?: string;
  ms?: number;
}

export interface CheckResult {
  id: string;
  checkedAt: string;
  level: VerdictLevel;
  reasons: Reason[];
  file?: FileFacts;
  metadata?: MetadataResult;
  match?: MatchResult;
  localisation?: Localisation;
  visibleLabel?: VisibleLabel;
  ticket?: TicketInfo;
  error?: CheckError;
  /** Milliseconds per stage, for the note and the bench. */
  timings?: Record<string, number>;
}

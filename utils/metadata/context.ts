/**
 * The one shared view of a file's metadata that every signal module reads. Filled by the
 * container walkers in ./containers (one per format), like exifr's segment parsers.
 */
import type { ImageFormat } from '../types';
import type { C2paStore } from './jumbf';
import type { C2paValidation } from './c2pa-validate';
import type { ExifTags } from './tiff';
import type { XmpDoc } from './xmp';

/** A key/value text block: PNG tEXt/zTXt/iTXt, JPEG COM, … */
export interface TextEntry {
  key: string;
  value: string;
  /** Human-readable location, e.g. 'PNG zTXt', 'JPEG COM'. */
  where: string;
}

export interface C2paBlock {
  /** e.g. 'JPEG APP11 JUMBF', 'PNG caBX', 'WebP C2PA', 'HEIF uuid'. */
  where: string;
  bytes: number;
  store: C2paStore;
}

export interface MetaContext {
  format: ImageFormat;
  /** File size in bytes. */
  size: number;
  width?: number;
  height?: number;
  /** Merged EXIF/TIFF tags (first block wins per tag). */
  exif: ExifTags;
  /** Where the EXIF came from ('JPEG APP1 Exif', 'PNG eXIf', …); undefined when the file has none. */
  exifWhere?: string;
  xmp: XmpDoc[];
  /** IPTC-IIM record 2 datasets by name. */
  iptc: Record<string, string[]>;
  texts: TextEntry[];
  c2pa: C2paBlock[];
  /** What the official C2PA reader said about the file (only when a store was found and a validator ran). */
  c2paValidation?: C2paValidation;
  /** ICC profile description, when cheaply readable. */
  icc?: string;
  warnings: string[];
}

export function emptyContext(format: ImageFormat, size: number): MetaContext {
  return { format, size, exif: {}, xmp: [], iptc: {}, texts: [], c2pa: [], warnings: [] };
}

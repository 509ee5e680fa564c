/**
 * When the metadata reader swallows an exception (it must never throw, so a failing walker or
 * signal module only leaves a warning such as 'metadata_walk_failed'), re-run the same steps
 * here without the safety net to name the module and the exception, for the fuzz report.
 * Uses the metadata modules read-only through dynamic imports: if their internal API changes,
 * the diagnosis says so instead of breaking the fuzzer.
 */
import type { ImageFormat } from '../../utils/types';

/** Warnings that stand for a caught exception (a bug), not for a malformed file. */
export const SWALLOWED = new Set(['metadata_walk_failed', 'signal_failed', 'metadata_failed', 'quant_tables_unreadable']);

const where = (e: unknown) => {
  const err = e as Error;
  const frame = String(err?.stack ?? '')
    .split('\n')
    .slice(1)
    .find((l) => l.includes('/utils/'));
  return `${err?.name ?? 'Error'}: ${String(err?.message ?? e).slice(0, 160)}${frame ? ` (${frame.trim().replace(/^at /, '').replace(/.*\/utils\//, 'utils/')})` : ''}`;
};

export async function diagnose(bytes: Uint8Array, format: ImageFormat): Promise<string[]> {
  const out: string[] = [];
  try {
    const { emptyContext } = await import('../../utils/metadata/context');
    const ctx = emptyContext(format, bytes.length);
    try {
      if (format === 'jpeg') (await import('../../utils/metadata/containers/jpeg')).walkJpeg(bytes, ctx);
      else if (format === 'png') (await import('../../utils/metadata/containers/png')).walkPng(bytes, ctx);
      else if (format === 'webp') (await import('../../utils/metadata/containers/webp')).walkWebp(bytes, ctx);
      else if (format === 'heic' || format === 'avif') (await import('../../utils/metadata/containers/isobmff')).walkIsobmff(bytes, ctx);
      else if (format === 'tiff') (await import('../../utils/metadata/containers/common')).addExif(ctx, bytes, 'TIFF IFD0');
    } catch (e) {
      out.push(`walker (${format}) threw ${where(e)}`);
    }
    const { SIGNAL_MODULES } = await import('../../utils/metadata/signals/index');
    for (const m of SIGNAL_MODULES) {
      try {
        m.run(ctx);
      } catch (e) {
        out.push(`signal module '${m.id}' threw ${where(e)}`);
      }
    }
    if (format === 'jpeg') {
      try {
        (await import('../../utils/forensics/jpeg-quant')).jpegQuantSignal(bytes, Boolean(ctx.exif.Make || ctx.exif.Model));
      } catch (e) {
        out.push(`jpegQuantSignal threw ${where(e)}`);
      }
    }
  } catch (e) {
    out.push(`diagnosis unavailable (${where(e)})`);
  }
  return out;
}

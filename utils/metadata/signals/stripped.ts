/**
 * Metadata stripped: a JPEG/HEIF/WebP photo without any camera EXIF. Weak (0.15): chat apps and
 * many platforms strip EXIF on upload, so this only adds to other evidence.
 */
import type { Signal } from '../../types';
import type { MetaContext } from '../context';
import { signal, type SignalModule } from './util';

export const stripped: SignalModule = {
  id: 'stripped',
  run(ctx: MetaContext): Signal[] {
    if (ctx.format !== 'jpeg' && ctx.format !== 'heic' && ctx.format !== 'webp' && ctx.format !== 'avif') return [];
    const e = ctx.exif;
    if (e.Make || e.Model || e.DateTimeOriginal || e.DateTimeDigitized) return [];
    if (ctx.c2pa.length) return [];
    const what = ctx.exifWhere ? 'exif_without_camera' : ctx.xmp.length ? 'xmp_only' : 'none';
    return [
      signal('stripped', 'edit', 0.15, ctx.exifWhere || ctx.xmp.length ? 'sig_no_camera_data' : 'sig_metadata_stripped', { what }, [
        { field: 'EXIF', value: ctx.exifWhere ? `${ctx.exifWhere}: no Make/Model/DateTimeOriginal` : 'absent' },
      ]),
    ];
  },
};

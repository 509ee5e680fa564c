/** WebP RIFF walker: VP8X/VP8/VP8L size, EXIF, 'XMP ', C2PA chunks. */
import { decodeUtf8, fourcc, u16le, u32le } from '../bytes';
import type { MetaContext } from '../context';
import { addC2pa, addExif, addXmp } from './common';

export function walkWebp(b: Uint8Array, ctx: MetaContext): void {
  let o = 12;
  let n = 0;
  while (o + 8 <= b.length && n++ < 10_000) {
    const type = fourcc(b, o);
    const len = u32le(b, o + 4);
    const start = o + 8;
    if (len > b.length - start) ctx.warnings.push('chunk_truncated');
    const d = b.subarray(start, Math.min(b.length, start + len));
    if (type === 'VP8X' && d.length >= 10) {
      ctx.width = 1 + (d[4] | (d[5] << 8) | (d[6] << 16));
      ctx.height = 1 + (d[7] | (d[8] << 8) | (d[9] << 16));
    } else if (type === 'VP8 ' && d.length >= 10 && ctx.width === undefined) {
      ctx.width = u16le(d, 6) & 0x3fff;
      ctx.height = u16le(d, 8) & 0x3fff;
    } else if (type === 'VP8L' && d.length >= 5 && ctx.width === undefined) {
      const bits = u32le(d, 1);
      ctx.width = (bits & 0x3fff) + 1;
      ctx.height = ((bits >> 14) & 0x3fff) + 1;
    } else if (type === 'EXIF') addExif(ctx, d, 'WebP EXIF');
    else if (type === 'XMP ') addXmp(ctx, decodeUtf8(d), 'WebP XMP');
    else if (type === 'C2PA') addC2pa(ctx, d, 'WebP C2PA');
    o = start + len + (len & 1);
  }
}

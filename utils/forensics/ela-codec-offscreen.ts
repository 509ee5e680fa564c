/**
 * JPEG codec for errorLevelAnalysis() in the extension (service worker, offscreen document,
 * extension pages): OffscreenCanvas.convertToBlob + createImageBitmap, both available in MV3
 * service workers. Node tools pass a sharp-based codec instead (see tests/unit/forensics).
 */
import type { RGBAImage } from '../types';
import type { JpegCodec } from './ela';

export function offscreenJpegCodec(): JpegCodec | undefined {
  const g = globalThis as unknown as { OffscreenCanvas?: typeof OffscreenCanvas; createImageBitmap?: typeof createImageBitmap };
  if (!g.OffscreenCanvas || !g.createImageBitmap) return undefined;
  return {
    async encode(img: RGBAImage, quality: number): Promise<Uint8Array> {
      const c = new OffscreenCanvas(img.width, img.height);
      const ctx = c.getContext('2d')!;
      ctx.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
      const blob = await c.convertToBlob({ type: 'image/jpeg', quality: quality / 100 });
      return new Uint8Array(await blob.arrayBuffer());
    },
    async decode(bytes: Uint8Array): Promise<RGBAImage> {
      const bmp = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/jpeg' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(bmp, 0, 0);
      bmp.close();
      const d = ctx.getImageData(0, 0, c.width, c.height);
      return { width: d.width, height: d.height, data: d.data };
    },
  };
}

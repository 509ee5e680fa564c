/**
 * Browser side of the comparison pictures: decode the stored buyer copy and the reference working
 * copy with a canvas, make the aligned reference and the difference picture
 * (utils/report/difference.ts) and encode them as JPEG for the page and the exports.
 */
import { differencePicture, transformFor, warpReference } from '@/utils/report/difference';
import type { ReportImages, ReportModel } from '@/utils/report/model';
import type { RGBAImage } from '@/utils/types';

async function decode(bytes: Uint8Array, type: string): Promise<RGBAImage> {
  const bmp = await createImageBitmap(new Blob([bytes.slice().buffer as ArrayBuffer], { type }));
  const c = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  bmp.close();
  const d = ctx.getImageData(0, 0, c.width, c.height);
  return { width: d.width, height: d.height, data: d.data };
}

async function encode(img: RGBAImage): Promise<Uint8Array> {
  const c = new OffscreenCanvas(img.width, img.height);
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  return new Uint8Array(await blob.arrayBuffer());
}

/** The aligned reference and the difference picture, or nothing when either photo is missing. */
export async function comparePictures(model: ReportModel, images: ReportImages): Promise<Pick<ReportImages, 'aligned' | 'difference'>> {
  const b = model.images.buyer, r = model.images.reference;
  if (!images.buyer || !images.reference || !b || !r || !model.match) return {};
  try {
    const [buyer, ref] = await Promise.all([decode(images.buyer, b.type), decode(images.reference, r.type)]);
    const aligned = warpReference(ref, transformFor(model.match.homography, buyer, ref), buyer.width, buyer.height);
    const diff = differencePicture(buyer, aligned);
    const [a, d] = await Promise.all([encode(aligned.image), encode(diff.image)]);
    return { aligned: a, difference: d };
  } catch {
    return {};
  }
}

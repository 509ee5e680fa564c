/** A 12-megapixel "phone photo" JPEG rendered in code (scene + sensor-like noise), ~3–5 MB. */
import sharp from 'sharp';
import { productSvg } from '../fixtures/images';

export async function phoneJpeg(seed = 101, width = 4000, height = 3000): Promise<Uint8Array> {
  const scene = await sharp(Buffer.from(productSvg(seed, width, height))).removeAlpha().raw().toBuffer();
  const noise = await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 24 } } })
    .raw()
    .toBuffer();
  for (let i = 0; i < scene.length; i++) scene[i] = Math.max(0, Math.min(255, scene[i] + ((noise[i] - 128) >> 2)));
  return new Uint8Array(await sharp(scene, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
}

/** `n` distinct small product photos for filling a library. */
export async function fillerJpegs(n: number, side = 320): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const bytes = new Uint8Array(await sharp(Buffer.from(productSvg(10_000 + i, side, Math.round(side * 0.75)))).jpeg({ quality: 85 }).toBuffer());
    out.push({ name: `filler-${i}.jpg`, bytes });
  }
  return out;
}

import type { RGBAImage } from '../../../utils/types';

/**
 * The test-vector picture, drawn by formula (no codec, no renderer), so the pinned fingerprint
 * only changes when the algorithm does: shaded discs, bars and a checker patch on a gradient.
 */
export function vectorImage(width = 320, height = 240): RGBAImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 40 + (x * 150) / width, g = 60 + (y * 120) / height, b = 90;
      const discs = [[80, 70, 40], [220, 150, 55], [150, 200, 25]];
      discs.forEach(([cx, cy, rad], k) => {
        const d = Math.hypot(x - cx, y - cy);
        if (d < rad) { r = 220 - k * 60; g = 40 + k * 80; b = 60 + k * 70 - d; }
      });
      if (x > 30 && x < 130 && y > 150 && y < 210 && ((x >> 3) + (y >> 3)) % 2 === 0) { r = 250; g = 250; b = 240; }
      if (y > 20 && y < 40 && x > 180 && x < 300) { r = 20; g = 20; b = 20; }
      if (x > 260 && x < 275 && y > 60 && y < 120) { r = 255; g = 210; b = 0; }
      const i = (y * width + x) * 4;
      data[i] = r; data[i + 1] = g; data[i + 2] = b; data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

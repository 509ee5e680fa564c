/**
 * EXIF thumbnail disagreement: editors often rewrite the main image but keep the camera's
 * embedded thumbnail, so a thumbnail that shows a different picture is a classic sign of an
 * edited copy. The pipeline decodes MetadataResult.thumbnail and calls compareThumbnail (or
 * hashes both itself and calls thumbnailDisagreement).
 */
import { blockhash, hammingHex } from '../hash/blockhash';
import type { RGBAImage, Signal } from '../types';

/** Share of differing hash bits above which the thumbnail is "a different picture". */
export const THUMB_DIFFERENT = 0.3;
/** Share above which it is "noticeably different" (weak: crops and heavy filters land here). */
export const THUMB_SUSPECT = 0.2;

/** Signal when two blockhashes (hex, same length) of thumbnail and main image disagree. */
export function thumbnailDisagreement(thumbHash: string, mainHash: string): Signal | undefined {
  if (!thumbHash || thumbHash.length !== mainHash.length) return undefined;
  const bits = thumbHash.length * 4;
  const d = hammingHex(thumbHash, mainHash);
  const share = d / bits;
  const raw = [
    { field: 'EXIF thumbnail blockhash', value: thumbHash },
    { field: 'main image blockhash', value: mainHash },
  ];
  if (share > THUMB_DIFFERENT) {
    return { source: 'thumbnail', kind: 'thumbnail', weight: 0.7, code: 'sig_thumbnail_differs', params: { distance: d, bits }, raw };
  }
  if (share > THUMB_SUSPECT) {
    return { source: 'thumbnail', kind: 'thumbnail', weight: 0.4, code: 'sig_thumbnail_differs_weak', params: { distance: d, bits }, raw };
  }
  return undefined;
}

/** Apply EXIF orientation 1..8 to pixels (thumbnails are stored unrotated, like the main image). */
export function orient(img: RGBAImage, orientation = 1): RGBAImage {
  if (orientation <= 1 || orientation > 8) return img;
  const swap = orientation >= 5;
  const w = swap ? img.height : img.width;
  const h = swap ? img.width : img.height;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      let nx = x, ny = y;
      switch (orientation) {
        case 2: nx = img.width - 1 - x; break;
        case 3: nx = img.width - 1 - x; ny = img.height - 1 - y; break;
        case 4: ny = img.height - 1 - y; break;
        case 5: nx = y; ny = x; break;
        case 6: nx = img.height - 1 - y; ny = x; break;
        case 7: nx = img.height - 1 - y; ny = img.width - 1 - x; break;
        case 8: nx = y; ny = img.width - 1 - x; break;
      }
      const s = (y * img.width + x) * 4;
      const d = (ny * w + nx) * 4;
      out[d] = img.data[s]; out[d + 1] = img.data[s + 1]; out[d + 2] = img.data[s + 2]; out[d + 3] = img.data[s + 3];
    }
  }
  return { width: w, height: h, data: out };
}

/** Crop uniform black/white letterbox bars (camera thumbnails pad 3:2 photos to 4:3). */
export function trimBars(img: RGBAImage): RGBAImage {
  const rowFlat = (y: number) => {
    let min = 255, max = 0;
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      const v = (img.data[i] + img.data[i + 1] + img.data[i + 2]) / 3;
      min = Math.min(min, v); max = Math.max(max, v);
    }
    return max - min < 12 && (max < 24 || min > 232);
  };
  const colFlat = (x: number, y0: number, y1: number) => {
    let min = 255, max = 0;
    for (let y = y0; y < y1; y++) {
      const i = (y * img.width + x) * 4;
      const v = (img.data[i] + img.data[i + 1] + img.data[i + 2]) / 3;
      min = Math.min(min, v); max = Math.max(max, v);
    }
    return max - min < 12 && (max < 24 || min > 232);
  };
  let top = 0, bottom = img.height;
  while (top < bottom - 8 && rowFlat(top)) top++;
  while (bottom > top + 8 && rowFlat(bottom - 1)) bottom--;
  let left = 0, right = img.width;
  while (left < right - 8 && colFlat(left, top, bottom)) left++;
  while (right > left + 8 && colFlat(right - 1, top, bottom)) right--;
  if (top === 0 && left === 0 && bottom === img.height && right === img.width) return img;
  const w = right - left, h = bottom - top;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) out.set(img.data.subarray(((y + top) * img.width + left) * 4, ((y + top) * img.width + right) * 4), y * w * 4);
  return { width: w, height: h, data: out };
}

/**
 * Compare a decoded EXIF thumbnail with the (oriented) main image. `orientation` is the EXIF
 * orientation of the file (the thumbnail needs it applied; the decoded main image has it already).
 * Aspect ratios that still disagree after trimming bars make the comparison unreliable: no signal.
 */
export function compareThumbnail(thumb: RGBAImage, main: RGBAImage, orientation = 1): Signal | undefined {
  if (thumb.width < 16 || thumb.height < 16) return undefined;
  const t = trimBars(orient(thumb, orientation));
  const ra = t.width / t.height;
  const rb = main.width / main.height;
  if (Math.abs(Math.log(ra / rb)) > 0.12) return undefined;
  return thumbnailDisagreement(blockhash(t), blockhash(main));
}

import { bmvbhash } from 'blockhash-core';
import type { RGBAImage } from '../types';

/** blockhash-core (bmvbhash) over an RGBA image: 16 → 256-bit hash as 64 hex chars. */
export function blockhash(img: RGBAImage, bits = 16): string {
  return bmvbhash({ width: img.width, height: img.height, data: img.data as Uint8ClampedArray } as ImageData, bits);
}

const POP = new Uint8Array(16).map((_, i) => (i & 1) + ((i >> 1) & 1) + ((i >> 2) & 1) + ((i >> 3) & 1));

/** Hamming distance between two equal-length hex hashes. */
export function hammingHex(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POP[parseInt(a[i], 16) ^ parseInt(b[i], 16)];
  return d;
}

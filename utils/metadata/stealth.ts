/**
 * "Stealth pnginfo" (sd-webui-stealth-pnginfo, also read by A1111 forks): the generation
 * parameters hidden in the least-significant bits of the alpha channel (or of R,G,B), read
 * column by column (x outer, y inner). Layout: signature ('stealth_pnginfo' plain,
 * 'stealth_pngcomp' gzip; 'stealth_rgbinfo'/'stealth_rgbcomp' in RGB), a 32-bit length in bits,
 * then the payload. Needs the decoded pixels at FULL size (any resampling destroys the bits),
 * so the pipeline calls this separately from readMetadata, only for PNG/WebP with alpha.
 */
import type { RGBAImage, Signal } from '../types';
import { decodeUtf8, inflateCapped } from './bytes';
import { GEN } from './signals/generator';
import { signal } from './signals/util';

const MAX_PAYLOAD_BITS = 8 * 1024 * 1024 * 8;

export function readStealthPngInfo(img: RGBAImage): { text: string; mode: 'alpha' | 'rgb'; compressed: boolean } | undefined {
  const { width, height, data } = img;
  const total = width * height;
  if (total < 64) return undefined;
  // Alpha mode: one bit per pixel. RGB mode: three bits per pixel (r, g, b).
  const tryMode = (mode: 'alpha' | 'rgb') => {
    const per = mode === 'alpha' ? 1 : 3;
    const nbits = total * per;
    const bit = (k: number): number => {
      const p = Math.floor(k / per);
      const c = mode === 'alpha' ? 3 : k % per;
      const x = Math.floor(p / height);
      const y = p % height;
      return data[(y * width + x) * 4 + c] & 1;
    };
    const readBytes = (from: number, n: number): Uint8Array | undefined => {
      if (from + n * 8 > nbits) return undefined;
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let b = 0; b < 8; b++) v = (v << 1) | bit(from + i * 8 + b);
        out[i] = v;
      }
      return out;
    };
    const sig = readBytes(0, 15);
    if (!sig) return undefined;
    const s = String.fromCharCode(...sig);
    const plain = mode === 'alpha' ? 'stealth_pnginfo' : 'stealth_rgbinfo';
    const comp = mode === 'alpha' ? 'stealth_pngcomp' : 'stealth_rgbcomp';
    if (s !== plain && s !== comp) return undefined;
    const lenBytes = readBytes(120, 4);
    if (!lenBytes) return undefined;
    const len = ((lenBytes[0] << 24) | (lenBytes[1] << 16) | (lenBytes[2] << 8) | lenBytes[3]) >>> 0;
    if (len === 0 || len > MAX_PAYLOAD_BITS || 152 + len > nbits) return undefined;
    const payload = readBytes(152, Math.floor(len / 8));
    if (!payload) return undefined;
    const compressed = s === comp;
    const bytes = compressed ? inflateCapped(payload, 8 * 1024 * 1024, true) : payload;
    if (!bytes) return undefined;
    return { text: decodeUtf8(bytes), mode, compressed };
  };
  return tryMode('alpha') ?? tryMode('rgb');
}

/** Signal for stealth parameters found in the pixels (A1111-style generator, weight 0.95). */
export function stealthSignal(img: RGBAImage): Signal | undefined {
  const found = readStealthPngInfo(img);
  if (!found) return undefined;
  const name = /Version: Fooocus/i.test(found.text) ? GEN.fooocus : /NovelAI/.test(found.text) ? GEN.novelai : GEN.a1111;
  return signal('generator', 'ai', 0.95, 'sig_generator_stealth', { name, mode: found.mode }, [
    { field: `pixels ${found.mode} LSB (stealth pnginfo${found.compressed ? ', gzip' : ''})`, value: found.text },
  ]);
}

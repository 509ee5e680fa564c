/**
 * JPEG quantisation tables → estimated quality and a "camera vs software" hint.
 *
 * libjpeg (IJG) and everything built on it (browsers, chat apps, most image libraries) scale the
 * two example tables of ITU-T T.81 Annex K by one "quality" number:
 *   scale = q < 50 ? 5000 / q : 200 - 2q;   entry = clamp(floor((base * scale + 50) / 100), 1, 255)
 * Tables that equal such a scaling exactly mean "saved by IJG-style software at quality q";
 * camera firmware (and some editors such as Photoshop) use tables of their own.
 */
import type { Signal } from '../types';
import { jpegSegments } from '../metadata/containers/jpeg';

/** Annex K.1 luminance table, natural (row-major) order. */
export const STD_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
/** Annex K.2 chrominance table, natural order. */
export const STD_CHROMA = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...new Array(32).fill(99),
];
/** Natural index of each zig-zag position (DQT stores tables in zig-zag order). */
export const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57,
  50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

export interface QuantTable {
  id: number;
  /** 64 values in natural order. */
  values: number[];
}

/** IJG scaling of a base table at quality 1..100 (baseline clamp to 1..255). */
export function ijgTable(base: number[], quality: number): number[] {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
  return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/** Read every DQT table before the first SOS. Bounded; never throws. */
export function readQuantTables(b: Uint8Array): QuantTable[] {
  const out: QuantTable[] = [];
  // The metadata reader's segment walker (bounded by the file size and a segment cap).
  for (const seg of jpegSegments(b).segments) {
    if (seg.marker !== 0xdb) continue;
    let p = seg.start;
    while (p < seg.end && out.length < 8) {
      const pq = b[p] >> 4;
      const id = b[p] & 15;
      const size = pq ? 128 : 64;
      if (p + 1 + size > seg.end) break;
      const values = new Array<number>(64);
      for (let i = 0; i < 64; i++) values[ZIGZAG[i]] = pq ? (b[p + 1 + i * 2] << 8) | b[p + 2 + i * 2] : b[p + 1 + i];
      out.push({ id, values });
      p += 1 + size;
    }
  }
  return out;
}

export interface QualityEstimate {
  /** Estimated IJG quality 1..100 (closest scaling). */
  quality: number;
  /** True when every table equals the IJG scaling at `quality` exactly. */
  standard: boolean;
  /** Mean absolute difference to that scaling (0 when standard). */
  error: number;
  hint: 'software' | 'camera-or-custom';
  tables: number;
}

export function estimateQuality(tables: QuantTable[]): QualityEstimate | undefined {
  const luma = tables.find((t) => t.id === 0) ?? tables[0];
  if (!luma) return undefined;
  const chroma = tables.find((t) => t !== luma);
  let best = { q: 0, err: Infinity };
  for (let q = 1; q <= 100; q++) {
    const l = ijgTable(STD_LUMA, q);
    let err = 0;
    for (let i = 0; i < 64; i++) err += Math.abs(l[i] - luma.values[i]);
    if (chroma) {
      const c = ijgTable(STD_CHROMA, q);
      for (let i = 0; i < 64; i++) err += Math.abs(c[i] - chroma.values[i]);
    }
    if (err < best.err) best = { q, err };
  }
  const n = chroma ? 128 : 64;
  const standard = best.err === 0;
  return { quality: best.q, standard, error: Math.round((best.err / n) * 100) / 100, hint: standard ? 'software' : 'camera-or-custom', tables: tables.length };
}

/**
 * The forensic signal for a JPEG: standard IJG tables → "re-saved by software at quality q"
 * (weak, 0.2; 0.1 when the file still names a camera, since many phones use IJG tables too);
 * custom tables → neutral fact.
 */
export function jpegQuantSignal(bytes: Uint8Array, hasCamera: boolean): Signal | undefined {
  const tables = readQuantTables(bytes);
  const est = estimateQuality(tables);
  if (!est) return undefined;
  const raw = tables.slice(0, 2).map((t) => ({ field: `JPEG DQT table ${t.id}`, value: ZIGZAG.map((z) => t.values[z]).join(' ') }));
  if (est.standard) {
    return { source: 'jpeg-quant', kind: 'forensic', weight: hasCamera ? 0.1 : 0.2, code: 'sig_jpeg_ijg_tables', params: { quality: est.quality }, raw };
  }
  return { source: 'jpeg-quant', kind: 'forensic', weight: 0, code: 'sig_jpeg_custom_tables', params: { quality: est.quality }, raw };
}

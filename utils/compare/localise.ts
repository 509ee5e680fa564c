/**
 * Where a derived buyer photo was altered: a fine change map after alignment, grouped into one
 * region per edit.
 *
 *   step 1  FINE GRID  the query is area-resized to a grid whose longest side is FINE_SIDE (finer than
 *                      the coarse comparison of diff.ts, so a 2 px crack on a 1200 px photo still
 *                      covers more than one grid pixel); the reference is pre-filtered to the same
 *                      pitch and sampled through the alignment
 *   step 2  TONE       a monotone tone curve reference→query (conditional medians per reference grey
 *                      bin, isotonic): colour shifts, gamma and white balance fall away
 *   step 3  RESIDUAL   how far the query lies outside the range of the tone-mapped reference over a
 *                      3×3 neighbourhood (sub-pixel misregistration and resampling fall away), signed
 *                      (darker / brighter), as a multiple of the local noise: JPEG noise grows with
 *                      the local texture of the reference and with the photo's overall noise level
 *   step 0  FILL       blank corners of a rotation, letterbox bars (flat, border-connected, hiding
 *                      reference content) are not compared (dropFill)
 *   step 4  EVIDENCE   hysteresis: pixels over FINE_HIGH noise units seed components of pixels over
 *                      FINE_LOW; a component counts when it is a line (long and thin: a crack, a
 *                      scratch) or a blob of some area, and carries enough residual mass; a line
 *                      along the reference's edges counts only when it leaves their range by more
 *                      than the range itself (a stroke across texture, not a resampled edge);
 *                      texture loss (blurred patches, textureLoss) and window-mean shifts (soft
 *                      stains, darkened patches, toneShift) are added; the coarse comparison's
 *                      changed pixels join groups that have such evidence
 *   step 5  GROUPS     the evidence is dilated by EDIT_GAP of the long side and each connected group
 *                      is one edit: a branching crack detected in pieces, a stain with a halo, is one
 *                      region; separate edits stay separate. The box of a region is the box of its
 *                      evidence pixels. Evidence along the border of the compared area (screenshot
 *                      frames, resampling at the crop edge) is dropped.
 * Regions come out in full-size query pixels, strongest first, at most EDIT_MAX_REGIONS.
 */
import { resizeGrayShared, type Gray } from '../hash/gray';
import type { Box } from '../types';
import type { DenseResult } from './diff';
import { transformScale, type Transform } from './geometry';

/** Longest side of the fine comparison grid (analysis-size queries are ≤ 1024). */
export const FINE_SIDE = 768;
/** Residual, in noise units, that seeds a changed component. */
export const FINE_HIGH = 4.5;
/** Residual, in noise units, for a pixel to join a seeded component. */
export const FINE_LOW = 2.4;
/** Noise floor (grey levels) of the residual, whatever the photo. */
export const FINE_NOISE_FLOOR = 3;
/** Share of the local reference contrast (3×3 range) added to the noise: JPEG error grows with texture. */
export const FINE_TEXTURE_NOISE = 0.12;
/** Multiple of a block's median residual that counts as its local noise. */
export const FINE_LOCAL_NOISE = 2;
/** Pixels at the border of the compared area that are never evidence (resampling, frames). */
export const FINE_BORDER = 4;
/** Band along the border of the compared area (share of the long side) where lines are edges, not edits. */
export const FINE_BORDER_BAND = 0.015;
/** A line (crack): length ≥ this share of the grid's long side, and thin (see isLine). */
export const EDIT_MIN_LINE = 0.035;
/** Ratio of the principal second moments for a short line to count (a straight stroke is ≫ 10). */
export const LINE_ELONGATION = 6;
/** Mean residual (noise units) of a line. */
export const LINE_MIN_Z = 8;
/** A blob: area ≥ this share of the compared area. */
export const EDIT_MIN_BLOB = 0.003;
/** Seed pixels a component needs at least. */
export const EDIT_MIN_SEEDS = 12;
/** Gap (share of the grid's long side) bridged between pieces of one edit. */
export const EDIT_GAP = 0.03;
/** Most edits reported. */
export const EDIT_MAX_REGIONS = 8;

/** Diagnostics for tuning scripts: called with each candidate component and its measures (unset in the product; its arguments are then not even built). */
export const DEBUG: { log?: (o: Record<string, unknown>) => void } = {};

export interface EditRegion {
  /** Box in full-size query pixels [x0, y0, x1, y1). */
  box: Box;
  /** Residual mass (noise units × pixels), to rank regions. */
  strength: number;
  /** 'line' for thin elongated evidence (a crack, a scratch), 'area' for blobs (stains, patches, tears). */
  shape: 'line' | 'area';
}

export interface FineMap {
  fw: number;
  fh: number;
  /** Grid pixel → query analysis pixels. */
  kx: number;
  ky: number;
  valid: Uint8Array;
  /** Residual in noise units (0 where unchanged or invalid). */
  z: Float32Array;
  /** Evidence pixels (1) after the component tests. */
  evidence: Uint8Array;
  /** Noise level (grey levels) of the photo. */
  noise: number;
}

/** Fine change map of `query` (analysis-size grey) against `ref` through `T` (query px → reference px). */
export function compareFine(query: Gray, ref: Gray, T: Transform, refChroma?: Chroma): FineMap {
  const s = Math.min(1, FINE_SIDE / Math.max(query.width, query.height));
  const fw = Math.max(8, Math.round(query.width * s)), fh = Math.max(8, Math.round(query.height * s));
  const kx = query.width / fw, ky = query.height / fh;
  const Q = s < 1 ? resizeGrayShared(query, fw, fh) : query;
  const scale = transformScale(T, query.width / 2, query.height / 2) * Math.sqrt(kx * ky);
  const f = Math.max(1, scale);
  const Rs = f > 1.05 ? resizeGrayShared(ref, ref.width / f, ref.height / f) : ref;
  const fx = ref.width / Rs.width, fy = ref.height / Rs.height;
  const n = fw * fh;
  const valid = new Uint8Array(n);
  const B = new Float32Array(n);
  sampleThrough(Rs, T, fw, fh, kx, ky, fx, fy, B, valid);
  const Qd = Q.data;
  dropFill(Qd, B, valid, fw, fh);
  erode(valid, fw, fh, FINE_BORDER);
  const lut = toneCurve(B, Qd, valid);
  const Bm = new Float32Array(n);
  for (let i = 0; i < n; i++) if (valid[i]) Bm[i] = lut(B[i]);
  const chroma = refChroma ? new ChromaGrid(refChroma, T, valid, fw, fh, kx, ky, ref.width, ref.height) : undefined;
  const hueShift = chroma?.correct(Bm, Qd) ?? 0;
  let hueGrid: Int8Array | undefined;
  const hues = chroma ? { recoloured: hueShift >= TONE_RECOLOUR, get: () => (hueGrid ??= chroma.hues()) } : undefined;
  // 3×3 range of the mapped reference (separable min / max)
  const lo = new Float32Array(n), hi = new Float32Array(n);
  range3(Bm, valid, fw, fh, lo, hi);
  // signed residual outside the range, and the photo's noise level: median over textured pixels
  const e = new Float32Array(n);
  const hist = new Uint32Array(256);
  let nv = 0;
  for (let i = 0; i < n; i++) {
    if (!valid[i]) continue;
    const q = Qd[i];
    const r = q > hi[i] ? q - hi[i] : q < lo[i] ? lo[i] - q : 0;
    e[i] = r;
    hist[Math.min(255, (r * 4) | 0)]++; nv++;
  }
  // 90th percentile of the out-of-range residual: a clean copy's JPEG noise; an edit covers far less.
  // The floor is relative to the photo's contrast (a dark photo's detail and edits are faint too).
  const floor = FINE_NOISE_FLOOR / contrastGain(Qd, valid);
  let noise = floor;
  for (let v = 0, acc = 0; v < 256; v++) { acc += hist[v]; if (acc >= nv * 0.9) { noise = Math.max(floor, v / 4); break; } }
  // local noise: FINE_LOCAL_NOISE × the median residual per block (where the tone mapping does not
  // hold locally — clipped colours, vignetting, glare — the residual is raised all over the block;
  // an edit covers less than half of it)
  const z = new Float32Array(n);
  // CLEAN EXIT: the local noise only raises the denominator, so a pixel over FINE_HIGH must be over
  // it against the global noise alone; with fewer such pixels than one component needs, no line or
  // blob can be seeded (a clean copy, the common case, stops here but for the texture-loss test)
  let seedBound = 0;
  for (let i = 0; i < n && seedBound < EDIT_MIN_SEEDS; i++) {
    if (e[i] > FINE_HIGH * (noise + FINE_TEXTURE_NOISE * (hi[i] - lo[i]))) seedBound++;
  }
  if (seedBound < EDIT_MIN_SEEDS) {
    const evidence = new Uint8Array(n);
    textureLoss(Qd, Bm, valid, fw, fh, evidence, z);
    toneShift(Qd, Bm, valid, fw, fh, evidence, z, hues, lo, hi);
    return { fw, fh, kx, ky, valid, z, evidence, noise };
  }
  const local = blockMedian(e, valid, fw, fh, Math.max(16, Math.round(Math.max(fw, fh) / 8)));
  for (let i = 0; i < n; i++) {
    if (!valid[i] || e[i] === 0) continue;
    z[i] = e[i] / (Math.max(noise, FINE_LOCAL_NOISE * local[i]) + FINE_TEXTURE_NOISE * (hi[i] - lo[i]));
  }
  // edges of the reference: strong local grey range (against the photo's own), or colour edges;
  // a residual line lying along them is the edge resampled or re-compressed, not a new stroke
  const rh = new Uint32Array(256);
  let nr = 0;
  for (let i = 0; i < n; i += 3) if (valid[i]) { rh[Math.min(255, (hi[i] - lo[i]) | 0)]++; nr++; }
  let medRange = 0;
  for (let v = 0, acc = 0; v < 256; v++) { acc += rh[v]; if (acc * 2 >= nr) { medRange = v; break; } }
  const edgeThr = Math.max(FINE_EDGE_MIN, FINE_EDGE_RATIO * medRange);
  const edges = new Uint8Array(n);
  const colourEdge = chroma?.edges();
  for (let i = 0; i < n; i++) if (valid[i] && (hi[i] - lo[i] > edgeThr || colourEdge?.[i])) edges[i] = 1;
  const evidence = componentsEvidence(z, valid, fw, fh, dilate(edges, fw, fh, 1), e, lo, hi);
  textureLoss(Qd, Bm, valid, fw, fh, evidence, z);
  toneShift(Qd, Bm, valid, fw, fh, evidence, z, hues, lo, hi);
  return { fw, fh, kx, ky, valid, z, evidence, noise };
}

/**
 * Fill: the blank corners a rotation leaves, the bars of a letterbox — flat query pixels connected
 * to the image border where the reference shows content. They hide the picture; they are not an
 * edit of it. Flat: 3×3 grey range ≤ FILL_RANGE; a border-connected flat area is fill when at least
 * FILL_TEXTURED of it covers reference texture (range > FILL_REF_RANGE), or most of it is far from
 * the smooth reference under it — a white backdrop that runs into the border is flat and alike in
 * the reference too and stays compared. Its pixels (and a FILL_MARGIN margin) leave `valid`.
 */
export const FILL_RANGE = 3;
export const FILL_REF_RANGE = 5;
export const FILL_TEXTURED = 0.3;
/** …or when most of it (FILL_APART) lies more than FILL_DIFF grey levels from the smooth reference under it. */
export const FILL_DIFF = 40;
export const FILL_APART = 0.7;
export const FILL_MARGIN = 3;
function dropFill(Q: Float32Array, B: Float32Array, valid: Uint8Array, w: number, h: number): void {
  const n = w * h;
  // the query's 3×3 range (separable min / max over every pixel)
  const lo = new Float32Array(n), hi = new Float32Array(n);
  range3(Q, new Uint8Array(n).fill(1), w, h, lo, hi);
  // flat pixels; only the flat areas connected to the border are looked at
  const flat = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (hi[i] - lo[i] <= FILL_RANGE) flat[i] = 1;
  const seen = new Uint8Array(n), fill = new Uint8Array(n), stack: number[] = [], region: number[] = [];
  const seeds: number[] = [];
  for (let x = 0; x < w; x++) seeds.push(x, (h - 1) * w + x);
  for (let y = 1; y < h - 1; y++) seeds.push(y * w, y * w + w - 1);
  for (const s of seeds) {
    if (seen[s] || !flat[s]) continue;
    seen[s] = 1; stack.push(s); region.length = 0;
    let textured = 0, compared = 0, apart = 0;
    while (stack.length) {
      const i = stack.pop()!;
      region.push(i);
      const x = i % w;
      if (valid[i]) {
        compared++;
        // reference texture under it: its 3×3 range
        let lo = B[i], hi = B[i];
        if (x > 0 && valid[i - 1]) { lo = Math.min(lo, B[i - 1]); hi = Math.max(hi, B[i - 1]); }
        if (x < w - 1 && valid[i + 1]) { lo = Math.min(lo, B[i + 1]); hi = Math.max(hi, B[i + 1]); }
        if (i >= w && valid[i - w]) { lo = Math.min(lo, B[i - w]); hi = Math.max(hi, B[i - w]); }
        if (i + w < n && valid[i + w]) { lo = Math.min(lo, B[i + w]); hi = Math.max(hi, B[i + w]); }
        if (hi - lo > FILL_REF_RANGE) textured++;
        if (Math.abs(Q[i] - B[i]) > FILL_DIFF) apart++;
      }
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
        if (j < 0 || j >= n || seen[j] || !flat[j]) continue;
        seen[j] = 1; stack.push(j);
      }
    }
    if (compared && (textured >= FILL_TEXTURED * compared || apart >= FILL_APART * compared)) for (const i of region) fill[i] = 1;
  }
  // …and its anti-aliased, re-compressed edge (FILL_MARGIN grid pixels)
  const gone = dilate(fill, w, h, FILL_MARGIN);
  for (let i = 0; i < n; i++) if (gone[i]) valid[i] = 0;
}

/**
 * Blurred or smeared patches: the query has lost the texture the reference has there. Local
 * texture (sum of absolute central differences over a (2·TEXLOSS_RADIUS+1)² window) of query and
 * tone-mapped reference; where the reference is clearly textured, the ratio query/reference against
 * its median over the photo (re-compression and resampling smooth everywhere alike) under
 * TEXLOSS_RATIO is texture loss. Components of it with area ≥ TEXLOSS_MIN_AREA of the compared
 * area become evidence (value 3), their z set to a nominal TEXLOSS_Z.
 */
export const TEXLOSS_RADIUS = 6;
export const TEXLOSS_MIN_TEXTURE = 8;
export const TEXLOSS_RATIO = 0.45;
export const TEXLOSS_MIN_AREA = 0.0025;
/** Gap (grid pixels) bridged between pieces of one blurred patch. */
export const TEXLOSS_GAP = 3;
const TEXLOSS_Z = 3;
function textureLoss(Q: Float32Array, B: Float32Array, valid: Uint8Array, w: number, h: number, evidence: Uint8Array, z: Float32Array): void {
  const n = w * h;
  const gq = new Float32Array(n), gb = new Float32Array(n);
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
    const i = y * w + x;
    if (!valid[i] || !valid[i - 1] || !valid[i + 1] || !valid[i - w] || !valid[i + w]) continue;
    gq[i] = Math.abs(Q[i + 1] - Q[i - 1]) + Math.abs(Q[i + w] - Q[i - w]);
    gb[i] = Math.abs(B[i + 1] - B[i - 1]) + Math.abs(B[i + w] - B[i - w]);
  }
  const r = TEXLOSS_RADIUS;
  const sq = boxSum(gq, w, h, r), sb = boxSum(gb, w, h, r);
  const area = (2 * r + 1) ** 2;
  const ratios: number[] = [];
  for (let i = 0; i < n; i += 7) if (valid[i] && sb[i] >= TEXLOSS_MIN_TEXTURE * area) ratios.push(sq[i] / sb[i]);
  if (ratios.length < 200) return;
  ratios.sort((a, b) => a - b);
  const med = ratios[ratios.length >> 1];
  const m = new Uint8Array(n);
  let nValid = 0;
  for (let i = 0; i < n; i++) {
    nValid += valid[i];
    if (valid[i] && sb[i] >= TEXLOSS_MIN_TEXTURE * area && sq[i] < TEXLOSS_RATIO * med * sb[i]) m[i] = 1;
  }
  // a blurred patch loses texture only where the reference had some: its pieces are grouped across
  // small gaps (TEXLOSS_GAP), and a group's own pixels count
  for (const g of labelMask(dilate(m, w, h, TEXLOSS_GAP), w, h)) {
    const c = g.filter((i) => m[i]);
    if (c.length > 20) DEBUG.log?.({ texloss: true, area: c.length, minArea: Math.round(TEXLOSS_MIN_AREA * nValid), med: Math.round(med * 100) / 100, pix: c.slice() });
    if (c.length < TEXLOSS_MIN_AREA * nValid) continue;
    for (const i of c) { if (!evidence[i]) { evidence[i] = 3; z[i] = Math.max(z[i], TEXLOSS_Z); } }
  }
}

/**
 * Soft stains, darkened or brightened patches: the local mean of query − tone-mapped reference over
 * a window of TONE_RADIUS (share of the grid's long side). Pixel noise, re-compression and
 * sub-pixel misregistration average out in such a window; a stain shifts every pixel under it the
 * same way. The window means are measured against their own spread over the photo (robust: median
 * absolute value), with a floor of TONE_MIN_GREY grey levels, raised on texture (TONE_TEXTURE);
 * components over that threshold, grown to half of it, of one sign, with area ≥ TONE_MIN_AREA of
 * the compared area and a peak ≥ TONE_PEAK thresholds and ≥ TONE_MIN_PEAK grey levels become
 * evidence (value 4), unless they lie along the border of the compared area, have an opposite
 * component of comparable size beside them (misregistration), or are a colour effect
 * (colourShifted); of a component, the pixels whose own 3×3 mean is over the threshold are the
 * evidence.
 */
export const TONE_RADIUS = 0.012;
export const TONE_K = 6;
export const TONE_MIN_GREY = 5;
export const TONE_MIN_AREA = 0.002;
/** An opposite component beside it with at least this share of its area and peak makes a component misregistration. */
export const TONE_PAIR_SHARE = 0.5;
/** Strongest window mean (grey levels) a component needs whatever the photo's spread. */
export const TONE_MIN_PEAK = 9;
/** Share of the reference's mean local (3×3) range added to the threshold on texture. */
export const TONE_TEXTURE = 0.2;
/** A component's strongest window mean, in thresholds (a soft rise to just over it is tone drift). */
export const TONE_PEAK = 1.5;
/** A photo is recoloured when some hue moved this far (grey levels) apart from the neutral greys… */
export const TONE_RECOLOUR = 2;
/** Strongest window mean (grey levels) a component on one saturated hue needs to be an edit. */
export const TONE_SAT_PEAK = 20;
/** …and then a component on one hue of chroma over this, shifted alike around it, is the colour shift, not an edit. */
export const TONE_MAX_SAT = 30;
/** Most of a component's pixels that may lie in the border band (fill, frames, crop edge). */
export const TONE_MAX_BAND = 0.2;
/** A connected area of one sign in toneShift's window means: 2×2 blocks, their box, peak (grey levels), valid pixels. */
interface ToneComponent { pix: number[]; sign: number; peak: number; area: number; ok: boolean; x0: number; y0: number; x1: number; y1: number }

function toneShift(Q: Float32Array, B: Float32Array, valid: Uint8Array, w: number, h: number, evidence: Uint8Array, z: Float32Array, hues: { recoloured: boolean; get: () => Int8Array } | undefined, lo: Float32Array, hi: Float32Array): void {
  const n = w * h;
  // pixels already explained by line or blob evidence do not count (a crack would spread into a
  // window-wide halo around itself)
  let any = false;
  for (let i = 0; i < n && !any; i++) if (evidence[i]) any = true;
  const known = any ? dilate(evidence, w, h, 1) : new Uint8Array(n);
  // the window means are smooth: computed on 2×2 blocks (a quarter of the work), the evidence
  // put back on the grid's pixels
  const w2 = (w + 1) >> 1, h2 = (h + 1) >> 1, n2 = w2 * h2;
  const d2 = new Float32Array(n2), c2 = new Float32Array(n2), v2 = new Uint8Array(n2), g2 = new Float32Array(n2);
  let h2s: Int8Array | undefined;
  let nValid = 0;
  for (let y = 0; y < h; y++) {
    const row = (y >> 1) * w2;
    for (let x = 0, i = y * w; x < w; x++, i++) {
      if (!valid[i]) continue;
      const j = row + (x >> 1);
      nValid++; v2[j]++; g2[j] += hi[i] - lo[i];
      if (!known[i]) { d2[j] += Q[i] - B[i]; c2[j]++; }
    }
  }
  const r = Math.max(2, Math.round((TONE_RADIUS * Math.max(w, h)) / 2));
  const sd = boxSum(d2, w2, h2, r), sc = boxSum(c2, w2, h2, r), sg = boxSum(g2, w2, h2, r), sv = boxSum(Float32Array.from(v2), w2, h2, r);
  const full = 4 * (2 * r + 1) ** 2;
  const D = new Float32Array(n2);
  const hist = new Uint32Array(1024);
  let m = 0;
  for (let j = 0; j < n2; j++) {
    if (!v2[j] || sc[j] < 0.6 * full) continue;
    D[j] = sd[j] / sc[j];
    hist[Math.min(1023, (Math.abs(D[j]) * 16) | 0)]++; m++;
  }
  if (m < 200) return;
  let mad = 0;
  for (let v = 0, acc = 0; v < 1024; v++) { acc += hist[v]; if (acc * 2 >= m) { mad = (v + 0.5) / 16; break; } }
  const sigma = 1.4826 * mad;
  const thr = Math.max(TONE_K * sigma, TONE_MIN_GREY);
  // on texture the window mean moves more (re-compression and resampling of fine detail): the
  // threshold grows with the window's mean 3×3 range of the reference (TONE_TEXTURE of it)
  const T = new Float32Array(n2);
  for (let j = 0; j < n2; j++) T[j] = Math.max(thr, sv[j] ? (TONE_TEXTURE * sg[j]) / sv[j] : 0);
  // the band along the border of the compared area (frames, fill, the crop edge's resampling)
  const band = borderBand(v2, w2, h2, Math.max(2, Math.round((FINE_BORDER_BAND * Math.max(w, h)) / 2)));
  const comps: ToneComponent[] = [];
  const seen = new Uint8Array(n2), stack: number[] = [];
  for (let s = 0; s < n2; s++) {
    if (seen[s] || !(Math.abs(D[s]) > T[s])) continue;
    const sign = D[s] > 0 ? 1 : -1;
    seen[s] = 1; stack.push(s);
    const pix: number[] = [];
    let peak = 0, peakT = 0, inBand = 0, area = 0, x0 = w2, y0 = h2, x1 = 0, y1 = 0;
    while (stack.length) {
      const j = stack.pop()!;
      pix.push(j);
      area += v2[j];
      const x = j % w2, y = (j / w2) | 0;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      inBand += band[j];
      if (Math.abs(D[j]) > peak) peak = Math.abs(D[j]);
      if (Math.abs(D[j]) / T[j] > peakT) peakT = Math.abs(D[j]) / T[j];
      for (const k of [x > 0 ? j - 1 : -1, x < w2 - 1 ? j + 1 : -1, j - w2, j + w2]) {
        if (k < 0 || k >= n2 || seen[k] || !v2[k] || D[k] * sign <= T[k] / 2) continue;
        seen[k] = 1; stack.push(k);
      }
    }
    DEBUG.log?.({ tone: true, peakT: Math.round(peakT * 100) / 100, band: Math.round((inBand / pix.length) * 100) / 100, area, minArea: Math.round(TONE_MIN_AREA * nValid), peak: Math.round(peak * 10) / 10, thr: Math.round(thr * 10) / 10, sigma: Math.round(sigma * 100) / 100, pix: blockPixels(pix, w2, w, h), sign });
    const ok = area >= TONE_MIN_AREA * nValid && peakT >= TONE_PEAK && peak >= TONE_MIN_PEAK && inBand <= TONE_MAX_BAND * pix.length;
    comps.push({ pix, sign, peak, area, ok, x0, y0, x1, y1 });
  }
  // a misregistered stretch (an edge a few pixels off) shifts one side up and the other down: a
  // component with an opposite one of comparable size right beside it is that, not a stain
  const paired = (c: ToneComponent) => comps.some((o) => o !== c && o.sign !== c.sign && o.area >= TONE_PAIR_SHARE * c.area && o.peak >= TONE_PAIR_SHARE * c.peak &&
    o.x0 <= c.x1 + r && o.x1 >= c.x0 - r && o.y0 <= c.y1 + r && o.y1 >= c.y0 - r);
  for (const c of comps) {
    if (!c.ok || paired(c)) continue;
    const { pix, sign } = c;
    // after a colour shift, saturated colours keep some grey offset no per-hue correction removes
    if (hues) {
      // the hue of each block (its first saturated pixel), made once, when a component needs it
      if (!h2s) {
        const hg = hues.get();
        h2s = new Int8Array(n2).fill(-1);
        for (let i = 0; i < n; i++) if (hg[i] >= 0) { const j = ((i / w) >> 1) * w2 + ((i % w) >> 1); if (h2s[j] < 0) h2s[j] = hg[i]; }
      }
      if (colourShifted(c, D, h2s, v2, w2, h2, r, hues.recoloured)) continue;
    }
    // the window means spread a patch by the window's radius: keep the grid pixels whose own 3×3
    // neighbourhood is shifted the same way
    for (const i of blockPixels(pix, w2, w, h)) {
      if (evidence[i] || !valid[i]) continue;
      const x = i % w, y = (i / w) | 0;
      let sum = 0, cnt = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
        const k = yy * w + xx;
        if (valid[k] && !known[k]) { sum += Q[k] - B[k]; cnt++; }
      }
      if (!(sum * sign > thr * cnt)) continue;
      evidence[i] = 4; z[i] = Math.max(z[i], Math.abs(D[(y >> 1) * w2 + (x >> 1)]) / Math.max(0.5, sigma));
    }
  }
}

/**
 * Whether a tone component of a recoloured photo is a colour effect rather than an edit: most of
 * it lies on saturated colours and its shift is faint (peak under TONE_SAT_PEAK), or its main hue
 * around it (a ring of `r` blocks) is shifted alike (at least half its mean), or is not there to
 * tell and the shift is not strong (2 × TONE_SAT_PEAK) — a stain on a red box leaves the rest of the box alone; a hue turn moves the whole box.
 */
function colourShifted(c: ToneComponent, D: Float32Array, hue: Int8Array, valid: Uint8Array, w: number, h: number, r: number, recoloured: boolean): boolean {
  const { pix, sign, peak, x0, y0, x1, y1 } = c;
  const count = new Uint32Array(CHROMA_SECTORS);
  let sum = 0;
  for (const j of pix) {
    if (hue[j] >= 0) count[hue[j]]++;
    sum += D[j] * sign;
  }
  let k = 0, saturated = count[0];
  for (let s = 1; s < CHROMA_SECTORS; s++) { saturated += count[s]; if (count[s] > count[k]) k = s; }
  if (saturated < 0.5 * pix.length) return false;
  if (!recoloured) return false;
  // on a saturated colour of a recoloured photo, a faint shift is what the colour change leaves
  if (peak < TONE_SAT_PEAK) return true;
  const inside = new Set(pix);
  let ring = 0, ringSum = 0;
  for (let y = Math.max(0, y0 - r); y <= Math.min(h - 1, y1 + r); y++) for (let x = Math.max(0, x0 - r); x <= Math.min(w - 1, x1 + r); x++) {
    const j = y * w + x;
    if (!valid[j] || hue[j] !== k || inside.has(j)) continue;
    ring++; ringSum += D[j] * sign;
  }
  // no such hue around to compare with: only a strong shift is an edit
  if (ring < 0.2 * count[k]) return peak < 2 * TONE_SAT_PEAK;
  return ringSum / ring >= 0.5 * (sum / pix.length);
}

/** The grid pixels (width w, height h) of 2×2 blocks `blocks` (block grid width w2). */
function blockPixels(blocks: number[], w2: number, w: number, h: number): number[] {
  const out: number[] = [];
  for (const j of blocks) {
    const x = (j % w2) * 2, y = ((j / w2) | 0) * 2;
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) if (x + dx < w && y + dy < h) out.push((y + dy) * w + x + dx);
  }
  return out;
}

/** Sum over the (2r+1)² window around each pixel (integral image; windows clipped at the border). */
function boxSum(a: Float32Array, w: number, h: number, r: number): Float32Array {
  const I = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) { row += a[y * w + x]; I[(y + 1) * (w + 1) + x + 1] = I[y * (w + 1) + x + 1] + row; }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r), x1 = Math.min(w, x + r + 1);
      out[y * w + x] = I[y1 * (w + 1) + x1] - I[y0 * (w + 1) + x1] - I[y1 * (w + 1) + x0] + I[y0 * (w + 1) + x0];
    }
  }
  return out;
}

/** 4-connected components of a binary mask, as pixel lists. */
function labelMask(m: Uint8Array, w: number, h: number): number[][] {
  const seen = new Uint8Array(m.length);
  const out: number[][] = [];
  const stack: number[] = [];
  for (let s = 0; s < m.length; s++) {
    if (!m[s] || seen[s]) continue;
    seen[s] = 1; stack.push(s);
    const px: number[] = [];
    while (stack.length) {
      const i = stack.pop()!;
      px.push(i);
      const x = i % w;
      if (x > 0 && m[i - 1] && !seen[i - 1]) { seen[i - 1] = 1; stack.push(i - 1); }
      if (x < w - 1 && m[i + 1] && !seen[i + 1]) { seen[i + 1] = 1; stack.push(i + 1); }
      if (i >= w && m[i - w] && !seen[i - w]) { seen[i - w] = 1; stack.push(i - w); }
      if (i + w < m.length && m[i + w] && !seen[i + w]) { seen[i + w] = 1; stack.push(i + w); }
    }
    out.push(px);
  }
  return out;
}

/**
 * Sample `R` (the reference at the grid's pitch; fx, fy its pixels per working-copy pixel) at each
 * grid pixel's centre mapped through T; `valid` marks the pixels that land inside it. Inlined
 * bilinear sampling: this runs for every pixel of the fine grid.
 */
function sampleThrough(R: Gray, T: Transform, fw: number, fh: number, kx: number, ky: number, fx: number, fy: number, B: Float32Array, valid: Uint8Array): void {
  const rw = R.width, rh = R.height, d = R.data;
  const proj = T.length === 9;
  const t0 = T[0], t1 = T[1], t2 = T[2], t3 = T[3], t4 = T[4], t5 = T[5];
  const t6 = proj ? T[6] : 0, t7 = proj ? T[7] : 0, t8 = proj ? T[8] : 1;
  const ifx = 1 / fx, ify = 1 / fy;
  for (let y = 0; y < fh; y++) {
    const qy = (y + 0.5) * ky - 0.5;
    for (let x = 0; x < fw; x++) {
      const qx = (x + 0.5) * kx - 0.5;
      const iw = 1 / (t6 * qx + t7 * qy + t8);
      const sx = ((t0 * qx + t1 * qy + t2) * iw + 0.5) * ifx - 0.5;
      const sy = ((t3 * qx + t4 * qy + t5) * iw + 0.5) * ify - 0.5;
      if (!(sx >= 0.5 && sy >= 0.5 && sx <= rw - 1.5 && sy <= rh - 1.5)) continue;
      const x0 = sx | 0, y0 = sy | 0, ax = sx - x0, ay = sy - y0;
      const o = y0 * rw + x0;
      const i = y * fw + x;
      valid[i] = 1;
      B[i] = (d[o] * (1 - ax) + d[o + 1] * ax) * (1 - ay) + (d[o + rw] * (1 - ax) + d[o + rw + 1] * ax) * ay;
    }
  }
}

/**
 * Colour of the reference at low resolution: U = blue − luma, V = red − luma (grey levels), with
 * the working copy's size it was made from.
 */
export interface Chroma { width: number; height: number; u: Float32Array; v: Float32Array; srcWidth: number; srcHeight: number }

/** Longest side of the chroma image (colour changes that matter here are not fine detail). */
export const CHROMA_SIDE = 384;

/** Low-resolution chroma of an RGBA image (area average). */
export function chromaOf(img: { width: number; height: number; data: Uint8Array | Uint8ClampedArray }): Chroma {
  const s = Math.min(1, CHROMA_SIDE / Math.max(img.width, img.height));
  const w = Math.max(1, Math.round(img.width * s)), h = Math.max(1, Math.round(img.height * s));
  const u = new Float32Array(w * h), v = new Float32Array(w * h), c = new Float32Array(w * h);
  const d = img.data;
  for (let y = 0; y < img.height; y++) {
    const cy = Math.min(h - 1, ((y * h) / img.height) | 0) * w;
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * 4, j = cy + Math.min(w - 1, ((x * w) / img.width) | 0);
      const l = 0.299 * d[o] + 0.587 * d[o + 1] + 0.114 * d[o + 2];
      u[j] += d[o + 2] - l; v[j] += d[o] - l; c[j]++;
    }
  }
  for (let j = 0; j < w * h; j++) if (c[j]) { u[j] /= c[j]; v[j] /= c[j]; }
  return { width: w, height: h, u, v, srcWidth: img.width, srcHeight: img.height };
}

/**
 * The reference's chroma sampled on the fine grid through T, for two uses:
 *   correct()  colour shifts move the grey level of saturated colours apart from the neutral ones
 *              (a hue turn makes a red label darker and a blue one lighter), which no grey tone
 *              curve can follow: per hue sector of saturated reference colours, the median grey
 *              offset query − mapped reference (estimated on every CHROMA_STEP-th pixel of every
 *              CHROMA_STEP-th row: a median needs no more) is added to the mapped reference,
 *              blended in with saturation; only when some sector is off by ≥ 2 grey levels is the
 *              chroma of every pixel sampled
 *   edges()    strong colour edges of the reference (re-compression blurs colour there: thin
 *              residual lines), computed only when some component could be a line
 */
const CHROMA_STEP = 2;
const CHROMA_SECTORS = 12;
const CHROMA_SAT = 18;
class ChromaGrid {
  private cu?: Float32Array;
  private cv?: Float32Array;
  private readonly sx: number;
  private readonly sy: number;
  constructor(
    private readonly C: Chroma, private readonly T: Transform, private readonly valid: Uint8Array,
    private readonly fw: number, private readonly fh: number, private readonly kx: number, private readonly ky: number,
    rw: number, rh: number,
  ) {
    this.sx = C.width / (C.srcWidth || rw);
    this.sy = C.height / (C.srcHeight || rh);
  }

  /** Bilinear chroma (cu into uv[0], cv into uv[1]) at fine-grid pixel (x, y). */
  private at(x: number, y: number, uv: Float32Array): void {
    const T = this.T, C = this.C, cw = C.width, ch = C.height;
    const qx = (x + 0.5) * this.kx - 0.5, qy = (y + 0.5) * this.ky - 0.5;
    const iw = T.length === 9 ? 1 / (T[6] * qx + T[7] * qy + T[8]) : 1;
    let cx = ((T[0] * qx + T[1] * qy + T[2]) * iw + 0.5) * this.sx - 0.5, cy = ((T[3] * qx + T[4] * qy + T[5]) * iw + 0.5) * this.sy - 0.5;
    cx = Math.max(0, Math.min(cw - 1.001, cx)); cy = Math.max(0, Math.min(ch - 1.001, cy));
    const x0 = cx | 0, y0 = cy | 0, ax = cx - x0, ay = cy - y0;
    const o = y0 * cw + x0, o1 = x0 + 1 < cw ? o + 1 : o, o2 = y0 + 1 < ch ? o + cw : o, o3 = y0 + 1 < ch ? o1 + cw : o1;
    uv[0] = (C.u[o] * (1 - ax) + C.u[o1] * ax) * (1 - ay) + (C.u[o2] * (1 - ax) + C.u[o3] * ax) * ay;
    uv[1] = (C.v[o] * (1 - ax) + C.v[o1] * ax) * (1 - ay) + (C.v[o2] * (1 - ax) + C.v[o3] * ax) * ay;
  }

  /** cu and cv of every valid pixel (once). */
  private full(): [Float32Array, Float32Array] {
    if (!this.cu || !this.cv) {
      const n = this.fw * this.fh, cu = new Float32Array(n), cv = new Float32Array(n), uv = new Float32Array(2);
      for (let y = 0, i = 0; y < this.fh; y++) for (let x = 0; x < this.fw; x++, i++) {
        if (!this.valid[i]) continue;
        this.at(x, y, uv);
        cu[i] = uv[0]; cv[i] = uv[1];
      }
      this.cu = cu; this.cv = cv;
    }
    return [this.cu, this.cv];
  }

  /** Returns how far (grey levels) the hue that moved most moved apart from the neutral greys (0: no colour shift). */
  correct(Bm: Float32Array, Q: Float32Array): number {
    const { fw, fh, valid } = this, SECT = CHROMA_SECTORS, SAT = CHROMA_SAT;
    const hist = new Uint32Array(SECT * 256), cnt = new Uint32Array(SECT), uv = new Float32Array(2);
    for (let y = 0; y < fh; y += CHROMA_STEP) for (let x = 0; x < fw; x += CHROMA_STEP) {
      const i = y * fw + x;
      if (!valid[i]) continue;
      this.at(x, y, uv);
      const k = sector(uv[0], uv[1]);
      if (k < 0) continue;
      hist[k * 256 + Math.max(0, Math.min(255, Math.round(Q[i] - Bm[i] + 128)))]++; cnt[k]++;
    }
    const off = new Float32Array(SECT);
    let any = false;
    for (let k = 0; k < SECT; k++) {
      if (cnt[k] * CHROMA_STEP * CHROMA_STEP < 60) continue;
      for (let v = 0, acc = 0; v < 256; v++) { acc += hist[k * 256 + v]; if (acc * 2 >= cnt[k]) { off[k] = v - 128; break; } }
      if (Math.abs(off[k]) >= 2) any = true;
    }
    if (!any) return 0;
    // blend the offset in with saturation (no step at the SAT threshold)
    const [cu, cv] = this.full();
    for (let i = 0; i < fw * fh; i++) {
      if (!valid[i]) continue;
      const k = sector(cu[i], cv[i]);
      if (k < 0) continue;
      const sat = Math.sqrt(cu[i] * cu[i] + cv[i] * cv[i]);
      Bm[i] += off[k] * Math.min(1, (sat - SAT) / SAT + 0.5);
    }
    let most = 0;
    for (let k = 0; k < SECT; k++) most = Math.max(most, Math.abs(off[k]));
    return most;
  }

  /** Hue sector of the reference at every valid pixel whose chroma is over TONE_MAX_SAT (else −1). */
  hues(): Int8Array {
    const [cu, cv] = this.full();
    const out = new Int8Array(cu.length).fill(-1);
    for (let i = 0; i < out.length; i++) if (this.valid[i] && cu[i] * cu[i] + cv[i] * cv[i] > TONE_MAX_SAT * TONE_MAX_SAT) out[i] = sector(cu[i], cv[i]);
    return out;
  }

  edges(): Uint8Array {
    const { fw, fh } = this, n = fw * fh;
    const [cu, cv] = this.full();
    const edge = new Uint8Array(n);
    for (let y = 1; y < fh - 1; y++) for (let x = 1; x < fw - 1; x++) {
      const i = y * fw + x;
      if (Math.abs(cu[i + 1] - cu[i - 1]) + Math.abs(cv[i + 1] - cv[i - 1]) + Math.abs(cu[i + fw] - cu[i - fw]) + Math.abs(cv[i + fw] - cv[i - fw]) > COLOUR_EDGE) edge[i] = 1;
    }
    return dilate(edge, fw, fh, 2);
  }
}

/** Hue sector (0..CHROMA_SECTORS − 1) of a saturated chroma, −1 under CHROMA_SAT. */
function sector(u: number, v: number): number {
  if (u * u + v * v < CHROMA_SAT * CHROMA_SAT) return -1;
  return Math.min(CHROMA_SECTORS - 1, Math.floor(((Math.atan2(v, u) + Math.PI) / (2 * Math.PI)) * CHROMA_SECTORS));
}

/** Reference edge: 3×3 grey range over this (grey levels)… */
export const FINE_EDGE_MIN = 24;
/** …and over this multiple of the photo's median range (textured photos have strong ranges everywhere). */
export const FINE_EDGE_RATIO = 3;
/** A line with this share of its pixels on reference edges is an edge, not a stroke… */
export const FINE_EDGE_SHARE = 0.6;
/** …unless its residual exceeds this multiple of the reference's local range (3×3) there. */
export const FINE_EDGE_REL = 1.3;
/** Chroma change (grey levels, summed central differences of U and V) that makes a colour edge. */
export const COLOUR_EDGE = 40;

function solve3(A: Float64Array, b: number[]): [number, number, number] | undefined {
  const det = (m: ArrayLike<number>) => m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  const D = det(A);
  if (Math.abs(D) < 1e-9) return undefined;
  const col = (k: number) => { const m = Float64Array.from(A); for (let r = 0; r < 3; r++) m[r * 3 + k] = b[r]; return det(m) / D; };
  return [col(0), col(1), col(2)];
}

/**
 * Evidence pixels: components of z > FINE_LOW seeded by ≥ EDIT_MIN_SEEDS pixels over FINE_HIGH that
 * are a line (long and thin) or a blob (area ≥ EDIT_MIN_BLOB).
 */
function componentsEvidence(z: Float32Array, valid: Uint8Array, w: number, h: number, colourEdge?: Uint8Array, e?: Float32Array, lo?: Float32Array, hi?: Float32Array): Uint8Array {
  const n = w * h;
  const out = new Uint8Array(n);
  const seen = new Uint8Array(n);
  const stack: number[] = [];
  const pix: number[] = [];
  let nValid = 0;
  for (let i = 0; i < n; i++) nValid += valid[i];
  // band along the border of the compared area (frame edges, the reference's own border columns)
  const band = borderBand(valid, w, h, Math.max(3, Math.round(FINE_BORDER_BAND * Math.max(w, h))));
  const minLine = EDIT_MIN_LINE * Math.max(w, h), minBlob = EDIT_MIN_BLOB * nValid;
  for (let s = 0; s < n; s++) {
    if (seen[s] || z[s] <= FINE_HIGH) continue;
    seen[s] = 1; stack.push(s); pix.length = 0;
    let x0 = w, y0 = h, x1 = 0, y1 = 0, seeds = 0, inBand = 0, onEdge = 0;
    let mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
    while (stack.length) {
      const i = stack.pop()!;
      pix.push(i);
      if (z[i] > FINE_HIGH) seeds++;
      inBand += band[i];
      if (colourEdge) onEdge += colourEdge[i];
      const x = i % w, y = (i / w) | 0;
      mx += x; my += y; mxx += x * x; myy += y * y; mxy += x * y;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (!seen[j] && z[j] > FINE_LOW) { seen[j] = 1; stack.push(j); }
        }
      }
    }
    if (seeds < EDIT_MIN_SEEDS) continue;
    let zsum = 0, esum = 0, rsum = 0;
    for (const i of pix) { zsum += z[i]; if (e && lo && hi) { esum += e[i]; rsum += hi[i] - lo[i]; } }
    const len = Math.hypot(x1 - x0 + 1, y1 - y0 + 1);
    const area = pix.length;
    // a line: long, and thin (mean width = area / length small against its length), and elongated
    // (principal axes ≥ LINE_ELONGATION apart) unless very long: a ring round a coloured dot is thin
    // but not a crack; a long branching crack need not be elongated
    const cx = mx / area, cy = my / area;
    const sxx = mxx / area - cx * cx, syy = myy / area - cy * cy, sxy = mxy / area - cx * cy;
    const tr = sxx + syy, dt = Math.sqrt(Math.max(0, (sxx - syy) ** 2 + 4 * sxy * sxy));
    const elong = (tr + dt) / Math.max(1e-6, tr - dt);
    // and a painted stroke stands out: its mean residual is well over the noise (the resampled or
    // re-compressed edges of printed shapes stay at a few noise units)
    const line = len >= minLine && area / len <= Math.max(3, len * 0.25) && (elong >= LINE_ELONGATION || len >= 2.5 * minLine) && zsum / area >= LINE_MIN_Z;
    DEBUG.log?.({ rel: Math.round(esum / Math.max(1, rsum) * 100) / 100, pix: pix.slice(), x0, y0, x1, y1, seeds, area, len: Math.round(len), meanZ: Math.round(zsum / area * 10) / 10, elong: Math.round(elong), inBand, onEdge, line, minLine: Math.round(minLine), minBlob: Math.round(minBlob), width: Math.round(area / len * 10) / 10 });
    if (!line && area < minBlob) continue;
    // a line lying along the border of the compared area is its edge, not an edit
    if (line && inBand > 0.6 * area) continue;
    // a short faint line running into the border is an edge meeting it, resampled by the decoder
    if (line && inBand > 0 && len < 4 * minLine && zsum / area < 2 * LINE_MIN_Z) continue;
    // …and one along edges of the reference is the edge resampled or re-compressed, not a crack —
    // when it is faint against the edge's own contrast (a painted stroke across texture leaves the
    // reference's range by more than that range; a resampled edge by a fraction of it)
    if (line && onEdge > FINE_EDGE_SHARE * area && esum < FINE_EDGE_REL * rsum) continue;
    for (const i of pix) out[i] = 1;
  }
  return out;
}

/**
 * One region per edit from the fine evidence and the coarse comparison's changed pixels: evidence
 * dilated by EDIT_GAP, connected groups, box of each group's evidence, in full-size query pixels.
 */
export function groupEdits(
  fine: FineMap,
  coarse: Pick<DenseResult, 'gw' | 'gh' | 'changed'> | undefined,
  queryAnalysis: { width: number; height: number },
  full: { width: number; height: number },
): EditRegion[] {
  const { fw, fh } = fine;
  const n = fw * fh;
  const ev = fine.evidence.slice();
  const zc = fine.z;
  if (coarse) {
    // coarse changed pixels onto the fine grid (soft stains and patches the fine residual splits up)
    const cx = coarse.gw / fw, cy = coarse.gh / fh;
    for (let y = 0; y < fh; y++) {
      const cr = Math.min(coarse.gh - 1, (y * cy) | 0) * coarse.gw;
      for (let x = 0; x < fw; x++) {
        const i = y * fw + x;
        if (fine.valid[i] && coarse.changed[cr + Math.min(coarse.gw - 1, (x * cx) | 0)]) ev[i] = ev[i] || 2;
      }
    }
  }
  // the band along the border of the compared area: a group lying in it only is the frame's or
  // the fill's edge resampled, not an edit
  const band = borderBand(fine.valid, fw, fh, Math.max(3, Math.round(FINE_BORDER_BAND * Math.max(fw, fh))));
  const gap = Math.max(2, Math.round(EDIT_GAP * Math.max(fw, fh)));
  const grown = dilate(ev, fw, fh, gap);
  const label = new Int32Array(n).fill(-1);
  const groups: { x0: number; y0: number; x1: number; y1: number; strength: number; px: number; fine: number; border: number; thin: number }[] = [];
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    if (!grown[s] || label[s] >= 0) continue;
    const g = { x0: fw, y0: fh, x1: -1, y1: -1, strength: 0, px: 0, fine: 0, border: 0, thin: 0 };
    const id = groups.length;
    groups.push(g);
    label[s] = id; stack.push(s);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % fw, y = (i / fw) | 0;
      if (ev[i]) {
        if (x < g.x0) g.x0 = x; if (x > g.x1) g.x1 = x; if (y < g.y0) g.y0 = y; if (y > g.y1) g.y1 = y;
        g.px++;
        g.border += band[i];
        g.strength += Math.max(1, zc[i]);
        if (ev[i] !== 2) g.fine++;
      }
      if (x > 0 && grown[i - 1] && label[i - 1] < 0) { label[i - 1] = id; stack.push(i - 1); }
      if (x < fw - 1 && grown[i + 1] && label[i + 1] < 0) { label[i + 1] = id; stack.push(i + 1); }
      if (y > 0 && grown[i - fw] && label[i - fw] < 0) { label[i - fw] = id; stack.push(i - fw); }
      if (y < fh - 1 && grown[i + fw] && label[i + fw] < 0) { label[i + fw] = id; stack.push(i + fw); }
    }
  }
  const sx = (fine.kx * full.width) / queryAnalysis.width, sy = (fine.ky * full.height) / queryAnalysis.height;
  const out: EditRegion[] = [];
  for (const g of groups) {
    // a group of coarse changes alone (no fine, texture-loss or tone evidence) is misregistration
    // or a frame's edge: the fine map sees every edit the coarse one does
    DEBUG.log?.({ group: true, x0: g.x0, y0: g.y0, x1: g.x1, y1: g.y1, px: g.px, fine: g.fine, border: g.border });
    if (g.x1 < 0 || g.border >= g.px || !g.fine) continue;
    const bw = g.x1 - g.x0 + 1, bh = g.y1 - g.y0 + 1;
    const fill = g.px / (bw * bh);
    out.push({
      box: [
        Math.max(0, Math.floor(g.x0 * sx)), Math.max(0, Math.floor(g.y0 * sy)),
        Math.min(full.width, Math.ceil((g.x1 + 1) * sx)), Math.min(full.height, Math.ceil((g.y1 + 1) * sy)),
      ],
      strength: g.strength,
      shape: fill < 0.25 && Math.max(bw, bh) > 4 * Math.sqrt(g.px / Math.max(1, Math.max(bw, bh))) ? 'line' : 'area',
    });
  }
  out.sort((a, b) => b.strength - a.strength);
  return out.slice(0, EDIT_MAX_REGIONS);
}

/** Contrast gain (≥ 1, ≤ 6) taking the 1st–99th percentile of the valid pixels to 0..255. */
function contrastGain(d: Float32Array, valid: Uint8Array): number {
  const hist = new Uint32Array(256);
  let n = 0;
  for (let i = 0; i < d.length; i++) if (valid[i]) { hist[Math.max(0, Math.min(255, d[i] | 0))]++; n++; }
  if (!n) return 1;
  let lo = 0, hi = 255;
  for (let v = 0, acc = 0; v < 256; v++) { acc += hist[v]; if (acc >= n * 0.01) { lo = v; break; } }
  for (let v = 255, acc = 0; v >= 0; v--) { acc += hist[v]; if (acc >= n * 0.01) { hi = v; break; } }
  return Math.max(1, Math.min(6, 255 / Math.max(8, hi - lo)));
}

/** Median of `e` over the valid pixels of each b×b block, bilinearly interpolated per pixel. */
function blockMedian(e: Float32Array, valid: Uint8Array, w: number, h: number, b: number): Float32Array {
  const bw = Math.ceil(w / b), bh = Math.ceil(h / b);
  const med = new Float32Array(bw * bh);
  const hist = new Uint32Array(128);
  for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) {
    hist.fill(0);
    let n = 0;
    for (let y = by * b; y < Math.min(h, (by + 1) * b); y++) for (let x = bx * b; x < Math.min(w, (bx + 1) * b); x++) {
      const i = y * w + x;
      if (!valid[i]) continue;
      hist[Math.min(127, (e[i] * 2) | 0)]++; n++;
    }
    let m = 0;
    for (let v = 0, acc = 0; v < 128 && n; v++) { acc += hist[v]; if (acc * 2 >= n) { m = v / 2; break; } }
    med[by * bw + bx] = m;
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.max(0, Math.min(bh - 1, (y + 0.5) / b - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(bh - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.max(0, Math.min(bw - 1, (x + 0.5) / b - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(bw - 1, x0 + 1), tx = fx - x0;
      out[y * w + x] = (med[y0 * bw + x0] * (1 - tx) + med[y0 * bw + x1] * tx) * (1 - ty) + (med[y1 * bw + x0] * (1 - tx) + med[y1 * bw + x1] * tx) * ty;
    }
  }
  return out;
}

/** Erode a binary mask by r pixels (square), also from the image border. */
function erode(m: Uint8Array, w: number, h: number, r: number): void {
  const inv = new Uint8Array(m.length);
  for (let i = 0; i < m.length; i++) inv[i] = m[i] ? 0 : 1;
  const grown = dilate(inv, w, h, r);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (grown[i] || x < r || y < r || x >= w - r || y >= h - r) m[i] = 0;
  }
}

/** Pixels within `b` of the compared area's border: of an invalid pixel or of the image's edge. */
function borderBand(valid: Uint8Array, w: number, h: number, b: number): Uint8Array {
  const inv = new Uint8Array(w * h);
  for (let i = 0; i < inv.length; i++) inv[i] = valid[i] ? 0 : 1;
  const band = dilate(inv, w, h, b);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x < b || y < b || x >= w - b || y >= h - b) band[y * w + x] = 1;
  return band;
}

/** Square dilation by r pixels (separable running window), of every non-zero pixel. */
export function dilate(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const tmp = new Uint8Array(m.length), out = new Uint8Array(m.length);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let last = -Infinity;
    // forward: distance to the last set pixel on the left; backward: on the right
    for (let x = 0; x < w; x++) { if (m[row + x]) last = x; if (x - last <= r) tmp[row + x] = 1; }
    last = Infinity;
    for (let x = w - 1; x >= 0; x--) { if (m[row + x]) last = x; if (last - x <= r) tmp[row + x] = 1; }
  }
  for (let x = 0; x < w; x++) {
    let last = -Infinity;
    for (let y = 0; y < h; y++) { if (tmp[y * w + x]) last = y; if (y - last <= r) out[y * w + x] = 1; }
    last = Infinity;
    for (let y = h - 1; y >= 0; y--) { if (tmp[y * w + x]) last = y; if (last - y <= r) out[y * w + x] = 1; }
  }
  return out;
}

/** 3×3 min and max of the valid pixels (invalid neighbours ignored; separable; plain comparisons, hot). */
function range3(B: Float32Array, valid: Uint8Array, w: number, h: number, lo: Float32Array, hi: Float32Array): void {
  const n = w * h;
  const tl = new Float32Array(n), th = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    let pl = Infinity, ph = -Infinity;
    let cl = valid[r] ? B[r] : Infinity, ch = valid[r] ? B[r] : -Infinity;
    for (let x = 0; x < w; x++) {
      const i = r + x;
      let nl = Infinity, nh = -Infinity;
      if (x + 1 < w && valid[i + 1]) { nl = B[i + 1]; nh = nl; }
      let mn = pl < cl ? pl : cl, mx = ph > ch ? ph : ch;
      if (nl < mn) mn = nl;
      if (nh > mx) mx = nh;
      tl[i] = mn; th[i] = mx;
      pl = cl; ph = ch; cl = nl; ch = nh;
    }
  }
  for (let i = 0; i < n; i++) {
    let mn = tl[i], mx = th[i];
    if (i >= w) { const a = tl[i - w], b = th[i - w]; if (a < mn) mn = a; if (b > mx) mx = b; }
    if (i + w < n) { const a = tl[i + w], b = th[i + w]; if (a < mn) mn = a; if (b > mx) mx = b; }
    lo[i] = mn; hi[i] = mx;
  }
}

/**
 * Monotone tone curve reference grey → query grey: conditional medians over TONE_BINS bins of the
 * reference's range, a 3-tap median, pool-adjacent-violators, gaps interpolated.
 */
const TONE_BINS = 48;
function toneCurve(B: Float32Array, Q: Float32Array, valid: Uint8Array): (v: number) => number {
  let bMin = Infinity, bMax = -Infinity;
  for (let i = 0; i < B.length; i++) if (valid[i]) { if (B[i] < bMin) bMin = B[i]; if (B[i] > bMax) bMax = B[i]; }
  if (!(bMax > bMin)) { bMin = 0; bMax = 256; }
  const bs = TONE_BINS / (bMax - bMin + 1e-3);
  const hist = new Uint32Array(TONE_BINS * 256), cnt = new Uint32Array(TONE_BINS);
  for (let i = 0; i < B.length; i++) {
    if (!valid[i]) continue;
    const b = Math.min(TONE_BINS - 1, ((B[i] - bMin) * bs) | 0);
    hist[b * 256 + Math.max(0, Math.min(255, Q[i] | 0))]++; cnt[b]++;
  }
  const c = new Float64Array(TONE_BINS).fill(NaN);
  for (let b = 0; b < TONE_BINS; b++) {
    if (cnt[b] < 8) continue;
    for (let a = 0, acc = 0; a < 256; a++) { acc += hist[b * 256 + a]; if (acc * 2 >= cnt[b]) { c[b] = a + 0.5; break; } }
  }
  const known: number[] = [];
  for (let b = 0; b < TONE_BINS; b++) if (!Number.isNaN(c[b])) known.push(b);
  if (!known.length) return (v) => v;
  const med = known.map((k, j) => {
    if (j === 0 || j === known.length - 1) return c[k];
    const a = c[known[j - 1]], m = c[k], d = c[known[j + 1]];
    return Math.max(Math.min(a, m), Math.min(Math.max(a, m), d));
  });
  const val: number[] = [], wt: number[] = [], len: number[] = [];
  for (let j = 0; j < known.length; j++) {
    val.push(med[j]); wt.push(cnt[known[j]]); len.push(1);
    while (val.length > 1 && val[val.length - 2] > val[val.length - 1]) {
      const v2 = val.pop()!, w2 = wt.pop()!, l2 = len.pop()!;
      const k = val.length - 1;
      val[k] = (val[k] * wt[k] + v2 * w2) / (wt[k] + w2); wt[k] += w2; len[k] += l2;
    }
  }
  let at = 0;
  for (let b = 0; b < val.length; b++) for (let l = 0; l < len[b]; l++) c[known[at++]] = val[b];
  const step = 1 / bs;
  for (let i = 0, k = 0; i < TONE_BINS; i++) {
    if (known[k] === i) { k++; continue; }
    const loK = k > 0 ? known[k - 1] : -1, hiK = k < known.length ? known[k] : -1;
    c[i] = loK < 0 ? c[hiK] + (i - hiK) * step : hiK < 0 ? c[loK] + (i - loK) * step : c[loK] + ((c[hiK] - c[loK]) * (i - loK)) / (hiK - loK);
  }
  const lut = new Float32Array(1024);
  for (let v = 0; v < 1024; v++) {
    const t = (v / 4 - bMin) * bs - 0.5;
    const i = Math.max(0, Math.min(TONE_BINS - 2, Math.floor(t)));
    const wgt = Math.max(-0.5, Math.min(1.5, t - i));
    lut[v] = c[i] * (1 - wgt) + c[i + 1] * wgt;
  }
  return (v) => lut[Math.max(0, Math.min(1023, (v * 4) | 0))];
}

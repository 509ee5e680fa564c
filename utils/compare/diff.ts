/**
 * Dense comparison of a query with a reference once the geometry is known.
 *
 *   step 1  GRID      the query is resampled to a grid whose longest side is DIFF_GRID_SIDE; the
 *                     reference is area-filtered to the same pixel pitch and sampled through T
 *   step 2  TONE      a monotone tone curve reference→query is fitted from the conditional
 *                     median of query grey per reference grey bin (32 bins over the reference's
 *                     range in the overlap; absorbs brightness, contrast, gamma, white balance and
 *                     saturation shifts; robust to ≤ 50 % outliers per bin, and to a bin taken
 *                     over by an edit: median of neighbouring bins, then isotonic regression)
 *   step 2b CONTRAST  both sides stretched by one gain (≤ DIFF_MAX_GAIN) and clipped to 0..255: the
 *                     query's own 1st–99th percentile range over the compared area — or, where the
 *                     reference there is low-contrast (a dark photo), up to the range the tone-mapped
 *                     reference predicts, so a bright sticker, tear or screenshot frame cannot set it.
 *                     When even DIFF_MAX_GAIN is too little, the result is flagged lowContrast.
 *   step 3  RESIDUAL  |query − curve(reference)|, minimised over a 3×3 neighbourhood of the
 *                     reference sample (absorbs sub-pixel misregistration and resampling); its 75th
 *                     percentile over the compared area judges texture-less pictures
 *   step 4  AGREEMENT share of textured grid pixels whose residual ≤ DIFF_AGREE, overall and per
 *                     cell of a DIFF_CELLS² partition of the query; a re-saved copy
 *                     agrees almost everywhere, a new photograph of the same object (other light,
 *                     other background, parallax) does not. This is the derived/not-derived test.
 *   step 5  REGIONS   residual > DIFF_CHANGED, opened, connected components with area
 *                     ≥ DIFF_MIN_REGION of the compared area become the changed regions.
 */
import { blurGray, resizeGrayShared, sampleBilinear, type Gray } from '../hash/gray';
import { transformScale, type Transform } from './geometry';

export const DIFF_GRID_SIDE = 384;
/** Residual (grey levels) under which a textured pixel agrees with the reference. */
export const DIFF_AGREE = 18;
/** Residual (grey levels) over which a pixel counts as changed. */
export const DIFF_CHANGED = 30;
/** Local gradient (grey levels per grid pixel) for a pixel to count as textured. */
export const DIFF_TEXTURE = 6;
/** Residual (grey levels) over which a pixel may belong to a changed region grown from seeds. */
export const DIFF_LOW = 16;
/** Seeds (pixels over DIFF_CHANGED) a region needs. */
export const DIFF_SEEDS = 3;
/** Changed regions a doctored copy may explain its differences with (edits, stickers, text). */
export const DIFF_EXPLAIN_REGIONS = 3;
/** Cells per side for the spatial agreement test. */
export const DIFF_CELLS = 6;
/** A cell agrees when this share of its textured pixels agree. */
export const DIFF_CELL_AGREE = 0.4;
/** Smallest region, as a share of the compared area. */
export const DIFF_MIN_REGION = 0.002;

export interface DenseResult {
  gw: number;
  gh: number;
  /** Grid pixel → query analysis pixels. */
  kx: number;
  ky: number;
  valid: Uint8Array;
  residual: Float32Array;
  changed: Uint8Array;
  /** Share of the query (grid) inside the reference after mapping. */
  overlapQuery: number;
  /** Share of the reference covered by the query. */
  overlapRef: number;
  /** Textured pixels compared and the share of them that agree. */
  textured: number;
  agreement: number;
  /**
   * Share of textured cells (DIFF_CELLS × DIFF_CELLS over the query) whose pixels mostly agree: a
   * copy agrees all over, a re-shoot of the same product only where the product is.
   */
  cellAgreement: number;
  /** Share of the compared area inside the bounding boxes of the changed regions (compactness of the change). */
  regionBoxShare: number;
  /** Agreement of textured pixels outside the few largest changed regions. */
  agreementOutside: number;
  cellsTextured: number;
  /** Share of all compared pixels that agree (used for texture-less pictures). */
  agreementAll: number;
  /**
   * 75th percentile of the residual over the whole compared area (grey levels): texture-less
   * pictures, where a copy matches to the noise away from its edits (≤ 25 % of the area).
   */
  residualP75: number;
  /**
   * The compared area's contrast needed more than DIFF_MAX_GAIN (a dark or hazy photo: 1st–99th
   * percentile range under 255 / DIFF_MAX_GAIN grey levels): its agreement is weak evidence, the
   * thresholds being wide against its detail and JPEG noise counting as texture.
   */
  lowContrast: boolean;
  /** Share of valid pixels changed (after opening). */
  changedShare: number;
  /** Pixels of each region (same order). */
  regionAreas: number[];
  /** Changed regions in grid coordinates [x0,y0,x1,y1), largest first. */
  regions: [number, number, number, number][];
}

export function compareDense(query: Gray, ref: Gray, T: Transform): DenseResult {
  const s = Math.min(1, DIFF_GRID_SIDE / Math.max(query.width, query.height));
  const gw = Math.max(8, Math.round(query.width * s)), gh = Math.max(8, Math.round(query.height * s));
  const kx = query.width / gw, ky = query.height / gh;
  const Qraw = resizeGrayShared(query, gw, gh);
  // reference pixels per grid pixel
  const scale = transformScale(T, query.width / 2, query.height / 2) * Math.sqrt(kx * ky);
  const f = Math.max(1, scale);
  const Rs = f > 1.05 ? resizeGrayShared(ref, ref.width / f, ref.height / f) : ref;
  const fx = ref.width / Rs.width, fy = ref.height / Rs.height;
  const n = gw * gh;
  const valid = new Uint8Array(n);
  const B = new Float32Array(n);
  let nValid = 0;
  const [t0, t1, t2, t3, t4, t5] = T;
  const t6 = T.length === 9 ? T[6] : 0, t7 = T.length === 9 ? T[7] : 0, t8 = T.length === 9 ? T[8] : 1;
  for (let y = 0; y < gh; y++) {
    const qy = (y + 0.5) * ky - 0.5;
    for (let x = 0; x < gw; x++) {
      const qx = (x + 0.5) * kx - 0.5;
      const iw = 1 / (t6 * qx + t7 * qy + t8); // applyTransform, inlined
      const rx = (t0 * qx + t1 * qy + t2) * iw, ry = (t3 * qx + t4 * qy + t5) * iw;
      const sx = (rx + 0.5) / fx - 0.5, sy = (ry + 0.5) / fy - 0.5;
      if (sx < 0.5 || sy < 0.5 || sx > Rs.width - 1.5 || sy > Rs.height - 1.5) continue;
      const i = y * gw + x;
      valid[i] = 1; nValid++;
      B[i] = sampleBilinear(Rs, sx, sy);
    }
  }
  // erode the valid mask by one pixel: borders of the overlap resample badly
  const v2 = valid.slice();
  for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) {
    const i = y * gw + x;
    if (!valid[i]) continue;
    if (x === 0 || y === 0 || x === gw - 1 || y === gh - 1 || !valid[i - 1] || !valid[i + 1] || !valid[i - gw] || !valid[i + gw]) v2[i] = 0;
  }
  valid.set(v2);
  nValid = 0;
  for (let i = 0; i < n; i++) nValid += valid[i];
  // contrast gains over the compared area: the query's own, the reference's own
  const [lo, gainOwn] = stretchRange(Qraw.data, valid, Infinity);
  const gainRef = stretchRange(B, valid, Infinity)[1];

  // step 2: tone curve via conditional medians (32 bins spanning the reference's grey range over
  // the compared area, so a dark reference in grey 0..12 still gets 32 bins; query grey in 1-level steps)
  const BINS = 32, SUB = 256;
  let bMin = Infinity, bMax = -Infinity;
  for (let i = 0; i < n; i++) if (valid[i]) { if (B[i] < bMin) bMin = B[i]; if (B[i] > bMax) bMax = B[i]; }
  if (!(bMax > bMin)) { bMin = 0; bMax = 256; }
  const bScale = BINS / (bMax - bMin + 1e-3);
  const hist = new Uint32Array(BINS * SUB);
  const cnt = new Uint32Array(BINS);
  for (let i = 0; i < n; i++) {
    if (!valid[i]) continue;
    const b = Math.min(BINS - 1, Math.max(0, ((B[i] - bMin) * bScale) | 0));
    const a = Math.min(SUB - 1, Math.max(0, (Qraw.data[i] / 256 * SUB) | 0));
    hist[b * SUB + a]++; cnt[b]++;
  }
  const curve = new Float32Array(BINS).fill(NaN);
  for (let b = 0; b < BINS; b++) {
    if (cnt[b] < 8) continue;
    let acc = 0;
    for (let a = 0; a < SUB; a++) {
      acc += hist[b * SUB + a];
      if (acc * 2 >= cnt[b]) { curve[b] = (a + 0.5) * (256 / SUB); break; }
    }
  }
  fillCurve(curve, 1 / bScale, cnt);
  const lut = (v: number) => {
    const t = (v - bMin) * bScale - 0.5;
    // linear between bin centres, and on along the end segments for the outer half bins
    const i = Math.max(0, Math.min(BINS - 2, Math.floor(t)));
    const w = Math.max(-0.5, Math.min(1.5, t - i));
    return curve[i] * (1 - w) + curve[i + 1] * w;
  };
  const Bm = new Float32Array(n);
  for (let i = 0; i < n; i++) if (valid[i]) Bm[i] = lut(B[i]);
  // contrast: the query is stretched by its own range over the compared area (1st–99th
  // percentile, gain ≤ DIFF_MAX_GAIN) — or, where the reference itself is low-contrast there (a dark
  // photo), up to the range the tone-mapped reference predicts: a bright sticker, tear or screenshot
  // frame must not set the gain that decides whether a dark photo's detail agrees. Both sides get
  // the same stretch and the same clipping to 0..255 (the curve was fitted before, on the
  // unstretched query), so the clipped 1 % tails of a clean copy agree.
  const wanted = Math.max(gainOwn, Math.min(stretchRange(Bm, valid, Infinity)[1], gainRef));
  const gain = Math.min(DIFF_MAX_GAIN, wanted);
  const Q = { width: gw, height: gh, data: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    Q.data[i] = Math.max(0, Math.min(255, (Qraw.data[i] - lo) * gain));
    if (valid[i]) Bm[i] = Math.max(0, Math.min(255, (Bm[i] - lo) * gain));
  }

  // step 3: residual, min over 3×3 of the mapped reference
  const residual = new Float32Array(n);
  const Qd = Q.data;
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const i = y * gw + x;
      if (!valid[i]) continue;
      let best = Math.abs(Qd[i] - Bm[i]);
      for (let dy = -1; dy <= 1 && best > 0; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= gh) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, j = yy * gw + xx;
          if (xx < 0 || xx >= gw || !valid[j]) continue;
          const r = Math.abs(Qd[i] - Bm[j]);
          if (r < best) best = r;
        }
      }
      residual[i] = best;
    }
  }
  // smooth a little so JPEG block noise does not fire alone
  const rs = blurGray({ width: gw, height: gh, data: residual }, 1).data;

  // residual level over the whole overlap (texture-less pictures: a copy matches to the noise)
  const rh = new Uint32Array(256);
  for (let i = 0; i < n; i++) if (valid[i]) rh[Math.min(255, rs[i] | 0)]++;
  let residualP75 = 255;
  for (let v = 0, acc = 0; v < 256; v++) { acc += rh[v]; if (acc >= 0.75 * nValid) { residualP75 = v; break; } }
  // step 4: agreement on textured pixels (texture of either image)
  let textured = 0, agree = 0, agreeAll = 0;
  const CELLS = DIFF_CELLS;
  const cellT = new Uint32Array(CELLS * CELLS), cellA = new Uint32Array(CELLS * CELLS);
  const tex = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (valid[i] && rs[i] <= DIFF_AGREE) agreeAll++;
  for (let y = 1; y < gh - 1; y++) {
    for (let x = 1; x < gw - 1; x++) {
      const i = y * gw + x;
      if (!valid[i]) continue;
      const ga = Math.max(Math.abs(Qd[i + 1] - Qd[i - 1]), Math.abs(Qd[i + gw] - Qd[i - gw])) * 0.5;
      const gb = valid[i - 1] && valid[i + 1] && valid[i - gw] && valid[i + gw]
        ? Math.max(Math.abs(Bm[i + 1] - Bm[i - 1]), Math.abs(Bm[i + gw] - Bm[i - gw])) * 0.5 : 0;
      if (Math.max(ga, gb) < DIFF_TEXTURE) continue;
      textured++;
      tex[i] = rs[i] <= DIFF_AGREE ? 2 : 1;
      const c = Math.min(CELLS - 1, ((y * CELLS) / gh) | 0) * CELLS + Math.min(CELLS - 1, ((x * CELLS) / gw) | 0);
      cellT[c]++;
      if (rs[i] <= DIFF_AGREE) { agree++; cellA[c]++; }
    }
  }

  let cellsTextured = 0, cellsAgree = 0;
  const minCell = Math.max(12, textured / (CELLS * CELLS) / 4);
  for (let c = 0; c < CELLS * CELLS; c++) {
    if (cellT[c] < minCell) continue;
    cellsTextured++;
    if (cellA[c] >= DIFF_CELL_AGREE * cellT[c]) cellsAgree++;
  }

  // step 5: hysteresis — components of (residual > DIFF_LOW) holding ≥ DIFF_SEEDS pixels over DIFF_CHANGED
  const low = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (valid[i] && rs[i] > DIFF_LOW) low[i] = 1;
  const minArea = Math.max(4, DIFF_MIN_REGION * nValid);
  const comps = labelComponents(low, gw, gh);
  const keep = new Uint8Array(n);
  const regions: [number, number, number, number][] = [];
  const areas: number[] = [];
  for (const c of comps) {
    let seeds = 0;
    for (const i of c.pixels) if (rs[i] > DIFF_CHANGED) seeds++;
    if (seeds < DIFF_SEEDS || c.pixels.length < minArea) continue;
    for (const i of c.pixels) keep[i] = 1;
    regions.push(c.box); areas.push(c.pixels.length);
  }
  const order = regions.map((_, i) => i).sort((a, b) => areas[b] - areas[a]);
  let nChanged = 0;
  for (let i = 0; i < n; i++) nChanged += keep[i];

  // agreement outside the DIFF_EXPLAIN_REGIONS largest changed regions (their boxes, padded):
  // a doctored copy differs in a few compact places, a re-shoot differs all over
  const outside = tex.slice();
  for (const k of order.slice(0, DIFF_EXPLAIN_REGIONS)) {
    const [x0, y0, x1, y1] = regions[k];
    const pad = 2;
    for (let y = Math.max(0, y0 - pad); y < Math.min(gh, y1 + pad); y++) outside.fill(0, y * gw + Math.max(0, x0 - pad), y * gw + Math.min(gw, x1 + pad));
  }
  const boxed = new Uint8Array(n);
  for (const [x0, y0, x1, y1] of regions) for (let y = y0; y < y1; y++) boxed.fill(1, y * gw + x0, y * gw + x1);
  let nBoxed = 0;
  for (let i = 0; i < n; i++) if (boxed[i] && valid[i]) nBoxed++;
  let outT = 0, outA = 0;
  for (let i = 0; i < n; i++) { if (outside[i]) { outT++; if (outside[i] === 2) outA++; } }

  // overlap of the reference: map the reference corners back is costly; estimate by area ratio
  const det = transformScale(T, query.width / 2, query.height / 2) ** 2;
  const overlapRef = Math.min(1, (nValid * kx * ky * det) / (ref.width * ref.height));
  return {
    gw, gh, kx, ky, valid, residual: rs, changed: keep,
    overlapQuery: nValid / n, overlapRef,
    textured, agreement: textured ? agree / textured : 0,
    agreementAll: nValid ? agreeAll / nValid : 0,
    cellAgreement: cellsTextured ? cellsAgree / cellsTextured : 0,
    agreementOutside: outT ? outA / outT : 0,
    regionBoxShare: nValid ? nBoxed / nValid : 0,
    cellsTextured,
    changedShare: nValid ? nChanged / nValid : 0,
    residualP75,
    lowContrast: wanted > DIFF_MAX_GAIN,
    regions: order.map((i) => regions[i]),
    regionAreas: order.map((i) => areas[i]),
  };
}

/** Maximum contrast gain applied to the query grid (dark or hazy photos). */
export const DIFF_MAX_GAIN = 6;
/**
 * Stretch the 1st–99th percentile (of the `mask`ed pixels) to 0..255 so thresholds are relative to
 * the photo's contrast.
 */
function stretchGray(g: Gray, mask: Uint8Array, maxGain: number): Gray {
  const [lo, gain] = stretchRange(g.data, mask, maxGain);
  if (gain <= 1.05) return g;
  const n = g.data.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.min(255, (g.data[i] - lo) * gain));
  return { width: g.width, height: g.height, data: out };
}

/** 1st percentile and the gain (≤ maxGain, ≥ 1) taking the 1st–99th percentile of the masked pixels to 0..255. */
function stretchRange(d: Float32Array, mask: Uint8Array, maxGain: number): [number, number] {
  const hist = new Uint32Array(1024);
  let n = 0;
  for (let i = 0; i < d.length; i++) if (mask[i]) { hist[Math.max(0, Math.min(1023, (d[i] * 4) | 0))]++; n++; }
  if (!n) return [0, 1];
  let acc = 0, lo = 0, hi = 1023;
  for (let v = 0; v < 1024; v++) { acc += hist[v]; if (acc >= n * 0.01) { lo = v; break; } }
  acc = 0;
  for (let v = 1023; v >= 0; v--) { acc += hist[v]; if (acc >= n * 0.01) { hi = v; break; } }
  const gain = Math.max(1, Math.min(maxGain, 1020 / Math.max(4, hi - lo)));
  return gain <= 1.05 ? [0, 1] : [lo / 4, gain];
}

/**
 * Make the curve monotone: a 3-tap median over neighbouring bins, then weighted isotonic regression
 * (pool adjacent violators, weights = the bins' pixel counts), so a bin taken over by a sticker
 * cannot lift every brighter bin as a running maximum would; then fill bins
 * without data by interpolation (identity slope `step` grey levels per bin beyond the ends).
 */
function fillCurve(c: Float32Array, step: number, weight: Uint32Array): void {
  const n = c.length;
  const known: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(c[i])) known.push(i);
  if (!known.length) { for (let i = 0; i < n; i++) c[i] = (i + 0.5) * step; return; }
  // a 3-tap median over neighbouring known bins first: one bin taken over by an edit drops out
  const med = known.map((k, j) => {
    if (j === 0 || j === known.length - 1) return c[k];
    const a = c[known[j - 1]], b = c[k], d = c[known[j + 1]];
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), d));
  });
  // pool adjacent violators over the known bins
  const val: number[] = [], wt: number[] = [], len: number[] = [];
  for (let j = 0; j < known.length; j++) {
    val.push(med[j]); wt.push(weight[known[j]]); len.push(1);
    while (val.length > 1 && val[val.length - 2] > val[val.length - 1]) {
      const v2 = val.pop()!, w2 = wt.pop()!, l2 = len.pop()!;
      const j = val.length - 1;
      val[j] = (val[j] * wt[j] + v2 * w2) / (wt[j] + w2); wt[j] += w2; len[j] += l2;
    }
  }
  let at = 0;
  for (let b = 0; b < val.length; b++) for (let l = 0; l < len[b]; l++) c[known[at++]] = val[b];
  for (let i = 0; i < n; i++) {
    if (known.includes(i)) continue;
    let lo = -1, hi = -1;
    for (const k of known) { if (k < i) lo = k; else if (hi < 0) hi = k; }
    if (lo < 0) c[i] = c[hi] + (i - hi) * step;
    else if (hi < 0) c[i] = c[lo] + (i - lo) * step;
    else c[i] = c[lo] + ((c[hi] - c[lo]) * (i - lo)) / (hi - lo);
  }
}

interface Component { pixels: number[]; box: [number, number, number, number] }

/** 8-connected components of a binary mask. */
export function labelComponents(m: Uint8Array, w: number, h: number): Component[] {
  const label = new Uint8Array(m.length);
  const out: Component[] = [];
  const stack: number[] = [];
  for (let s = 0; s < m.length; s++) {
    if (!m[s] || label[s]) continue;
    label[s] = 1;
    stack.push(s);
    const pixels: number[] = [];
    let x0 = w, y0 = h, x1 = 0, y1 = 0;
    while (stack.length) {
      const i = stack.pop()!;
      pixels.push(i);
      const x = i % w, y = (i / w) | 0;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const j = yy * w + xx;
        if (m[j] && !label[j]) { label[j] = 1; stack.push(j); }
      }
    }
    out.push({ pixels, box: [x0, y0, x1 + 1, y1 + 1] });
  }
  return out;
}

/**
 * Cover a mask with at most `maxBoxes` boxes: square tiles of the smallest size that fits the
 * budget, merged along rows. Thin shapes (a painted crack) stay thin instead of becoming one big box.
 */
export function maskToBoxes(m: Uint8Array, w: number, h: number, maxBoxes = 48): [number, number, number, number][] {
  for (let t = 2; ; t *= 2) {
    const boxes: [number, number, number, number][] = [];
    for (let ty = 0; ty < h; ty += t) {
      let run = -1;
      for (let tx = 0; tx <= w; tx += t) {
        let on = false;
        if (tx < w) {
          for (let y = ty; y < Math.min(h, ty + t) && !on; y++) for (let x = tx; x < Math.min(w, tx + t); x++) if (m[y * w + x]) { on = true; break; }
        }
        if (on && run < 0) run = tx;
        if (!on && run >= 0) { boxes.push([run, ty, Math.min(w, tx), Math.min(h, ty + t)]); run = -1; }
      }
    }
    // merge vertically identical spans
    const merged: [number, number, number, number][] = [];
    for (const b of boxes) {
      const prev = merged.find((p) => p[0] === b[0] && p[2] === b[2] && p[3] === b[1]);
      if (prev) prev[3] = b[3]; else merged.push([...b]);
    }
    if (merged.length <= maxBoxes || t >= Math.max(w, h)) return merged;
  }
}

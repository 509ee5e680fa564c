/**
 * Find the reference a buyer photo is derived from, then show where it was changed.
 *
 *   stage 1  LOOKUP    (a) global hashes of the query (+ quarter turns); a neighbour within
 *                      GLOBAL_SURE_DISTANCE is aligned by its content box and accepted when the dense
 *                      comparison agrees ≥ MATCH_FAST_AGREEMENT — no keypoints needed;
 *                      (b) otherwise keypoints too, and up to MATCH_MAX_VERIFY candidates from the index
 *                      (global neighbours, keypoint votes) go through stages 2–3
 *   stage 2  ALIGN     per candidate: keypoint matching (plain and mirror descriptors) and a RANSAC
 *                      similarity (geometry.ts); when keypoints are too few (tiny images) and the
 *                      global hash is close (≤ GLOBAL_SURE_DISTANCE), the trimmed content boxes of
 *                      the closest orientation variant give the transform instead; a texture-less
 *                      reference (< FLAT_MAX_KEYPOINTS keypoints) that neither aligned is registered
 *                      densely (geometry.ts registerDense: orientation, scale and shift by grey
 *                      residual), accepted as an alignment when its error ≤ FLAT_MAX_REG_ERROR
 *   stage 3  VERIFY    dense comparison through the transform (diff.ts): derived only when the
 *                      query agrees with the reference on ≥ MATCH_MIN_AGREEMENT of the textured
 *                      overlap, the overlap is large enough and enough inliers support the geometry.
 *                      A new photo of the same product aligns on its printed label but disagrees
 *                      on light, background and parallax, so it fails here. Texture-less
 *                      references and low-contrast (dark) photos have their own rules (passes()).
 *   stage 4  LOCALISE  changed regions of the dense comparison, scaled to full-size query pixels,
 *                      and a heat-map PNG aligned to the analysis-size query. `edited` only when a
 *                      region is large enough and clearly different (not re-compression).
 */
import type { Box, Localisation, MatchResult, RGBAImage } from '../types';
import { fingerprintWithFeatures, MIN_QUALITY, type FingerprintWork } from '../hash/fingerprint';
import type { Candidate, ReferenceIndex } from '../hash/index';
import { extractFeatures, matchDescriptors, type Features } from '../hash/features';
import { toGray, type Gray } from '../hash/gray';
import { applyTransform, composeAffine, fitHomography, fitSimilarity, registerDense, type Affine, type DenseFit, type HomographyFit, type SimilarityFit, type Transform } from './geometry';
import { compareDense, type DenseResult } from './diff';
import { chromaOf, compareFine, groupEdits, type Chroma } from './localise';
import { refineHomography } from './refine';
import { encodePng } from './png';
import { LruMap } from '../lru';

export interface MatchDeps {
  index: ReferenceIndex;
  /** Working copy pixels of a reference (for alignment and the difference map). */
  loadReference: (id: string) => Promise<RGBAImage | undefined>;
  /** Optional diagnostics (eval, tests): called with each verification attempt. */
  trace?: (event: string, data: Record<string, unknown>) => void;
}

export interface MatchOutcome {
  match?: MatchResult;
  localisation?: Localisation;
}

/** Kept for callers of v1: distance at or under which a plain global blockhash counts as the same picture. */
export const GLOBAL_MATCH_DISTANCE = 40;
/** Global distance under which the hash alone may supply the alignment (tiny/featureless images). */
export const GLOBAL_SURE_DISTANCE = 28;
/** Candidates verified per query. */
export const MATCH_MAX_VERIFY = 3;
/** RANSAC inliers needed to trust a keypoint alignment. */
export const MATCH_MIN_INLIERS = 8;
/** Fast path (global hash alignment, no keypoints): agreement needed to stop there. */
export const MATCH_FAST_AGREEMENT = 0.8;
/** Share of textured overlap pixels agreeing with the reference that decides alone. */
export const MATCH_SURE_AGREEMENT = 0.62;
/** Least agreement, accepted only with exact geometry (see passes()). */
export const MATCH_MIN_AGREEMENT = 0.4;
/** Exact geometry: inliers and RMS reprojection error as a share of the reference's longest side. */
export const MATCH_TIGHT_INLIERS = 20;
export const MATCH_TIGHT_RMS = 0.0028;
/**
 * Scale-free RMS reprojection error (SimilarityFit.nrms, in units of each keypoint's pyramid pixel):
 * measured ≤ 1.42 on every true copy (real and generated sets), ≥ 1.39 on re-shoots that agree
 * ≥ 0.4, ~2.1 expected for errors spread over the whole RANSAC tolerance.
 */
export const MATCH_MAX_NRMS = 1.5;
export const MATCH_TIGHT_NRMS = 1.1;
/** A homography is tried when it keeps this share of the similarity's inliers at a lower nrms. */
export const PERSPECTIVE_MIN_SHARE = 0.8;
/**
 * Perspective rule (passesPerspective), measured on generated perspective copies (real photos and
 * rendered scenes, JPEG q35–95, with and without edits) against re-shoots of rendered flat scenes
 * (camera offset, tilt, skew, other light, parallax of the room), which a homography also aligns:
 * copies agree ≥ 0.8 over ≥ 0.79 of the cells with a residual 75th percentile ≤ 6 (≤ 4 in most);
 * re-shoots agree 0.68–0.88 with a 75th percentile of 4–10 and fewer agreeing cells.
 */
export const PERSPECTIVE_MIN_AGREEMENT = 0.8;
export const PERSPECTIVE_MIN_CELLS = 0.78;
export const PERSPECTIVE_MAX_P75 = 3;
/**
 * A keypoint fit resting on fewer inliers than this is weak evidence of geometry: it then needs the
 * fast-path agreement (MATCH_FAST_AGREEMENT), not just MATCH_SURE_AGREEMENT. Found on look-alike
 * product scenes (same table, backdrop and box layout): 8 chance inliers aligned an unrelated
 * scene whose flat areas agreed 0.70 after tone correction.
 */
export const MATCH_WEAK_INLIERS = 12;
/**
 * A reference with fewer keypoints than this (counted in its fingerprint, which keeps up to
 * FP_KEYPOINTS = 48) is texture-less: keypoints cannot align it (MATCH_MIN_INLIERS needs several
 * times more), its few textured pixels are too few to judge by, so it is aligned by the global hash
 * or by dense registration (geometry.ts) and judged by the flat rule of passes(). Smooth gradients,
 * backdrops and defocused shots have 0–5 keypoints; every photo with detail in the real and
 * generated sets has ≥ 150.
 */
export const FLAT_MAX_KEYPOINTS = 40;
/**
 * Flat rule: 75th percentile of the residual over the whole compared area (grey levels of the
 * stretched query). A copy of a smooth picture matches it to the JPEG noise (measured 0–4 on
 * generated gradients at quality 30–95 and on the real one, 7 after a colour shift), away from a
 * local edit (≤ 25 % of it); another smooth photo or a look-alike backdrop through its best
 * similarity leaves ≥ 10 on the generated set — but 6–7 for the unit tests' closest look-alikes,
 * which FLAT_MAX_REG_ERROR stops: this rule alone is not enough.
 */
export const FLAT_MAX_RESIDUAL = 8;
/**
 * Dense registration (geometry.ts registerDense) error at or under which its alignment is tried:
 * the mean truncated grey residual, as a share of the truncation. A copy of a smooth picture fits
 * to the noise plus its edits' area (measured 0.02–0.15 on generated gradients and the real
 * texture-less photo, stains of up to 14 % of the area included; 0.32–0.46 after a hue shift, which
 * is then not recognised); a look-alike backdrop or another smooth photo fits no better than 0.33.
 */
export const FLAT_MAX_REG_ERROR = 0.25;
/**
 * Flat rule: the query must cover this share of the reference. A small part of a smooth picture
 * holds too little structure to tell it from another smooth picture (a crop keeps ≥ 60 %).
 */
export const FLAT_MIN_OVERLAP_REF = 0.5;
/** Texture-less pictures: share of all compared pixels that must agree. */
export const MATCH_MIN_AGREEMENT_FLAT = 0.85;
/** Textured grid pixels needed for the agreement to mean anything. */
export const MATCH_MIN_TEXTURED = 150;
/** The query must cover this share of the reference (crop keeps ≥ 60 % of the area)… */
export const MATCH_MIN_OVERLAP_REF = 0.3;
/** …and the reference this share of the query (screenshots add frames around it). */
export const MATCH_MIN_OVERLAP_QUERY = 0.08;
/** Most boxes reported for the changed pixels (thin edits are covered by small boxes). */
export const LOCALISATION_MAX_BOXES = 48;
/** A local alteration: changed share of the compared area at least this… */
export const EDIT_MIN_SHARE = 0.004;
/** …with a largest region of at least this share of the compared area. */
export const EDIT_MIN_REGION = 0.003;

interface RefWork { gray: Gray; features?: Features; chroma: Chroma }

/** Small LRU of reference features (a library page often checks several photos in a row). */
const refCache = new LruMap<string, RefWork>(8);

async function refWork(id: string, deps: MatchDeps, withFeatures: boolean): Promise<RefWork | undefined> {
  const hit = refCache.get(id);
  if (hit) {
    if (withFeatures && !hit.features) hit.features = extractFeatures(hit.gray);
    return hit;
  }
  const img = await deps.loadReference(id);
  if (!img) return undefined;
  const gray = toGray(img);
  const w: RefWork = { gray, features: withFeatures ? extractFeatures(gray) : undefined, chroma: chromaOf(img) };
  refCache.set(id, w);
  return w;
}

/** Forget cached reference features (call when a reference is replaced). */
export function clearMatchCache(): void {
  refCache.clear();
}

/** Forget one reference's cached features (the warm-up's own synthetic one). */
export function forgetMatchReference(id: string): void {
  refCache.delete(id);
}

interface Verified {
  cand: Candidate;
  T: Transform;
  fit?: SimilarityFit;
  dense: DenseResult;
  method: string;
  variant: string;
  /** Texture-less reference (see isFlat). */
  flat: boolean;
  /** The reference's working-copy grey and colour (for the fine change map). */
  refGray: Gray;
  refChroma: Chroma;
  /** The query's analysis-size grey it was compared with. */
  qGray: Gray;
}

/** Transform from the global variant: trimmed query box (after the variant's turn) → trimmed ref box. */
function variantTransform(q: FingerprintWork, cand: Candidate, ref: Gray): Affine | undefined {
  const v = cand.variant;
  const turns = v.includes('rot90') ? 1 : v.includes('rot180') ? 2 : v.includes('rot270') ? 3 : 0;
  const mirror = v.startsWith('mirror');
  const [qx0, qy0, qx1, qy1] = q.fp.trim;
  // reference trim box scaled to the working copy actually loaded
  const fpr = cand.entry.fp;
  const sx = ref.width / (fpr.width || ref.width), sy = ref.height / (fpr.height || ref.height);
  const rt = fpr.trim ?? [0, 0, fpr.width, fpr.height];
  const [rx0, ry0, rx1, ry1] = [rt[0] * sx, rt[1] * sy, rt[2] * sx, rt[3] * sy];
  // query box → unit square with the turn applied (clockwise k quarter turns of the query)
  const W = qx1 - qx0, H = qy1 - qy0;
  if (W <= 0 || H <= 0) return undefined;
  // normalise query to [0,1]²
  let A: Affine = [1 / W, 0, -qx0 / W, 0, 1 / H, -qy0 / H];
  // rotate unit square clockwise k times: (u,v) → (1−v, u)
  for (let k = 0; k < turns; k++) A = composeAffine([0, -1, 1, 1, 0, 0], A);
  if (mirror) A = composeAffine([-1, 0, 1, 0, 1, 0], A);
  return composeAffine([rx1 - rx0, 0, rx0, 0, ry1 - ry0, ry0], A);
}

function verify(q: FingerprintWork, cand: Candidate, ref: RefWork, trace?: MatchDeps['trace']): Verified | undefined {
  const qf = q.features, rf = ref.features!;
  const flat = isFlat(cand);
  let best: SimilarityFit | undefined, hom: HomographyFit | undefined;
  if (qf.n >= 3 && rf.n >= 3) {
    const mPlain = matchDescriptors(qf.desc, qf.n, rf.desc, rf.n);
    const mMirror = qf.mdesc ? matchDescriptors(qf.mdesc, qf.n, rf.desc, rf.n) : undefined;
    const plain = fitSimilarity(qf, rf, mPlain, false);
    const mir = mMirror ? fitSimilarity(qf, rf, mMirror, true) : undefined;
    best = plain && (!mir || plain.inliers >= mir.inliers) ? plain : mir;
    // perspective (a photo of the listing on a screen, a tilted re-shoot of a print): a homography
    // when it explains clearly more matches than the similarity
    const hp = fitHomography(qf, rf, mPlain, false);
    const hm = mMirror ? fitHomography(qf, rf, mMirror, true) : undefined;
    hom = hp && (!hm || hp.inliers >= hm.inliers) ? hp : hm;
    // tried when it is more exact than the similarity (in keypoint pixels) on about as many matches:
    // the similarity's wide tolerance also gathers matches of a perspective copy, imprecisely
    if (hom && (hom.inliers < MATCH_TIGHT_INLIERS || (best && (hom.nrms >= best.nrms || hom.inliers < best.inliers * PERSPECTIVE_MIN_SHARE)))) hom = undefined;
  }
  trace?.('align', { ref: cand.entry.name, distance: cand.distance, votes: cand.votes, inliers: best?.inliers, homInliers: hom?.inliers, homNrms: hom?.nrms, qn: qf.n, rn: rf.n, flat });
  const tries: { T: Transform; fit?: SimilarityFit; hom?: HomographyFit; method: string; variant: string }[] = [];
  if (best && best.inliers >= MATCH_MIN_INLIERS) tries.push({ T: best.T, fit: best, method: 'keypoints', variant: describeVariant(best) });
  if (hom && hom.nrms <= MATCH_MAX_NRMS) {
    const H = refineHomography(q.gray, ref.gray, hom.H)?.H ?? hom.H;
    tries.push({ T: H, hom, method: 'perspective', variant: describeTransform(H, q.gray) });
  }
  if (cand.distance <= GLOBAL_SURE_DISTANCE) {
    const T = variantTransform(q, cand, ref.gray);
    if (T) tries.push({ T, method: 'global', variant: cand.variant });
  }
  let out: Verified | undefined;
  const attempt = (t: { T: Transform; fit?: SimilarityFit; hom?: HomographyFit; method: string; variant: string }) => {
    const dense = compareDense(q.gray, ref.gray, t.T);
    const v = { cand, T: t.T, fit: t.fit, dense, method: t.method, variant: t.variant, flat, refGray: ref.gray, refChroma: ref.chroma, qGray: q.gray };
    trace?.('verify', {
      ref: cand.entry.name, method: t.method, variant: t.variant, inliers: t.fit?.inliers, rms: t.fit?.rms, nrms: t.fit?.nrms,
      agreement: dense.agreement, cells: dense.cellAgreement, outside: dense.agreementOutside, boxShare: dense.regionBoxShare, textured: dense.textured, overlapRef: dense.overlapRef, overlapQuery: dense.overlapQuery,
      changedShare: dense.changedShare, regions: dense.regions.length, all: dense.agreementAll, p75: dense.residualP75,
    });
    const ok = t.method === 'perspective' ? passesPerspective(dense, t.hom!) : passes(dense, t.method, cand.distance, t.fit, Math.max(ref.gray.width, ref.gray.height), flat);
    if (ok && (!out || score(v) > score(out))) out = v;
  };
  tries.forEach(attempt);
  // a texture-less reference that neither keypoints nor the global hash aligned (or only with
  // changes, as the content boxes do a crop): dense registration, the better alignment wins
  if (flat && !tries.some((t) => t.method === 'keypoints') && (!out || out.dense.changedShare >= EDIT_MIN_SHARE)) {
    const reg = registerDense(q.gray, ref.gray, q.fp.trim);
    trace?.('register', { ref: cand.entry.name, error: reg?.error, scale: reg?.scale });
    if (reg && reg.error <= FLAT_MAX_REG_ERROR) attempt({ T: reg.T, method: 'dense', variant: describeAffine(reg.T) });
  }
  return out;
}

/** A reference with too few keypoints for the keypoint path (counted as stored in its fingerprint). */
function isFlat(cand: Candidate): boolean {
  return (cand.entry.fp.kp?.length ?? 0) / 4 < FLAT_MAX_KEYPOINTS;
}

/** What ranks verified alignments: agreement of textured pixels, or of all pixels for a texture-less reference. */
function score(v: Verified): number {
  return v.flat ? v.dense.agreementAll : v.dense.agreement;
}

/**
 * The derived/not-derived decision on one aligned candidate.
 *   clear:      agreement ≥ MATCH_SURE_AGREEMENT (≥ MATCH_FAST_AGREEMENT when a keypoint fit has
 *               fewer than MATCH_WEAK_INLIERS inliers)
 *   always:     a keypoint fit must have nrms ≤ MATCH_MAX_NRMS
 *   borderline: agreement ≥ MATCH_MIN_AGREEMENT and the geometry itself is exact — a keypoint fit
 *               with ≥ MATCH_TIGHT_INLIERS inliers, nrms ≤ MATCH_TIGHT_NRMS and RMS error
 *               ≤ MATCH_TIGHT_RMS of the reference's longest side (a copy maps exactly; a re-shoot's perspective and parallax
 *               do not), or a global hash within GLOBAL_SURE_DISTANCE
 *   dark:       when the compared area is low-contrast (DenseResult.lowContrast), a keypoint fit
 *               needs ≥ MATCH_WEAK_INLIERS inliers and nrms ≤ MATCH_TIGHT_NRMS whatever the
 *               agreement (a dark photo of another product printed from the same label template
 *               agreed 0.72 through a 16-inlier fit at nrms 1.30; dark copies measure ≤ 1.08)
 *   flat:       texture-less pictures (few textured pixels, or a reference with fewer than
 *               FLAT_MAX_KEYPOINTS keypoints): aligned by the global hash (within
 *               GLOBAL_SURE_DISTANCE) or by dense registration, and then the copy must match to the
 *               noise: ≥ MATCH_MIN_AGREEMENT_FLAT of all compared pixels agree, the residual's 75th
 *               percentile ≤ FLAT_MAX_RESIDUAL, over ≥ FLAT_MIN_OVERLAP_REF of the reference
 */
export function passes(d: DenseResult, method: string, distance: number, fit?: SimilarityFit, refLong = 1024, flatRef = false): boolean {
  if (d.overlapRef < MATCH_MIN_OVERLAP_REF || d.overlapQuery < MATCH_MIN_OVERLAP_QUERY) return false;
  if (d.textured >= MATCH_MIN_TEXTURED && !flatRef) {
    // a keypoint alignment must be exact in each keypoint's own pixel units, whatever the agreement
    if (method === 'keypoints' && (!fit || fit.nrms > MATCH_MAX_NRMS)) return false;
    const tight = method === 'keypoints'
      ? !!fit && fit.inliers >= MATCH_TIGHT_INLIERS && fit.nrms <= MATCH_TIGHT_NRMS && fit.rms <= MATCH_TIGHT_RMS * refLong
      : distance <= GLOBAL_SURE_DISTANCE;
    // a low-contrast (dark) photo's agreement is weak evidence: only with an exact keypoint fit
    if (d.lowContrast && method === 'keypoints' && !(fit && fit.inliers >= MATCH_WEAK_INLIERS && fit.nrms <= MATCH_TIGHT_NRMS)) return false;
    const weak = method === 'keypoints' && !!fit && fit.inliers < MATCH_WEAK_INLIERS;
    if (d.agreement >= (weak ? MATCH_FAST_AGREEMENT : MATCH_SURE_AGREEMENT)) return true;
    if (d.agreement >= MATCH_MIN_AGREEMENT && tight) return true;
  }
  // texture-less pictures (smooth gradients, night shots, where any texture may be the edit itself):
  // a close global hash or a dense registration, and a copy that matches everywhere to the noise
  return (method === 'dense' || (method === 'global' && distance <= GLOBAL_SURE_DISTANCE)) &&
    d.overlapRef >= FLAT_MIN_OVERLAP_REF && d.agreementAll >= MATCH_MIN_AGREEMENT_FLAT && d.residualP75 <= FLAT_MAX_RESIDUAL;
}

/**
 * The perspective rule: a homography fit on ≥ MATCH_TIGHT_INLIERS keypoints, exact in keypoint
 * pixels (nrms ≤ MATCH_MAX_NRMS), and a copy that agrees over the textured overlap at least
 * MATCH_SURE_AGREEMENT — never the borderline rule: a homography also aligns the flat printed label
 * of a new photo of the same product, which then must disagree on light, background and parallax.
 */
export function passesPerspective(d: DenseResult, fit: HomographyFit): boolean {
  if (d.overlapRef < MATCH_MIN_OVERLAP_REF || d.overlapQuery < MATCH_MIN_OVERLAP_QUERY) return false;
  if (d.textured < MATCH_MIN_TEXTURED || d.lowContrast) return false;
  if (fit.inliers < MATCH_TIGHT_INLIERS || fit.nrms > MATCH_MAX_NRMS) return false;
  // a copy matches to the noise all over (75th percentile of the residual); a re-shoot of a flat
  // print leaves its background, light and parallax (measured: copies ≤ 6, re-shoots 4–10)
  return d.agreement >= PERSPECTIVE_MIN_AGREEMENT && d.cellAgreement >= PERSPECTIVE_MIN_CELLS &&
    (d.residualP75 <= PERSPECTIVE_MAX_P75 || (d.residualP75 <= PERSPECTIVE_MAX_P75 + 3 && d.agreementAll >= 0.95));
}

/** Variant of a general transform: its local affine part at the query's centre, plus 'perspective'. */
function describeTransform(T: Transform, q: { width: number; height: number }): string {
  if (T.length === 6) return describeAffine(T);
  const cx = q.width / 2, cy = q.height / 2, e = 1;
  const p0 = applyTransform(T, cx, cy, [0, 0]), px = applyTransform(T, cx + e, cy, [0, 0]), py = applyTransform(T, cx, cy + e, [0, 0]);
  const A: Affine = [px[0] - p0[0], py[0] - p0[0], 0, px[1] - p0[1], py[1] - p0[1], 0];
  const base = describeAffine(A);
  return base === 'same' ? 'perspective' : `${base}+perspective`;
}

/** describeVariant for a plain affine (mirror when its determinant is negative). */
function describeAffine(T: Affine): string {
  const mirror = T[0] * T[4] - T[1] * T[3] < 0;
  // undo the mirror (x → −x) to read the rotation
  const a = mirror ? -T[0] : T[0], d = mirror ? -T[3] : T[3];
  return describeVariant({ mirror, rotation: (Math.atan2(d, a) * 180) / Math.PI, scale: Math.hypot(a, d) } as SimilarityFit);
}

function describeVariant(f: SimilarityFit): string {
  const parts: string[] = [];
  if (f.mirror) parts.push('mirror');
  let r = f.rotation;
  const quarter = Math.round(r / 90);
  const rest = r - quarter * 90;
  const q = ((quarter % 4) + 4) % 4;
  if (q) parts.push(`rot${q * 90}`);
  if (Math.abs(rest) > 1.5) parts.push('rotate');
  if (Math.abs(f.scale - 1) > 0.03) parts.push('resize');
  return parts.join('+') || 'same';
}

/**
 * Find the reference a query is derived from and, when found, where it differs.
 * @param query analysis-size pixels of the buyer photo
 * @param fullSize the buyer photo's full size (regions are reported in its coordinates)
 */
export async function findMatch(
  query: RGBAImage,
  fullSize: { width: number; height: number },
  deps: MatchDeps,
): Promise<MatchOutcome> {
  if (deps.index.size === 0) return {};
  let found: Verified | undefined;
  // stage 1a: global hashes only — a re-saved, resized, recoloured, mirrored or turned copy is
  // confirmed without computing keypoints at all
  const g = fingerprintWithFeatures(query, { query: true, globalOnly: true });
  if (g.fp.quality < MIN_QUALITY * 0.5) return {};
  const near = (await deps.index.candidates(g.fp, 2)).filter((c) => c.distance <= GLOBAL_SURE_DISTANCE);
  let fallback: Verified | undefined;
  for (const cand of near) {
    const ref = await refWork(cand.entry.id, deps, false);
    if (!ref) continue;
    const T = variantTransform(g, cand, ref.gray);
    if (!T) continue;
    const dense = compareDense(g.gray, ref.gray, T);
    const flat = isFlat(cand);
    deps.trace?.('fast', { ref: cand.entry.name, distance: cand.distance, agreement: dense.agreement, textured: dense.textured, flat, all: dense.agreementAll, p75: dense.residualP75 });
    const ok = flat
      ? passes(dense, 'global', cand.distance, undefined, Math.max(ref.gray.width, ref.gray.height), true)
      : dense.textured >= MATCH_MIN_TEXTURED && dense.agreement >= MATCH_FAST_AGREEMENT &&
        dense.overlapRef >= MATCH_MIN_OVERLAP_REF && dense.overlapQuery >= MATCH_MIN_OVERLAP_QUERY;
    if (ok) {
      const v: Verified = { cand, T, dense, method: 'global', variant: cand.variant, flat, refGray: ref.gray, refChroma: ref.chroma, qGray: g.gray };
      // a clean copy stops here; a changed one is re-aligned by keypoints for a sharper map
      if (dense.changedShare < EDIT_MIN_SHARE) { found = v; break; }
      fallback ??= v;
    }
  }
  if (!found) {
    // stage 1b: keypoints
    const q = fingerprintWithFeatures(query, { query: true });
    const cands = await deps.index.candidates(q.fp, MATCH_MAX_VERIFY);
    deps.trace?.('candidates', { quality: q.fp.quality, kp: q.features.n, list: cands.map((c) => `${c.entry.name}:d${c.distance}:v${c.votes}:${c.variant}`) });
    for (const cand of cands) {
      if ((cand.entry.fp.quality ?? 0) < MIN_QUALITY * 0.5) continue;
      const ref = await refWork(cand.entry.id, deps, true);
      if (!ref) continue;
      const v = verify(q, cand, ref, deps.trace);
      if (v && (!found || score(v) > score(found))) found = v;
      if (found && score(found) > 0.85) break;
    }
    if (fallback && (!found || (found.method !== 'keypoints' && score(fallback) > score(found)))) found = fallback;
  }
  if (!found) return {};
  const { cand, dense } = found;
  const variant = withFraming(found.variant, dense);
  const confidence = Math.round(Math.min(1, Math.max(0, (score(found) - MATCH_MIN_AGREEMENT) / (1 - MATCH_MIN_AGREEMENT)) * 0.5 + 0.5) * 100) / 100;
  const Tq = found.T; // analysis-size query px → reference working-copy px
  const Hq = Tq.length === 9 ? [...Tq] : [Tq[0], Tq[1], Tq[2], Tq[3], Tq[4], Tq[5], 0, 0, 1];
  const match: MatchResult = {
    referenceId: cand.entry.id,
    referenceName: cand.entry.name,
    libraryId: cand.entry.libraryId,
    confidence,
    distance: cand.distance > 256 ? 256 : cand.distance,
    method: found.method,
    homography: Hq,
    variant,
  };
  return { match, localisation: localise(query, found.qGray, found.refGray, found.refChroma, Tq, fullSize, dense, deps.trace) };
}

/** Name framing changes visible in the overlap: crop (query covers part of the reference), screenshot (reference covers part of the query). */
function withFraming(v: string, d: DenseResult): string {
  const parts = v === 'same' ? [] : v.split('+');
  if (d.overlapQuery < 0.9) parts.push('screenshot');
  else if (d.overlapRef < 0.92) parts.push('crop');
  return parts.join('+') || 'same';
}

/**
 * Stage 4: the fine change map (localise.ts) grouped into one region per edit, with the coarse
 * comparison's changed pixels when they already make a local alteration (large soft stains).
 */
function localise(query: RGBAImage, qGray: Gray, refGray: Gray, refChroma: Chroma, T: Transform, full: { width: number; height: number }, d: DenseResult, trace?: MatchDeps['trace']): Localisation {
  const nValid = d.valid.reduce((s, v) => s + v, 0) || 1;
  const biggest = d.regionAreas.length ? d.regionAreas[0] / nValid : 0;
  const coarseEdited = d.changedShare >= EDIT_MIN_SHARE && biggest >= EDIT_MIN_REGION;
  const refined = refineHomography(qGray, refGray, T);
  const fine = compareFine(qGray, refGray, refined?.H ?? T, refChroma);
  const edits = groupEdits(fine, coarseEdited ? d : undefined, query, full);
  trace?.('fine', { fine, refined: !!refined, coarseEdited, edits: edits.length });
  const regions: Box[] = edits.map((e) => e.box);
  const edited = regions.length > 0;
  let changed = 0, valid = 0;
  for (let i = 0; i < fine.valid.length; i++) { valid += fine.valid[i]; changed += fine.evidence[i]; }
  const changedShare = edited ? Math.max(coarseEdited ? d.changedShare : 0, valid ? changed / valid : 0) : 0;
  return { regions, changedShare, overlayPng: overlay(d), edited };
}

/**
 * Heat map over the query: transparent where unchanged, yellow→red with the residual, strongest on
 * the changed regions. Encoded at the comparison grid's size (longest side ≤ DIFF_GRID_SIDE, same
 * aspect as the analysis-size query): draw it stretched over the buyer photo.
 */
function overlay(d: DenseResult): Uint8Array {
  const W = d.gw, H = d.gh;
  const px = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    if (!d.valid[i]) continue;
    const r = d.residual[i];
    if (r < 12) continue;
    const t = Math.min(1, (r - 12) / 48);
    const o = i * 4;
    px[o] = 255; px[o + 1] = Math.round(220 * (1 - t)); px[o + 2] = 0;
    px[o + 3] = Math.round((d.changed[i] ? 200 : 90) * Math.max(0.35, t));
  }
  return encodePng(W, H, px, 6);
}


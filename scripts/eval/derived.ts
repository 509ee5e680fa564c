/**
 * Derived-photo evaluation over a folder with truth.json (format: ../shared/eval/README.md).
 * Builds the library from references/ exactly as the extension does (working copy: JPEG,
 * longest side LIMITS.workingMaxSide, quality 0.9, then fingerprint), checks every query with
 * runCheck (the extension's pipeline, Node decoder), prints per-category figures and, as the last
 * line, the CONTRACTS.md JSON. Baseline: plain blockhash-core over the whole picture, nearest
 * reference by Hamming distance, threshold chosen at an equal or lower false-match rate.
 */
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCheck } from '../../utils/check';
import { decodeInNode, encodeInNode } from '../../utils/image/decode-node';
import { sniffFormat } from '../../utils/image/sniff';
import { computeFingerprint } from '../../utils/hash/fingerprint';
import { ReferenceIndex } from '../../utils/hash/index';
import { blockhash, hammingHex } from '../../utils/hash/blockhash';
import { LIMITS } from '../../utils/limits';
import type { Box, RGBAImage } from '../../utils/types';

interface TruthQuery {
  derivedFrom: string | null;
  edit?: { kind: string; box: Box } | null;
  /** All edits when a query has several (`edit` is then the first). */
  edits?: { kind: string; box: Box }[];
  mask?: string;
  transform?: string;
  jpegQuality?: number;
  hardNegative?: string | null;
}
interface Truth { references?: string[]; queries: Record<string, TruthQuery> }

export interface QueryOutcome {
  name: string;
  truth: TruthQuery;
  derivedFrom: string | null;
  edited: boolean;
  regions: Box[];
  /** IoU of the union of the region boxes with the mask's changed pixels. */
  iou?: number;
  /** IoU of the union of the region boxes with the union of the true edit boxes (the issue's box IoU). */
  boxIou?: number;
  /** True edits (boxes) that no reported region touches. */
  editsMissed?: number;
  editsTotal?: number;
  baselineRef: string | null;
  baselineDistance: number;
  ms: number;
  method?: string;
  variant?: string;
  error?: string;
}

export interface DerivedSummary {
  derived: { recall: number; falseMatchRate: number; correctReference: number };
  localization: {
    /** Median box IoU over the edited derived queries (0 for a query without any region). */
    medianIoU: number;
    /** Median IoU of the region boxes with the mask's pixels (the figure before stop 11). */
    medianMaskIoU: number;
    /** Median box IoU per edit kind. */
    byKind: Record<string, number>;
    /** Share of the true edits that no reported region touches. */
    editsWithoutRegion: number;
    /** Share of clean derived copies (no edit, no sticker) that were flagged as edited. */
    cleanFlagged: number;
  };
  baseline: { derived: { recall: number; falseMatchRate: number }; threshold: number };
}

/** Load a reference the way the library stores it: working copy JPEG q0.9, longest side workingMaxSide. */
export async function workingCopy(bytes: Uint8Array): Promise<RGBAImage> {
  const d = await decodeInNode(bytes, sniffFormat(bytes), LIMITS.workingMaxSide);
  const jpeg = await encodeInNode(d.image, 'image/jpeg', 0.9);
  return (await decodeInNode(jpeg, 'jpeg', LIMITS.workingMaxSide)).image;
}

/** IoU between the union of boxes and a mask (white = changed), both in query pixels. */
export function iouBoxesMask(boxes: Box[], mask: Uint8Array, w: number, h: number): number {
  let inter = 0, uni = 0;
  const pred = new Uint8Array(w * h);
  for (const [x0, y0, x1, y1] of boxes) {
    for (let y = Math.max(0, y0); y < Math.min(h, y1); y++) pred.fill(1, y * w + Math.max(0, x0), y * w + Math.min(w, x1));
  }
  for (let i = 0; i < w * h; i++) {
    const m = mask[i] > 127 ? 1 : 0;
    if (m && pred[i]) inter++;
    if (m || pred[i]) uni++;
  }
  return uni ? inter / uni : 0;
}

/** IoU of two unions of boxes as pixel sets (the true edit boxes vs the reported regions). */
export function iouBoxes(pred: Box[], truth: Box[]): number {
  const all = [...pred, ...truth];
  if (!truth.length) return 0;
  const xs = [...new Set(all.flatMap((b) => [b[0], b[2]]))].sort((a, b) => a - b);
  let inter = 0, uni = 0;
  const cover = (bs: Box[], x: number, y0: number, y1: number) => bs.filter((b) => b[0] <= x && b[2] > x).map((b) => [Math.max(y0, b[1]), Math.min(y1, b[3])] as [number, number]);
  const len = (iv: [number, number][]) => {
    const s = iv.filter((v) => v[1] > v[0]).sort((a, b) => a[0] - b[0]);
    let t = 0, end = -Infinity;
    for (const [a, b] of s) { if (b <= end) continue; t += b - Math.max(a, end); end = b; }
    return t;
  };
  for (let i = 0; i + 1 < xs.length; i++) {
    const x = xs[i], wdt = xs[i + 1] - xs[i];
    if (wdt <= 0) continue;
    const P = cover(pred, x, -Infinity, Infinity), T = cover(truth, x, -Infinity, Infinity);
    uni += wdt * len([...P, ...T]);
    // intersection of the two unions: pairwise overlaps, merged
    const I: [number, number][] = [];
    for (const p of P) for (const t of T) I.push([Math.max(p[0], t[0]), Math.min(p[1], t[1])]);
    inter += wdt * len(I);
  }
  return uni ? inter / uni : 0;
}

/** Boxes of the true edits of a query (truth `edits` when several, else `edit`). */
function truthBoxes(q: TruthQuery): Box[] {
  if (q.edits?.length) return q.edits.map((e) => e.box);
  return q.edit?.box ? [q.edit.box] : [];
}

const touches = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

async function loadMask(root: string, q: TruthQuery, w: number, h: number): Promise<Uint8Array | undefined> {
  if (q.mask && existsSync(join(root, q.mask))) {
    const { data, info } = await sharp(join(root, q.mask)).resize(w, h, { fit: 'fill', kernel: 'nearest' }).greyscale().raw().toBuffer({ resolveWithObject: true });
    if (info.channels === 1) return new Uint8Array(data);
  }
  if (q.edit?.box) {
    const m = new Uint8Array(w * h);
    const [x0, y0, x1, y1] = q.edit.box;
    for (let y = Math.max(0, y0); y < Math.min(h, y1); y++) m.fill(255, y * w + Math.max(0, x0), y * w + Math.min(w, x1));
    return m;
  }
  return undefined;
}

const median = (a: number[]) => {
  if (!a.length) return 0;
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const r4 = (x: number) => Math.round(x * 10000) / 10000;

export interface DerivedEvalOptions {
  /** Query file names whose matching steps are printed (MatchDeps.trace); '*' for all. */
  trace?: string[];
}

/** The 'fine' trace event (a whole change map) in a few numbers. */
function fineSummary(data: Record<string, unknown>): Record<string, unknown> {
  const f = data.fine as { fw: number; fh: number; noise: number; z: Float32Array; evidence: Uint8Array; valid: Uint8Array } | undefined;
  if (!f) return data;
  let ev = 0, valid = 0, zmax = 0, z4 = 0;
  for (let i = 0; i < f.z.length; i++) { ev += f.evidence[i] ? 1 : 0; valid += f.valid[i]; if (f.z[i] > zmax) zmax = f.z[i]; if (f.z[i] > 4.5) z4++; }
  return { ...data, fine: { fw: f.fw, fh: f.fh, noise: f.noise, valid, evidence: ev, over4_5: z4, zmax } };
}

export async function runDerivedEval(root: string, log: (s: string) => void = console.log, opts: DerivedEvalOptions = {}): Promise<{ summary: DerivedSummary; outcomes: QueryOutcome[] }> {
  const truth: Truth = JSON.parse(readFileSync(join(root, 'truth.json'), 'utf8'));
  const refNames = truth.references ?? readdirSync(join(root, 'references')).filter((f) => !f.startsWith('.'));
  const index = new ReferenceIndex();
  const pixels = new Map<string, RGBAImage>();
  const plainRef = new Map<string, string>();
  for (const name of refNames) {
    const bytes = new Uint8Array(readFileSync(join(root, 'references', name)));
    try {
      const img = await workingCopy(bytes);
      pixels.set(name, img);
      index.add({ id: name, name, libraryId: 'eval', fp: computeFingerprint(img) });
      plainRef.set(name, blockhash(img));
    } catch (e) {
      log(`reference ${name}: ${(e as Error).message}`);
    }
  }
  const deps = { index, loadReference: async (id: string) => pixels.get(id), decode: decodeInNode };
  const outcomes: QueryOutcome[] = [];
  for (const [name, tq] of Object.entries(truth.queries)) {
    const bytes = new Uint8Array(readFileSync(join(root, 'queries', name)));
    const t0 = performance.now();
    const traced = opts.trace && (opts.trace.includes('*') || opts.trace.includes(name));
    if (traced) log(`trace ${name}: truth=${tq.derivedFrom ?? 'none'} (${tq.transform}${tq.edit ? `, ${tq.edit.kind}` : ''}${tq.hardNegative ? ', hard negative' : ''})`);
    const trace = traced
      ? (event: string, data: Record<string, unknown>) => log(`  ${event} ${JSON.stringify(event === 'fine' ? fineSummary(data) : data, (_k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v))}`)
      : undefined;
    const res = await runCheck({ bytes }, trace ? { ...deps, trace } : deps);
    const ms = performance.now() - t0;
    const o: QueryOutcome = {
      name, truth: tq, ms,
      derivedFrom: res.match?.referenceName ?? null,
      edited: !!res.localisation?.edited && !!res.match,
      regions: res.match ? res.localisation?.regions ?? [] : [],
      baselineRef: null, baselineDistance: 256,
      method: res.match?.method, variant: res.match?.variant,
      error: res.error?.code,
    };
    // baseline: plain blockhash of the analysis-size decode vs each reference's working copy
    try {
      const d = await decodeInNode(bytes, sniffFormat(bytes), LIMITS.analysisMaxSide);
      const h = blockhash(d.image);
      for (const [ref, rh] of plainRef) {
        const dist = hammingHex(h, rh);
        if (dist < o.baselineDistance) { o.baselineDistance = dist; o.baselineRef = ref; }
      }
      if (tq.derivedFrom && tq.edit) {
        const mask = await loadMask(root, tq, d.width, d.height);
        if (mask) o.iou = iouBoxesMask(o.regions, mask, d.width, d.height);
      }
    } catch { /* undecodable: counted as a miss by the pipeline result */ }
    if (tq.derivedFrom && tq.edit) {
      const tb = truthBoxes(tq);
      o.boxIou = iouBoxes(o.regions, tb);
      o.editsTotal = tb.length;
      o.editsMissed = tb.filter((t) => !o.regions.some((r) => touches(r, t))).length;
    }
    outcomes.push(o);
  }

  // ---- figures ----
  const pos = outcomes.filter((o) => o.truth.derivedFrom);
  const neg = outcomes.filter((o) => !o.truth.derivedFrom);
  const hit = (o: QueryOutcome) => o.derivedFrom !== null;
  const recall = pos.length ? pos.filter(hit).length / pos.length : 0;
  const fmr = neg.length ? neg.filter(hit).length / neg.length : 0;
  const matched = pos.filter(hit);
  const correct = matched.length ? matched.filter((o) => o.derivedFrom === o.truth.derivedFrom).length / matched.length : 0;
  const edited = pos.filter((o) => o.truth.edit);
  const ious = edited.map((o) => o.boxIou ?? 0);
  const maskIous = edited.map((o) => o.iou ?? 0);
  const editsTotal = edited.reduce((s, o) => s + (o.editsTotal ?? 1), 0);
  const editsMissed = edited.reduce((s, o) => s + (o.editsMissed ?? 1), 0);
  // clean copies: no edit, and no sticker (a sticker is a local alteration the buyer added, and marked as one)
  const clean = pos.filter((o) => !o.truth.edit && !(o.truth.transform ?? '').includes('sticker'));
  const iouByKind: Record<string, number> = {};
  for (const k of [...new Set(edited.map((o) => o.truth.edit!.kind))].sort()) iouByKind[k] = r4(median(edited.filter((o) => o.truth.edit!.kind === k).map((o) => o.boxIou ?? 0)));
  // baseline threshold: the largest whose false-match rate is ≤ ours
  let bestT = -1;
  for (let t = 0; t <= 256; t++) {
    const f = neg.length ? neg.filter((o) => o.baselineDistance <= t).length / neg.length : 0;
    if (f <= fmr) bestT = t; else break;
  }
  const bHit = (o: QueryOutcome) => o.baselineDistance <= bestT;
  const bRecall = pos.length ? pos.filter(bHit).length / pos.length : 0;
  const bFmr = neg.length ? neg.filter(bHit).length / neg.length : 0;

  log(`references: ${pixels.size}, queries: ${outcomes.length} (${pos.length} derived, ${neg.length} not derived)`);
  log(`median check time ${median(outcomes.map((o) => o.ms)).toFixed(0)} ms, max ${Math.max(...outcomes.map((o) => o.ms)).toFixed(0)} ms`);
  log('\nderived queries by transform          recall   baseline   correct-ref');
  const byT = new Map<string, QueryOutcome[]>();
  for (const o of pos) { const k = o.truth.transform ?? '?'; byT.set(k, [...(byT.get(k) ?? []), o]); }
  for (const [k, l] of [...byT].sort()) {
    const m = l.filter(hit);
    log(`  ${k.padEnd(34)} ${pct(m.length / l.length).padStart(7)}  ${pct(l.filter(bHit).length / l.length).padStart(8)}   ${pct(m.length ? m.filter((o) => o.derivedFrom === o.truth.derivedFrom).length / m.length : 1).padStart(8)}   (n=${l.length})`);
  }
  log('\nedit vs not (derived queries)        recall   flagged-edited  box IoU (mask IoU)  no region');
  for (const [label, l] of [['with local edit', pos.filter((o) => o.truth.edit)], ['no local edit', pos.filter((o) => !o.truth.edit)]] as const) {
    if (!l.length) continue;
    log(`  ${label.padEnd(34)} ${pct(l.filter(hit).length / l.length).padStart(7)}  ${pct(l.filter((o) => o.edited).length / l.length).padStart(10)}   ${l[0].truth.edit ? `${median(l.map((o) => o.boxIou ?? 0)).toFixed(3)} (${median(l.map((o) => o.iou ?? 0)).toFixed(3)})` : '-'}   ${l[0].truth.edit ? pct(l.filter((o) => !o.regions.length).length / l.length) : ''}   (n=${l.length})`);
  }
  const byKind = new Map<string, QueryOutcome[]>();
  for (const o of pos) if (o.truth.edit) byKind.set(o.truth.edit.kind, [...(byKind.get(o.truth.edit.kind) ?? []), o]);
  for (const [k, l] of [...byKind].sort()) log(`    ${k.padEnd(32)} ${pct(l.filter(hit).length / l.length).padStart(7)}  ${pct(l.filter((o) => o.edited).length / l.length).padStart(10)}   ${median(l.map((o) => o.boxIou ?? 0)).toFixed(3)} (${median(l.map((o) => o.iou ?? 0)).toFixed(3)})   ${pct(l.filter((o) => !o.regions.length).length / l.length)}   (n=${l.length})`);
  log('\nnot-derived queries                   false-match   baseline');
  const hard = neg.filter((o) => o.truth.hardNegative);
  const unrelated = neg.filter((o) => !o.truth.hardNegative);
  for (const [label, l] of [['hard negatives (same scene/product)', hard], ['unrelated photos', unrelated]] as const) {
    if (!l.length) continue;
    log(`  ${label.padEnd(36)} ${pct(l.filter(hit).length / l.length).padStart(8)}   ${pct(l.filter(bHit).length / l.length).padStart(8)}   (n=${l.length})`);
  }
  const poor = edited.filter((o) => (o.boxIou ?? 0) < 0.3);
  if (poor.length) {
    log('\nedits poorly located (box IoU < 0.3):');
    for (const o of poor) log(`  ${o.name} ${o.truth.edit!.kind} (${o.truth.transform}, q${o.truth.jpegQuality ?? '?'}) IoU ${(o.boxIou ?? 0).toFixed(2)}, ${o.regions.length} region(s)${o.edited ? '' : ', not flagged'}`);
  }
  const wrong = outcomes.filter((o) => (o.derivedFrom ?? null) !== (o.truth.derivedFrom ?? null));
  if (wrong.length) {
    log('\nmistakes:');
    for (const o of wrong) log(`  ${o.name} truth=${o.truth.derivedFrom ?? 'none'} (${o.truth.transform}${o.truth.hardNegative ? ', hard negative' : ''}) got=${o.derivedFrom ?? 'none'} ${o.method ?? ''} ${o.variant ?? ''} ${o.error ?? ''}`);
  }
  log(`\nbaseline: plain blockhash-core, threshold ${bestT}/256 (largest with false-match rate ≤ ours)`);
  const summary: DerivedSummary = {
    derived: { recall: r4(recall), falseMatchRate: r4(fmr), correctReference: r4(correct) },
    localization: {
      medianIoU: r4(median(ious)), medianMaskIoU: r4(median(maskIous)), byKind: iouByKind,
      editsWithoutRegion: r4(editsTotal ? editsMissed / editsTotal : 0),
      cleanFlagged: r4(clean.length ? clean.filter((o) => o.edited).length / clean.length : 0),
    },
    baseline: { derived: { recall: r4(bRecall), falseMatchRate: r4(bFmr) }, threshold: bestT },
  };
  return { summary, outcomes };
}

export async function evalDerived(root: string, out?: string, opts: DerivedEvalOptions = {}): Promise<void> {
  const { summary, outcomes } = await runDerivedEval(root, console.log, opts);
  if (out) {
    const queries: Record<string, { derivedFrom: string | null; edited: boolean; regions: Box[] }> = {};
    for (const o of outcomes) queries[o.name] = { derivedFrom: o.derivedFrom, edited: o.edited, regions: o.regions };
    writeFileSync(out, JSON.stringify({ queries }, null, 1));
  }
  const { threshold: _t, ...baseline } = summary.baseline;
  void _t;
  console.log(JSON.stringify({ ...summary, baseline }));
}

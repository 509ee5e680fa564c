/**
 * Metadata label evaluation (`npm run eval -- <dir>` on a folder with labels.json), and the
 * per-file report for any folder of images. Output shapes: ../shared/CONTRACTS.md.
 *
 *   ai    = some signal of kind 'ai' or 'c2pa' with weight ≥ AI_LABEL_WEIGHT (what makes the
 *           verdict 'ai-labelled'), including stealth pnginfo read from full-size pixels
 *   c2pa  = a C2PA manifest store is embedded (the presence scan found one)
 *   c2paValid / c2paStatus = what the official reader (c2pa-wasm, in-process) says: CONTRACTS.md
 *   generator = name of the first generator fingerprint
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import sharp from 'sharp';
import { sniffFormat } from '../../utils/image/sniff';
import { readMetadata } from '../../utils/metadata/read';
import { nodeReader, validateInNode } from '../../utils/metadata/c2pa-node';
import { READER_SETTINGS, readerMime } from '../../utils/metadata/c2pa-validate';
import { stealthSignal } from '../../utils/metadata/stealth';
import { generatorNames } from '../../utils/metadata/signals/generator';
import { AI_LABEL_WEIGHT } from '../../utils/verdict';
import type { Signal } from '../../utils/types';
import { loadNodeReader } from './ocr-labels';
import { localReader, type LabelReader } from '../../utils/ocr/remote';
import { readVisibleLabel } from '../../utils/ocr/visible-label';
import { decodeInNode } from '../../utils/image/decode-node';
import { LIMITS } from '../../utils/limits';

let ocr: Promise<LabelReader> | undefined;
/**
 * The visible label as a check reads it (utils/ocr/visible-label.ts on the analysis-size copy), or
 * nulls when none is read or OCR fails ("visible label not checked").
 */
async function visibleLabel(bytes: Uint8Array): Promise<{ explicitLabel: string | null; explicitLabelBox: [number, number, number, number] | null }> {
  try {
    const read = await (ocr ??= loadNodeReader().then(({ reader }) => localReader(reader)));
    const d = await decodeInNode(bytes, sniffFormat(bytes), LIMITS.analysisMaxSide);
    const v = await readVisibleLabel(read, d.image, d);
    return { explicitLabel: v.text ?? null, explicitLabelBox: v.box ?? null };
  } catch {
    return { explicitLabel: null, explicitLabelBox: null };
  }
}

export interface FileOutcome {
  c2pa: boolean;
  ai: boolean;
  generator: string | null;
  error: string | null;
  /** true: the active manifest's signature and hard bindings verify; false: they fail or cannot be validated; null: no manifest. */
  c2paValid: boolean | null;
  /** c2pa-rs validation codes (or the reader's error name). */
  c2paStatus: string[];
  /** Visible AI label (GB 45438 explicit label) read from the pixels by OCR, else null. */
  explicitLabel: string | null;
  /** Its box in the file's pixels [x0, y0, x1, y1], else null. */
  explicitLabelBox: [number, number, number, number] | null;
}

interface Truth {
  c2pa: boolean;
  ai: boolean;
  generator?: string;
  editor?: boolean;
  broken?: boolean;
}

const IMAGE_EXT = /\.(jpe?g|png|webp|gif|bmp|tiff?|heic|heif|avif)$/i;
/** A single file taking longer than this counts as a hang. */
const HANG_MS = 5000;

export async function checkFile(bytes: Uint8Array): Promise<Omit<FileOutcome, 'explicitLabel' | 'explicitLabelBox'> & { ms: number; signals: Signal[]; warnings: string[] }> {
  const t0 = performance.now();
  const format = sniffFormat(bytes);
  const meta = await readMetadata(bytes, format, { validateC2pa: validateInNode });
  const signals = [...meta.signals];
  if ((format === 'png' || format === 'webp') && !signals.some((s) => s.source === 'generator')) {
    const px = await fullPixels(bytes);
    const st = px && stealthSignal(px);
    if (st) signals.push(st);
  }
  const ms = performance.now() - t0;
  const ai = signals.some((s) => (s.kind === 'ai' || s.kind === 'c2pa') && s.weight >= AI_LABEL_WEIGHT);
  const c2pa = meta.c2pa !== undefined;
  const c2paValid = meta.c2pa?.valid ?? null;
  const c2paStatus = meta.c2pa?.codes ?? [];
  const generator = generatorNames(signals)[0] ?? null;
  const error = meta.warnings.includes('metadata_failed') ? 'metadata_failed' : null;
  return { c2pa, ai, generator, error, c2paValid, c2paStatus, ms, signals, warnings: meta.warnings };
}

/** Full-size RGBA for stealth pnginfo (Node only; the extension decodes with OffscreenCanvas). */
async function fullPixels(bytes: Uint8Array) {
  try {
    const s = sharp(bytes, { failOn: 'none', limitInputPixels: 40_000_000 });
    const meta = await s.metadata();
    if (!meta.hasAlpha && meta.format !== 'png') return undefined;
    const { data, info } = await s.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch {
    return undefined;
  }
}

async function evaluate(bytes: Uint8Array): Promise<{ outcome: FileOutcome; crash: boolean; ms: number }> {
  try {
    const r = await checkFile(bytes);
    const hang = r.ms > HANG_MS;
    const v = await visibleLabel(bytes);
    // a visible label makes the verdict ai-labelled (utils/ocr/label-rule.ts)
    return { outcome: { c2pa: r.c2pa, ai: r.ai || v.explicitLabel !== null, generator: r.generator, error: hang ? 'hang' : r.error, c2paValid: r.c2paValid, c2paStatus: r.c2paStatus, ...v }, crash: hang, ms: r.ms };
  } catch (e) {
    return { outcome: { c2pa: false, ai: false, generator: null, error: `crash: ${String((e as Error)?.message ?? e).slice(0, 200)}`, c2paValid: null, c2paStatus: [], explicitLabel: null, explicitLabelBox: null }, crash: true, ms: 0 };
  }
}

/**
 * The official reader's own answer, asked directly (no presence scan, no mapping of ours):
 * Valid/Trusted → true, Invalid → false, no store or a remote one → null, any other refusal → false.
 */
export async function officialC2paValid(bytes: Uint8Array): Promise<boolean | null> {
  const mime = readerMime(sniffFormat(bytes));
  if (!mime) return null;
  const mod = await nodeReader();
  try {
    const r = await mod.WasmReader.fromBytes(mime, bytes, READER_SETTINGS);
    try {
      const state = (JSON.parse(r.json()) as { validation_state?: string }).validation_state;
      return state === 'Valid' || state === 'Trusted';
    } finally {
      r.free();
    }
  } catch (e) {
    return /JumbfNotFound|ProvenanceMissing|Remote/.test(String((e as Error)?.message ?? e)) ? null : false;
  }
}

/** Agreement of `c2paValid` with the official reader over the files of one run. */
class Agreement {
  files = 0;
  agree = 0;
  disagree: string[] = [];
  async add(name: string, bytes: Uint8Array, ours: boolean | null): Promise<void> {
    const theirs = await officialC2paValid(bytes);
    this.files++;
    if (theirs === ours) this.agree++;
    else this.disagree.push(`${name}: ours ${ours}, reader ${theirs}`);
  }
  toJSON() {
    return { files: this.files, agree: this.agree, disagree: this.disagree };
  }
}

function ratio(n: number, d: number): number | null {
  return d ? Math.round((n / d) * 1000) / 1000 : null;
}

export async function evalLabels(root: string, out?: string): Promise<void> {
  const labels = JSON.parse(readFileSync(join(root, 'labels.json'), 'utf8')) as Record<string, Truth>;
  const files: Record<string, FileOutcome> = {};
  let aiTrue = 0, aiHit = 0, aiFp = 0, c2True = 0, c2Hit = 0, c2Fp = 0, crashes = 0, genTotal = 0, genRight = 0;
  let edTrue = 0, edHit = 0, slowest = 0;
  const perDir: Record<string, { files: number; ai: number; c2pa: number }> = {};
  const misses: string[] = [];
  const agreement = new Agreement();
  for (const [name, truth] of Object.entries(labels)) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(root, name)));
    } catch {
      files[name] = { c2pa: false, ai: false, generator: null, error: 'missing', c2paValid: null, c2paStatus: [], explicitLabel: null, explicitLabelBox: null };
      continue;
    }
    const { outcome, crash } = await evaluateWithEditor(bytes, name, truth, (hit) => {
      edTrue++;
      if (hit) edHit++;
    });
    files[name] = outcome.outcome;
    await agreement.add(name, bytes, outcome.outcome.c2paValid);
    slowest = Math.max(slowest, outcome.ms);
    if (crash) crashes++;
    const o = outcome.outcome;
    const dir = name.split('/')[0];
    const pd = (perDir[dir] ??= { files: 0, ai: 0, c2pa: 0 });
    pd.files++;
    if (o.ai) pd.ai++;
    if (o.c2pa) pd.c2pa++;
    if (truth.ai) {
      aiTrue++;
      if (o.ai) aiHit++;
      else misses.push(`ai:${name}`);
    } else if (o.ai) {
      aiFp++;
      misses.push(`ai-fp:${name}`);
    }
    if (truth.c2pa) {
      c2True++;
      if (o.c2pa) c2Hit++;
      else misses.push(`c2pa:${name}`);
    } else if (o.c2pa) {
      c2Fp++;
      misses.push(`c2pa-fp:${name}`);
    }
    if (truth.generator) {
      genTotal++;
      if (o.generator === truth.generator) genRight++;
      else misses.push(`generator:${name}=${o.generator}`);
    }
  }
  if (out) writeFileSync(out, JSON.stringify({ files }, null, 1));
  console.log(JSON.stringify({ perDir, misses, generatorAccuracy: ratio(genRight, genTotal), editorRecall: ratio(edHit, edTrue), slowestMs: Math.round(slowest), c2paAgreement: agreement }));
  console.log(
    JSON.stringify({
      labels: { aiRecall: ratio(aiHit, aiTrue), aiFalsePositives: aiFp, c2paRecall: ratio(c2Hit, c2True), c2paFalsePositives: c2Fp, crashes },
    }),
  );
}

/** Evaluate one file; also reports whether an editor trace was found where the truth says editor. */
async function evaluateWithEditor(bytes: Uint8Array, _name: string, truth: Truth, onEditor: (hit: boolean) => void) {
  const outcome = await evaluate(bytes);
  if (truth.editor) {
    try {
      const r = await checkFile(bytes);
      onEditor(r.signals.some((s) => s.kind === 'edit' && s.weight >= 0.5));
    } catch {
      onEditor(false);
    }
  }
  return { outcome, crash: outcome.crash };
}

function listImages(root: string, dir = root, acc: string[] = [], depth = 0): string[] {
  if (depth > 6) return acc;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) listImages(root, p, acc, depth + 1);
    else if (IMAGE_EXT.test(extname(name)) || IMAGE_EXT.test(name)) acc.push(relative(root, p).split('\\').join('/'));
  }
  return acc;
}

export async function evalFiles(root: string, out?: string): Promise<void> {
  const files: Record<string, FileOutcome> = {};
  let crashes = 0, ai = 0, c2pa = 0;
  const agreement = new Agreement();
  for (const name of listImages(root)) {
    const bytes = new Uint8Array(readFileSync(join(root, name)));
    const r = await evaluate(bytes);
    files[name] = r.outcome;
    await agreement.add(name, bytes, r.outcome.c2paValid);
    if (r.crash) crashes++;
    if (r.outcome.ai) ai++;
    if (r.outcome.c2pa) c2pa++;
  }
  if (out) writeFileSync(out, JSON.stringify({ files }, null, 1));
  console.log(JSON.stringify({ c2paAgreement: agreement }));
  console.log(JSON.stringify({ files: Object.keys(files).length, ai, c2pa, crashes }));
}

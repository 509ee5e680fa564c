/**
 * Metadata label evaluation (`npm run eval -- <dir>` on a folder with labels.json), and the
 * per-file report for any folder of images. Output shapes: ../shared/CONTRACTS.md.
 *
 *   ai    = some signal of kind 'ai' or 'c2pa' with weight ≥ AI_LABEL_WEIGHT (what makes the
 *           verdict 'ai-labelled'), including stealth pnginfo read from full-size pixels
 *   c2pa  = a C2PA manifest store is embedded (signal source 'c2pa', kind 'c2pa')
 *   generator = name of the first generator fingerprint
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import sharp from 'sharp';
import { sniffFormat } from '../../utils/image/sniff';
import { readMetadata } from '../../utils/metadata/read';
import { stealthSignal } from '../../utils/metadata/stealth';
import { generatorNames } from '../../utils/metadata/signals/generator';
import { AI_LABEL_WEIGHT } from '../../utils/verdict';
import type { Signal } from '../../utils/types';

export interface FileOutcome {
  c2pa: boolean;
  ai: boolean;
  generator: string | null;
  error: string | null;
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

export async function checkFile(bytes: Uint8Array): Promise<FileOutcome & { ms: number; signals: Signal[]; warnings: string[] }> {
  const t0 = performance.now();
  const format = sniffFormat(bytes);
  const meta = await readMetadata(bytes, format);
  const signals = [...meta.signals];
  if ((format === 'png' || format === 'webp') && !signals.some((s) => s.source === 'generator')) {
    const px = await fullPixels(bytes);
    const st = px && stealthSignal(px);
    if (st) signals.push(st);
  }
  const ms = performance.now() - t0;
  const ai = signals.some((s) => (s.kind === 'ai' || s.kind === 'c2pa') && s.weight >= AI_LABEL_WEIGHT);
  const c2pa = signals.some((s) => s.source === 'c2pa' && s.kind === 'c2pa');
  const generator = generatorNames(signals)[0] ?? null;
  const error = meta.warnings.includes('metadata_failed') ? 'metadata_failed' : null;
  return { c2pa, ai, generator, error, ms, signals, warnings: meta.warnings };
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
    return { outcome: { c2pa: r.c2pa, ai: r.ai, generator: r.generator, error: hang ? 'hang' : r.error }, crash: hang, ms: r.ms };
  } catch (e) {
    return { outcome: { c2pa: false, ai: false, generator: null, error: `crash: ${String((e as Error)?.message ?? e).slice(0, 200)}` }, crash: true, ms: 0 };
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
  for (const [name, truth] of Object.entries(labels)) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(root, name)));
    } catch {
      files[name] = { c2pa: false, ai: false, generator: null, error: 'missing' };
      continue;
    }
    const { outcome, crash } = await evaluateWithEditor(bytes, name, truth, (hit) => {
      edTrue++;
      if (hit) edHit++;
    });
    files[name] = outcome.outcome;
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
  console.log(JSON.stringify({ perDir, misses, generatorAccuracy: ratio(genRight, genTotal), editorRecall: ratio(edHit, edTrue), slowestMs: Math.round(slowest) }));
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
  for (const name of listImages(root)) {
    const r = await evaluate(new Uint8Array(readFileSync(join(root, name))));
    files[name] = r.outcome;
    if (r.crash) crashes++;
    if (r.outcome.ai) ai++;
    if (r.outcome.c2pa) c2pa++;
  }
  if (out) writeFileSync(out, JSON.stringify({ files }, null, 1));
  console.log(JSON.stringify({ files: Object.keys(files).length, ai, c2pa, crashes }));
}

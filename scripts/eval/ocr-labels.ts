/**
 * Visible-label figures: `npm run eval:ocr -- <dir>` on a folder made by eval:make-labels (or any
 * folder with labels.json; explicit.json optional). Prints
 * {"explicit":{"read","labelled","falseLabels","unlabelled","warmMsPerCheck","modelLoadMs","notChecked","found"}}.
 * `labelled` / `read` use labels.json's `ai` (for a make-labels folder: the visible label); an image the
 * decoder cannot open counts as not checked (never a crash).
 */
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { PaddleReader } from '../../utils/ocr/paddle';
import { findExplicitLabel } from '../../utils/ocr/label-rule';

export async function loadNodeReader(): Promise<{ reader: PaddleReader; ms: number }> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const dir = join(process.cwd(), 'node_modules', '@gutenye', 'ocr-models', 'assets');
  const t0 = performance.now();
  const reader = await PaddleReader.load(ort as never, {
    det: readFileSync(join(dir, 'ch_PP-OCRv4_det_infer.onnx')), rec: readFileSync(join(dir, 'ch_PP-OCRv4_rec_infer.onnx')), keys: readFileSync(join(dir, 'ppocr_keys_v1.txt'), 'utf8'),
  });
  return { reader, ms: performance.now() - t0 };
}

export async function explicitLabelOf(reader: PaddleReader, bytes: Buffer, maxSide = 2048) {
  const { data, info } = await sharp(bytes).resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const meta = await sharp(bytes).metadata();
  const k = (meta.width ?? info.width) / info.width;
  const lines = await reader.read({ data, width: info.width, height: info.height });
  const found = findExplicitLabel(lines, info.width, info.height);
  return { lines, found: found ? { ...found, box: found.box.map((v) => Math.round(v * k)) as [number, number, number, number] } : undefined };
}

if (process.argv[1]?.endsWith('ocr-labels.ts')) {
  const dir = process.argv[2];
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Record<string, { ai: boolean }>;
  const { reader, ms } = await loadNodeReader();
  const notChecked: string[] = [], labelsFound: string[] = [];
  let read = 0, labelled = 0, fp = 0, unl = 0, total = 0, n = 0;
  const files: Record<string, unknown> = {};
  const verbose = process.argv.includes('--verbose');
  // --max-side N: read at the size the extension analyses (LIMITS.analysisMaxSide) instead of 2048
  const mi = process.argv.indexOf('--max-side');
  const maxSide = mi > 0 ? Number(process.argv[mi + 1]) : 2048;
  for (const [f, truth] of Object.entries(labels)) {
    if (!existsSync(join(dir, f))) continue;
    const bytes = readFileSync(join(dir, f));
    const t0 = performance.now();
    let lines: { text: string }[] = [], found: Awaited<ReturnType<typeof explicitLabelOf>>['found'];
    try { ({ lines, found } = await explicitLabelOf(reader, bytes, maxSide)); } catch (e) { notChecked.push(f); files[f] = { explicitLabel: null, explicitLabelBox: null, explicitLabelError: String((e as Error).message ?? e) }; continue; }
    if (found) labelsFound.push(`${f}: ${found.text}`);
    if (n++ > 0) total += performance.now() - t0; // first one warms the session
    files[f] = { explicitLabel: found?.text ?? null, explicitLabelBox: found?.box ?? null };
    if (truth.ai) { labelled++; if (found) read++; } else { unl++; if (found) fp++; }
    if (verbose && (truth.ai !== !!found)) console.error(f, truth.ai, JSON.stringify(lines.map((l) => l.text)));
  }
  const oi = process.argv.indexOf('--out');
  if (oi > 0) writeFileSync(process.argv[oi + 1], JSON.stringify({ files }, null, 1));
  console.log(JSON.stringify({ explicit: { read: labelled ? read / labelled : null, labelled, falseLabels: fp, unlabelled: unl, warmMsPerCheck: Math.round(total / Math.max(1, n - 1)), modelLoadMs: Math.round(ms), notChecked: notChecked.length, found: labelsFound } }));
}

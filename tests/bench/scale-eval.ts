/**
 * Matching accuracy of a derived set (truth.json, ../shared/eval) with the library padded by N
 * synthetic distractor references (the index benches' fingerprints, tests/bench/node.ts): the
 * figures `npm run eval` gives at 17 references, at a library size where the index's search
 * shortcuts matter. Runs the extension's pipeline (runCheck) per query, like scripts/eval/derived.ts.
 *
 *   npx tsx tests/bench/scale-eval.ts ../shared/eval/derived --distractors 100000 [--out f.json]
 *
 * Prints one JSON line last: {recall, falseMatchRate, correctReference, misses, wrong, falseMatches, medianMs}.
 * The real references are added after the distractors (ties in a ranking favour neither).
 * Works with the index of any revision that has ReferenceIndex.add/candidates (the loader option is
 * ignored by an index that keeps its entries).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCheck } from '../../utils/check';
import { decodeInNode } from '../../utils/image/decode-node';
import { computeFingerprint } from '../../utils/hash/fingerprint';
import { ReferenceIndex, type IndexEntry } from '../../utils/hash/index';
import { workingCopy } from '../../scripts/eval/derived';
import type { RGBAImage } from '../../utils/types';
import { benchId, benchLoader, syntheticFingerprint } from './node';

const args = process.argv.slice(2);
const opt = (k: string) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const root = resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? '../shared/eval/derived');
const distractors = Number(opt('--distractors') ?? 100000);
const out = opt('--out');

const truth = JSON.parse(readFileSync(join(root, 'truth.json'), 'utf8')) as { references?: string[]; queries: Record<string, { derivedFrom: string | null }> };
const refNames = truth.references ?? readdirSync(join(root, 'references')).filter((f) => !f.startsWith('.'));
const real = new Map<string, IndexEntry>();
const pixels = new Map<string, RGBAImage>();
const load = async (ids: string[]) => {
  const fromBench = await benchLoader(ids);
  return ids.map((id, i) => real.get(id) ?? fromBench[i]);
};
const index = new (ReferenceIndex as unknown as new (o?: unknown) => ReferenceIndex)({ load });
const t0 = performance.now();
// the same ids and fingerprints as benchLoader makes again (seed 5)
for (let i = 0; i < distractors; i += 1000) {
  const ids = Array.from({ length: Math.min(1000, distractors - i) }, (_, j) => benchId(5, i + j));
  for (const e of await benchLoader(ids)) index.add(e!);
}
for (const name of refNames) {
  const img = await workingCopy(new Uint8Array(readFileSync(join(root, 'references', name))));
  pixels.set(name, img);
  const e = { id: name, name, libraryId: 'eval', fp: computeFingerprint(img) };
  real.set(name, e);
  index.add(e);
}
(index as { build?: () => void }).build?.();
void syntheticFingerprint;
console.error(`index: ${index.size} references in ${Math.round(performance.now() - t0)} ms`);

const deps = { index, loadReference: async (id: string) => pixels.get(id), decode: decodeInNode };
const rows: { name: string; truth: string | null; got: string | null; ms: number }[] = [];
for (const [name, tq] of Object.entries(truth.queries)) {
  const bytes = new Uint8Array(readFileSync(join(root, 'queries', name)));
  const t = performance.now();
  const res = await runCheck({ bytes }, deps);
  rows.push({ name, truth: tq.derivedFrom, got: res.match?.referenceName ?? null, ms: performance.now() - t });
}
const pos = rows.filter((r) => r.truth), neg = rows.filter((r) => !r.truth);
const matched = pos.filter((r) => r.got);
const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
const summary = {
  dataset: root, references: index.size,
  recall: pos.length ? matched.length / pos.length : 0,
  falseMatchRate: neg.length ? neg.filter((r) => r.got).length / neg.length : 0,
  correctReference: matched.length ? matched.filter((r) => r.got === r.truth).length / matched.length : 0,
  misses: pos.filter((r) => !r.got).map((r) => r.name),
  wrong: matched.filter((r) => r.got !== r.truth).map((r) => `${r.name}:${r.got}`),
  falseMatches: neg.filter((r) => r.got).map((r) => `${r.name}:${r.got}`),
  medianMs: Math.round(ms[ms.length >> 1]),
};
if (out) writeFileSync(out, JSON.stringify({ summary, rows }, null, 1));
console.log(JSON.stringify(summary));

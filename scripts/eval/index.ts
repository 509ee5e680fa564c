/**
 * `npm run eval -- <dataset-dir> [--out <file>] [--trace q1.jpg,q2.jpg|'*']` — see ../shared/CONTRACTS.md
 * for the output shapes. `--trace` prints each matching step (MatchDeps.trace) of the named queries
 * of a derived set: which candidates, alignments and dense-comparison figures decided them.
 * Dispatches on what the folder holds: truth.json → derived/matching evaluation,
 * labels.json → metadata label evaluation, otherwise the per-file `files` report.
 * Prints one JSON object as its last line.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : undefined;
const traceAt = args.indexOf('--trace');
const trace = traceAt >= 0 ? (args[traceAt + 1] ?? '*').split(',') : undefined;
const dir = args.find((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1) && (traceAt < 0 || i !== traceAt + 1));

if (!dir) {
  console.error('usage: npm run eval -- <dataset-dir> [--out <file>]');
  process.exit(2);
}
const root = resolve(dir);
if (!existsSync(root)) {
  // The project must run without ../shared: a missing dataset is a clean skip, not a failure.
  console.error(`eval: ${root} does not exist, skipping`);
  console.log(JSON.stringify({ skipped: true, reason: 'dataset not found', dir: root }));
  process.exit(0);
}

if (existsSync(join(root, 'truth.json'))) {
  const { evalDerived } = await import('./derived');
  await evalDerived(root, out, { trace });
} else if (existsSync(join(root, 'labels.json'))) {
  const { evalLabels } = await import('./labels');
  await evalLabels(root, out);
} else {
  const { evalFiles } = await import('./labels');
  await evalFiles(root, out);
}

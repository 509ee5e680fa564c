/**
 * `npm run eval:leave-out -- <dataset-dir> <out-prefix>`
 *
 * False-match test at scale from any dataset in the format of ../shared/eval/README.md: writes
 * `<out-prefix>0` and `<out-prefix>1`, each with every other reference (by index) and all queries;
 * a query derived from a reference left out becomes a negative (`derivedFrom: null`,
 * `hardNegative` names the reference it was made from). Files are symlinked, not copied.
 * Then `npm run eval -- <out-prefix>0` (and 1) prints the false-match rate on those copies.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface Truth {
  references: string[];
  queries: Record<string, { derivedFrom: string | null; mask?: string; transform?: string; jpegQuality?: number; [k: string]: unknown }>;
}

export function leaveOut(dir: string, prefix: string): { out: string; references: number; negatives: number }[] {
  const src = resolve(dir);
  const truth = JSON.parse(readFileSync(join(src, 'truth.json'), 'utf8')) as Truth;
  return [0, 1].map((half) => {
    const out = resolve(`${prefix}${half}`);
    if (existsSync(out)) rmSync(out, { recursive: true });
    for (const d of ['references', 'queries', 'masks']) mkdirSync(join(out, d), { recursive: true });
    const keep = truth.references.filter((_, i) => i % 2 === half);
    for (const r of keep) symlinkSync(join(src, 'references', r), join(out, 'references', r));
    const queries: Truth['queries'] = {};
    let negatives = 0;
    for (const [q, t] of Object.entries(truth.queries)) {
      symlinkSync(join(src, 'queries', q), join(out, 'queries', q));
      if (t.derivedFrom && !keep.includes(t.derivedFrom)) {
        queries[q] = { derivedFrom: null, transform: t.transform, jpegQuality: t.jpegQuality, hardNegative: t.derivedFrom };
      } else {
        queries[q] = t;
        if (t.mask) symlinkSync(join(src, t.mask), join(out, t.mask));
      }
      if (!queries[q].derivedFrom) negatives++;
    }
    writeFileSync(join(out, 'truth.json'), JSON.stringify({ references: keep, queries }));
    return { out, references: keep.length, negatives };
  });
}

const isMain = process.argv[1] && /leave-out\.ts$/.test(process.argv[1]);
if (isMain) {
  const [dir, prefix] = process.argv.slice(2);
  if (!dir || !prefix) {
    console.error('usage: npm run eval:leave-out -- <dataset-dir> <out-prefix>');
    process.exit(2);
  }
  if (!existsSync(join(dir, 'truth.json'))) {
    console.log(JSON.stringify({ skipped: true, reason: 'dataset not found', dir }));
    process.exit(0);
  }
  console.log(JSON.stringify({ halves: leaveOut(dir, prefix) }));
}

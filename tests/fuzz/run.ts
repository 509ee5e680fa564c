/**
 * npm run fuzz -- --cases N [--seed S] [--time-limit-ms T] [--workers W] [--case I[,J…]] [--no-save]
 * npm run fuzz -- --replay tmp/fuzz-findings/<file>.bin
 *
 * Seeded mutation fuzzing of the check path (admit → metadata → decode → fingerprint/match →
 * verdict) on real-format files built in code. --time-limit-ms is the per-case limit past which
 * a case counts as a hang. Progress goes to stderr; details, then ONE JSON object as the last
 * line of stdout: {"cases","crashes","hangs","slowestMs"}.
 */
import { DEFAULTS, replay, runFuzz, type FuzzSummary } from './runner';

function args(argv: string[]) {
  const a: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) continue;
    const [name, inline] = k.slice(2).split('=', 2);
    if (inline !== undefined) a[name] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) a[name] = argv[++i];
    else a[name] = true;
  }
  return a;
}

function num(v: string | true | undefined, def: number, name: string): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`fuzz: --${name} needs a number\n`);
    process.exit(2);
  }
  return Math.floor(n);
}

const a = args(process.argv.slice(2));
const common = {
  timeLimitMs: num(a['time-limit-ms'], DEFAULTS.timeLimitMs, 'time-limit-ms'),
  workers: Math.max(1, num(a.workers, DEFAULTS.workers, 'workers')),
  findingsDir: a['no-save'] ? null : typeof a.out === 'string' ? a.out : DEFAULTS.findingsDir,
};

let s: FuzzSummary;
if (typeof a.replay === 'string') {
  s = await replay(a.replay, common);
} else {
  const only = typeof a.case === 'string' ? a.case.split(',').map((x) => Number(x)).filter((x) => Number.isInteger(x) && x >= 0) : undefined;
  s = await runFuzz({
    ...common,
    cases: num(a.cases, DEFAULTS.cases, 'cases'),
    seed: num(a.seed, DEFAULTS.seed, 'seed'),
    only,
  });
}

const out = (l: string) => process.stdout.write(l + '\n');
out(`wall time: ${(s.wallMs / 1000).toFixed(1)} s, ${(s.cases / Math.max(0.001, s.wallMs / 1000)).toFixed(0)} cases/s`);
out(`formats: ${JSON.stringify(s.formats)}`);
out(`outcomes: ${JSON.stringify(s.outcomes)}`);
out(`cases past the limit once but answering on retry (CPU starvation, not counted as hangs): ${s.unconfirmedHangs}`);
out(`slowest stage: ${Object.entries(s.stageMax).map(([k, v]) => `${k} ${v.ms} ms (case ${v.case} ${v.base})`).join(', ')}`);
for (const [k, v] of Object.entries(s.notes)) {
  out(`note (not a crash: an exception caught inside the pipeline, or an oversized result): ${k} ×${v.count}`);
  for (const ex of v.examples) out(`  case ${ex.case} ${ex.base}: ${ex.detail.slice(0, 400)}${ex.file ? ` (${ex.file})` : ''}`);
}
if (s.generatorErrors) out(`fuzzer (generator) errors, cases skipped: ${s.generatorErrors}`);
out(`slowest: ${s.slowest.map((x) => `case ${x.case} ${x.base} [${x.ops.join('+')}] ${x.ms} ms`).join('; ')}`);
for (const f of s.findings.slice(0, 20)) out(`${f.kind}: case ${f.case} ${f.base} [${f.ops.join('+')}] ${f.detail.split('\n')[0].slice(0, 200)}${f.file ? ` (${f.file})` : ''}`);
if (s.findings.length > 20) out(`… ${s.findings.length - 20} more findings`);
out(JSON.stringify({ cases: s.cases, crashes: s.crashes, hangs: s.hangs, slowestMs: s.slowestMs }));
process.exitCode = 0;

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDataset } from '../../../scripts/eval/make';
import { runDerivedEval } from '../../../scripts/eval/derived';

describe('eval:make + derived eval on a small generated dataset', () => {
  it('builds truth.json with exact masks and scores it with the extension pipeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-eval-'));
    try {
      await makeDataset(null, dir, { perRef: 4, seed: 3, synthetic: 2, flat: 1, dark: 1 }, () => {});
      const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
      expect(truth.references).toHaveLength(4);
      const qs = Object.values(truth.queries) as { derivedFrom: string | null; mask?: string; hardNegative?: string }[];
      expect(qs.filter((q) => q.hardNegative)).toHaveLength(6);
      for (const q of qs) if (q.mask) expect(existsSync(join(dir, q.mask))).toBe(true);
      const { summary, outcomes } = await runDerivedEval(dir, () => {});
      expect(outcomes).toHaveLength(qs.length);
      expect(summary.derived.falseMatchRate).toBe(0);
      expect(summary.derived.recall).toBeGreaterThanOrEqual(0.75);
      expect(summary.derived.correctReference).toBe(1);
      expect(summary.baseline.derived).toHaveProperty('recall');
      expect(summary.localization.medianIoU).toBeGreaterThan(0.2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

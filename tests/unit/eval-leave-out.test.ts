import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaveOut } from '../../scripts/eval/leave-out';

describe('eval:leave-out', () => {
  it('each half keeps every other reference; copies of the left-out ones become negatives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-leave-'));
    try {
      for (const d of ['references', 'queries', 'masks']) mkdirSync(join(dir, d));
      for (const f of ['references/a.jpg', 'references/b.jpg', 'queries/q1.jpg', 'queries/q2.jpg', 'queries/q3.jpg', 'masks/q2.png']) writeFileSync(join(dir, f), f);
      writeFileSync(join(dir, 'truth.json'), JSON.stringify({
        references: ['a.jpg', 'b.jpg'],
        queries: {
          'q1.jpg': { derivedFrom: 'a.jpg', transform: 'crop', jpegQuality: 70 },
          'q2.jpg': { derivedFrom: 'b.jpg', transform: 'mirror', jpegQuality: 50, edit: { kind: 'crack', box: [0, 0, 1, 1] }, mask: 'masks/q2.png' },
          'q3.jpg': { derivedFrom: null, transform: 'resize', jpegQuality: 90 },
        },
      }));
      const halves = leaveOut(dir, join(dir, 'half'));
      expect(halves.map((h) => [h.references, h.negatives])).toEqual([[1, 2], [1, 2]]);
      const t0 = JSON.parse(readFileSync(join(dir, 'half0', 'truth.json'), 'utf8'));
      expect(t0.references).toEqual(['a.jpg']);
      expect(t0.queries['q1.jpg'].derivedFrom).toBe('a.jpg');
      expect(t0.queries['q2.jpg']).toEqual({ derivedFrom: null, transform: 'mirror', jpegQuality: 50, hardNegative: 'b.jpg' });
      expect(readFileSync(join(dir, 'half1', 'masks', 'q2.png'), 'utf8')).toBe('masks/q2.png');
      expect(readFileSync(join(dir, 'half0', 'queries', 'q2.jpg'), 'utf8')).toBe('queries/q2.jpg');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

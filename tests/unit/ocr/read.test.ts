import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabelSet, type MadeLabel } from '../../../scripts/eval/make-labels';
import { explicitLabelOf, loadNodeReader } from '../../../scripts/eval/ocr-labels';
import type { PaddleReader } from '../../../utils/ocr/paddle';

// Generated photos (labelled / shop text / plain) through the real PaddleOCR models in onnxruntime-web.
describe('visible AI label read from generated pixels', () => {
  let dir: string, made: MadeLabel[], reader: PaddleReader;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rl-ocr-'));
    made = await makeLabelSet(dir, 9, 11);
    reader = (await loadNodeReader()).reader;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every label, with its box, and no label on shop text or none', async () => {
    for (const m of made) {
      const { lines, found } = await explicitLabelOf(reader, readFileSync(join(dir, m.file)));
      if (m.label) {
        expect(found, `${m.note}: ${JSON.stringify(lines)}`).toBeDefined();
        const [x0, y0, x1, y1] = found!.box, [t0, u0, t1, u1] = m.box!;
        // the read box overlaps the drawn text box
        expect(Math.min(x1, t1) > Math.max(x0, t0) && Math.min(y1, u1) > Math.max(y0, u0)).toBe(true);
      } else {
        expect(found, `${m.note}: ${JSON.stringify(lines)}`).toBeUndefined();
        if (m.text) expect(lines.length, m.note).toBeGreaterThan(0); // the shop text was seen, and rejected
      }
    }
  }, 120_000);
});

/** The shipped build's content script (all it loads before a click) stays under 30 KB gzip. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentScriptGzipBytes } from '../bench/content-size';

const DIR = '.output/chrome-mv3';

describe.skipIf(!existsSync(`${DIR}/manifest.json`))('content script size (run after npm run build)', () => {
  it('is at most 30 KB gzip -9', async () => {
    const bytes = await contentScriptGzipBytes(DIR);
    console.log(JSON.stringify({ contentScriptGzipBytes: bytes }));
    expect(bytes).toBeGreaterThan(1000);
    expect(bytes).toBeLessThanOrEqual(30 * 1024);
  });
});

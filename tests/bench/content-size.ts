/**
 * `contentScriptGzipBytes`: gzip -9 size of everything the content script loads on a seller page
 * before any click — the manifest's content_scripts js and css files, plus any extension file
 * they name (a chunk or stylesheet fetched through runtime.getURL), each counted once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';

export async function contentScriptGzipBytes(outputDir: string): Promise<number> {
  const manifest = JSON.parse(readFileSync(join(outputDir, 'manifest.json'), 'utf8')) as { content_scripts?: { js?: string[]; css?: string[] }[] };
  const todo: string[] = [];
  for (const cs of manifest.content_scripts ?? []) todo.push(...(cs.js ?? []), ...(cs.css ?? []));
  const seen = new Set<string>();
  let total = 0;
  while (todo.length) {
    const rel = normalize(todo.pop()!.replace(/^\//, ''));
    if (seen.has(rel)) continue;
    seen.add(rel);
    const file = join(outputDir, rel);
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    total += gzipSync(bytes, { level: 9 }).length;
    // files a loaded script names by path (dynamic chunks, injected css)
    for (const m of bytes.toString('utf8').matchAll(/["'`]\/?((?:chunks|content-scripts|assets)\/[\w.-]+\.(?:js|css))["'`]/g)) todo.push(m[1]);
  }
  return total;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? '.output/chrome-mv3';
  console.log(JSON.stringify({ contentScriptGzipBytes: await contentScriptGzipBytes(dir) }));
}

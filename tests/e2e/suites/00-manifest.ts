/**
 * The built manifests: permissions as pinned; the shipped build (`npm run build`) runs only on
 * seller centres, the e2e build adds the localhost demo/test hosts (../shared/CONTRACTS.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_DIR, SHIPPED_DIR } from '../harness';
import { expect, test } from '../registry';
import { allImageHosts, allSellerMatches, shippedSellerMatches } from '../../../utils/sites';

for (const [flavour, dir, demo] of [['e2e', EXTENSION_DIR, true], ['shipped', SHIPPED_DIR, false]] as const)
test(`built manifest (${flavour}): least privilege, content script only where it belongs, no web-accessible resources`, async () => {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  expect(JSON.stringify(m.permissions) === JSON.stringify(['storage', 'contextMenus', 'unlimitedStorage', 'scripting', 'offscreen']), `permissions ${JSON.stringify(m.permissions)}`);
  const hosts = new Set(m.host_permissions as string[]);
  expect(hosts.size === (demo ? 2 : 0) + new Set(allImageHosts()).size, `host permissions = ${demo ? 'demo + ' : ''}image CDNs, got ${hosts.size}`);
  const local = [...hosts, ...(m.content_scripts as { matches: string[] }[]).flatMap((c) => c.matches)].filter((h) => /localhost|127\.0\.0\.1/.test(h));
  expect(demo ? local.length === 4 : local.length === 0, `localhost ${demo ? 'only in' : 'never in'} the ${flavour} build: ${JSON.stringify(local)}`);
  expect(!hosts.has('<all_urls>') && !hosts.has('*://*/*'), 'never all sites');
  const cs = m.content_scripts as { matches: string[] }[];
  expect(cs.length === 1, 'one content script');
  const want = demo ? allSellerMatches() : shippedSellerMatches();
  expect(JSON.stringify([...cs[0].matches].sort()) === JSON.stringify([...want].sort()), `content script matches = adapters${demo ? ' + demo' : ''}`);
  // The shipped content script does not even contain the result hooks.
  const content = readFileSync(join(dir, 'content-scripts', 'content.js'), 'utf8');
  const hooks = ['data-verdict', 'data-match', 'data-check-id'].filter((h) => content.includes(h));
  expect(demo ? hooks.length === 3 : hooks.length === 0, `${flavour}: result hooks in content.js: ${JSON.stringify(hooks)}`);
  expect(!m.web_accessible_resources, 'pages cannot load extension resources');
  expect(m.content_security_policy?.extension_pages === "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'", "strict CSP ('wasm-unsafe-eval' for the C2PA reader the only addition)");
});

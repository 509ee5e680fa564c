/** The built manifest: permissions as pinned, content script only on seller centres + demo hosts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_DIR } from '../harness';
import { expect, test } from '../registry';
import { allImageHosts, allSellerMatches } from '../../../utils/sites';

test('built manifest: least privilege, content script only where it belongs, no web-accessible resources', async () => {
  const m = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
  expect(JSON.stringify(m.permissions) === JSON.stringify(['storage', 'contextMenus', 'unlimitedStorage', 'scripting', 'offscreen']), `permissions ${JSON.stringify(m.permissions)}`);
  const hosts = new Set(m.host_permissions as string[]);
  expect(hosts.size === 2 + new Set(allImageHosts()).size, `host permissions = demo + image CDNs, got ${hosts.size}`);
  expect(!hosts.has('<all_urls>') && !hosts.has('*://*/*'), 'never all sites');
  const cs = m.content_scripts as { matches: string[] }[];
  expect(cs.length === 1, 'one content script');
  expect(JSON.stringify([...cs[0].matches].sort()) === JSON.stringify([...allSellerMatches()].sort()), 'content script matches = adapters + demo');
  expect(!m.web_accessible_resources, 'pages cannot load extension resources');
  expect(m.content_security_policy?.extension_pages === "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'", "strict CSP ('wasm-unsafe-eval' for the C2PA reader the only addition)");
});

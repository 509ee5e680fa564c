/**
 * End-to-end tests: Debian's Chromium (playwright-core) with the built extension, driven through
 * the stable hooks of ../shared/CONTRACTS.md. Suites live in tests/e2e/suites/ and run in file
 * order in one browser. Prints `N passed, N failed` as its closing line.
 * Run: `npm run test:e2e` (builds first). Filter: `tsx tests/e2e/run.ts "<name-substring>|<another>"`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchWithExtension, startEgressTrap, startServer } from './harness';
import { demoRoutes } from '../fixtures/demo';
import { tests, session } from './registry';

for (const f of readdirSync(join(import.meta.dirname, 'suites')).filter((f) => f.endsWith('.ts')).sort()) {
  await import('./suites/' + f);
}

async function main() {
  const filter = process.argv[2];
  const server = await startServer(await demoRoutes());
  // Every request to anything but loopback goes to this trap (see suites/99-egress.ts).
  const trap = await startEgressTrap();
  session.egress = trap.seen;
  session.proxy = trap.url;
  const b = await launchWithExtension({ proxy: trap.url });
  let passed = 0, failed = 0;
  for (const t of tests) {
    if (filter && !filter.split("|").some((f) => t.name.includes(f))) continue;
    const t0 = Date.now();
    try {
      await t.fn(b, server);
      passed++;
      console.log(`✓ ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`✗ ${t.name}\n    ${(e as Error).stack ?? e}`);
    }
  }
  await b.close();
  await server.close();
  await trap.close();
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();

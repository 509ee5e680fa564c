/** Minimal e2e test registry: suites in tests/e2e/suites/*.ts call `test()`; run.ts runs them. */
import type { ExtensionBrowser, LocalServer } from './harness';

export type E2ETest = { name: string; fn: (b: ExtensionBrowser, s: LocalServer) => Promise<void> };
export const tests: E2ETest[] = [];
export const test = (name: string, fn: E2ETest['fn']) => void tests.push({ name, fn });

export function expect(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error('expected: ' + what);
}

/** Shared state of one e2e session (set by run.ts). */
export const session: { egress: string[]; proxy?: string } = { egress: [] };

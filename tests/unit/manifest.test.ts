import { describe, expect, it } from 'vitest';
import config from '../../wxt.config';

/**
 * Pins the permissions: widening them must be a deliberate change of this test.
 * (The built manifest, with the content-script matches, is checked again in the e2e suite.)
 */
describe('manifest permissions', () => {
  const manifest = (config.manifest as (env: { browser: string; manifestVersion: number; mode: string; command: string }) => Record<string, unknown>)({
    browser: 'chrome', manifestVersion: 3, mode: 'production', command: 'build',
  });
  it('asks only for what the features need', () => {
    expect(manifest.permissions).toEqual(['storage', 'contextMenus', 'unlimitedStorage', 'scripting', 'offscreen']);
    expect(manifest.optional_host_permissions).toEqual(['*://*/*']);
  });
  it('Firefox has no offscreen documents: its build does not ask for them (JPEGs decode in place there)', () => {
    const ff = (config.manifest as (env: { browser: string; manifestVersion: number; mode: string; command: string }) => Record<string, unknown>)({
      browser: 'firefox', manifestVersion: 3, mode: 'production', command: 'build',
    });
    expect(ff.permissions).toEqual(['storage', 'contextMenus', 'unlimitedStorage', 'scripting']);
  });
  it('host permissions are the seller image CDNs, never all sites, never localhost in the shipped build', () => {
    const hosts = manifest.host_permissions as string[];
    expect(hosts.filter((h) => /localhost|127\.0\.0\.1/.test(h))).toEqual([]);
    for (const h of hosts) {
      expect(h).not.toMatch(/^(\*:\/\/\*\/|<all_urls>|https?:\/\/\*\/)/);
      expect(h).toMatch(/^(https?|\*):\/\/[a-z0-9.*-]+\/.*$/);
    }
  });
  it('the e2e build (REFUNDLENS_E2E=1) adds the localhost demo/test hosts, nothing else', () => {
    const saved = process.env.REFUNDLENS_E2E;
    process.env.REFUNDLENS_E2E = '1';
    try {
      const e2e = (config.manifest as (env: { browser: string; manifestVersion: number; mode: string; command: string }) => Record<string, unknown>)({
        browser: 'chrome', manifestVersion: 3, mode: 'production', command: 'build',
      });
      const hosts = e2e.host_permissions as string[];
      expect(hosts.slice(0, 2)).toEqual(['http://127.0.0.1/*', 'http://localhost/*']);
      expect(hosts.slice(2)).toEqual(manifest.host_permissions);
    } finally {
      if (saved === undefined) delete process.env.REFUNDLENS_E2E;
      else process.env.REFUNDLENS_E2E = saved;
    }
  });
  it("strict extension CSP without remote code; 'wasm-unsafe-eval' (the C2PA reader) the only addition", () => {
    expect(manifest.content_security_policy).toEqual({ extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" });
  });
});

/**
 * Small settings the content script must read (it cannot open the extension's IndexedDB):
 * kept in storage.local.
 *  - `site:<hostname>` → false when the merchant switched RefundLens off on that site
 *  - `rules` → the merchant's validated site rules (utils/sites/rules.ts)
 */
import { browser } from 'wxt/browser';
import { validateRule, type MerchantRule } from './sites/rules';

export async function siteEnabled(hostname: string): Promise<boolean> {
  try {
    const key = `site:${hostname}`;
    const v = await browser.storage.local.get(key);
    return v[key] !== false;
  } catch {
    return true;
  }
}

export async function setSiteEnabled(hostname: string, enabled: boolean): Promise<void> {
  await browser.storage.local.set({ [`site:${hostname}`]: enabled });
}

/** Sites the merchant switched off. */
export async function disabledSites(): Promise<string[]> {
  const all = await browser.storage.local.get(null);
  return Object.entries(all).filter(([k, v]) => k.startsWith('site:') && v === false).map(([k]) => k.slice(5));
}

/** Stored rules, re-validated on every read (storage is not trusted blindly). */
export async function getRules(): Promise<MerchantRule[]> {
  try {
    const { rules } = await browser.storage.local.get('rules');
    if (!Array.isArray(rules)) return [];
    return rules.map(validateRule).flatMap((c) => (c.ok ? [c.rule] : []));
  } catch {
    return [];
  }
}

export async function setRules(rules: MerchantRule[]): Promise<void> {
  await browser.storage.local.set({ rules });
}

/**
 * Small settings the content script must read (it cannot open the extension's IndexedDB):
 * kept in storage.local. Per-site switch: `site:<hostname>` → false when the merchant turned it off.
 */
import { browser } from 'wxt/browser';

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

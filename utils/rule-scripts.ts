/**
 * The content script runs on the platforms' seller pages by the manifest. On hosts the merchant
 * added as rules it is registered at run time, only for origins the merchant granted.
 */
import { browser } from 'wxt/browser';
import { originPatternsForRule } from './sites/rules';
import { getRules } from './settings';

const SCRIPT_ID = 'refundlens-rules';

export async function syncRuleScripts(): Promise<string[]> {
  const rules = await getRules();
  const wanted = [...new Set(rules.flatMap(originPatternsForRule))];
  const granted: string[] = [];
  for (const p of wanted) {
    if (await browser.permissions.contains({ origins: [p] }).catch(() => false)) granted.push(p);
  }
  await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] }).catch(() => {});
  if (granted.length) {
    await browser.scripting.registerContentScripts([
      { id: SCRIPT_ID, matches: granted, js: ['content-scripts/content.js'], runAt: 'document_idle', allFrames: true, persistAcrossSessions: true },
    ]);
  }
  return granted;
}

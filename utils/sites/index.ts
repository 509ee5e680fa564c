/**
 * Which adapter runs on a page. Order of precedence for a URL:
 *   1. a merchant rule for that host WITH a selector (the merchant said exactly what to check),
 *   2. the platform adapter whose `matches` cover the URL,
 *   3. a merchant rule for that host without a selector (generic heuristic on that host),
 *   4. `generic` (only its own demo hosts are in the manifest).
 * Among rules, an exact host wins over a `*.domain` wildcard.
 * Adapters only decide where the in-page button appears; the context-menu path works everywhere.
 */
import type { SiteAdapter } from './types';
import { generic } from './generic';
import { PLATFORMS } from './platforms';
import { makeRuleAdapter, type MerchantRule } from './rules';

/** Every seller-centre adapter, most specific first; `generic` is the fallback. */
export const ADAPTERS: SiteAdapter[] = [...PLATFORMS];

const ruleCache = new Map<string, ReturnType<typeof makeRuleAdapter>>();
function ruleAdapter(rule: MerchantRule) {
  const key = `${rule.host}\n${rule.selector ?? ''}\n${rule.id ?? ''}`;
  let a = ruleCache.get(key);
  if (!a) {
    if (ruleCache.size > 200) ruleCache.clear();
    a = makeRuleAdapter(rule);
    ruleCache.set(key, a);
  }
  return a;
}

export function adapterFor(url: URL, rules: readonly MerchantRule[] = []): SiteAdapter {
  const matching = rules
    .map(ruleAdapter)
    .filter((a) => a.appliesTo(url))
    .sort((a, b) => Number(a.rule.host.startsWith('*.')) - Number(b.rule.host.startsWith('*.')));
  const withSelector = matching.find((a) => a.rule.selector);
  if (withSelector) return withSelector;
  const platform = ADAPTERS.find((a) => a.appliesTo(url));
  if (platform) return platform;
  return matching[0] ?? generic;
}

const uniq = (xs: string[]) => [...new Set(xs)];

/** Content-script `matches`: every platform's seller pages plus the demo hosts. */
export function allSellerMatches(): string[] {
  return uniq([...generic.matches, ...ADAPTERS.flatMap((a) => a.matches)]);
}

/** The localhost demo/test pages: only the e2e build (`npm run build:e2e`) runs there. */
export const DEMO_MATCHES: readonly string[] = generic.matches;

/** Content-script matches of the shipped build: the seller centres, never localhost. */
export function shippedSellerMatches(): string[] {
  return uniq(ADAPTERS.flatMap((a) => a.matches)).filter((m) => !DEMO_MATCHES.includes(m));
}

/** Host permissions the background needs to fetch buyer photos from the platforms' image CDNs. */
export function allImageHosts(): string[] {
  return uniq(ADAPTERS.flatMap((a) => a.imageHosts));
}

export { generic };
export { makeRuleAdapter, validateRule, originPatternsForRule, type MerchantRule, type RuleCheck, type RuleError } from './rules';
export type { SiteAdapter } from './types';

/**
 * Merchant rules: "on this host, evidence photos are these elements" — for seller centres and ERP
 * tools without a platform adapter, or to correct one without waiting for an update. A rule is a
 * host (exact, or `*.domain` for all its subdomains) and an optional CSS selector; without a
 * selector the generic refund-context heuristic runs on that host. The options page validates a
 * rule with `validateRule`, asks for `originPatternsForRule(rule)` as an optional host permission
 * (from the click that adds it), and stores the validated rule.
 */
import type { SiteAdapter } from './types';
import { compilePatterns, urlMatches } from './match';
import { imageSource, readTicket } from './common';
import { genericPhotos } from './generic';
import { PLATFORMS } from './platforms';

export interface MerchantRule {
  /** `shop.example.com` or `*.example.com` (lower case, punycode). */
  host: string;
  /** CSS selector of the evidence photos (or of containers whose images are evidence photos). */
  selector?: string;
  id?: string;
}

/** Message keys in locales/sites.json. */
export type RuleError = 'site_rule_invalid' | 'site_rule_bad_host' | 'site_rule_too_wide' | 'site_rule_bad_selector';

export type RuleCheck = { ok: true; rule: MerchantRule } | { ok: false; error: RuleError };

/** Second-level labels under which a `*.` wildcard would span unrelated owners (`*.com.cn`, `*.co.uk`). */
const SHARED_SLD = new Set(['com', 'net', 'org', 'gov', 'edu', 'co', 'ac', 'ne', 'or', 'go', 'gob', 'mil', 'nic', 'ltd', 'plc', 'sch', 'me', 'info', 'biz']);
/** Hosting platforms whose subdomains belong to different people. */
const MULTI_TENANT = new Set([
  'myshopify.com', 'github.io', 'gitlab.io', 'amazonaws.com', 'cloudfront.net', 'appspot.com', 'herokuapp.com', 'vercel.app', 'netlify.app', 'pages.dev', 'workers.dev',
  'firebaseapp.com', 'web.app', 'azurewebsites.net', 'blogspot.com', 'wordpress.com', 'glitch.me', 'repl.co', 'ngrok.io', 'ngrok-free.app', 'onrender.com', 'fly.dev',
]);
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function normaliseHost(raw: string): { host: string; wildcard: boolean } | RuleError {
  let h = raw.trim().toLowerCase();
  if (!h || h.length > 260) return 'site_rule_bad_host';
  h = h.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/[/?#].*$/, '').replace(/:\d{1,5}$/, '').replace(/\.$/, '');
  if (h.includes('@')) return 'site_rule_bad_host';
  const wildcard = h.startsWith('*.');
  const base = wildcard ? h.slice(2) : h;
  if (!base || base.includes('*')) return 'site_rule_too_wide';
  let ascii: string;
  try {
    ascii = new URL(`http://${base}/`).hostname;
  } catch {
    return 'site_rule_bad_host';
  }
  if (ascii !== base && ascii.replace(/\.$/, '') !== base && !/[^\x00-\x7f]/.test(base)) return 'site_rule_bad_host';
  ascii = ascii.replace(/\.$/, '');
  if (ascii.length > 253) return 'site_rule_bad_host';
  if (IPV4.test(ascii) || ascii === 'localhost') return wildcard ? 'site_rule_too_wide' : { host: ascii, wildcard };
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return wildcard && labels.length < 2 ? 'site_rule_too_wide' : 'site_rule_bad_host';
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{2,59})$/.test(labels[labels.length - 1])) return 'site_rule_bad_host';
  if (wildcard && ((labels.length === 2 && SHARED_SLD.has(labels[0])) || MULTI_TENANT.has(ascii))) return 'site_rule_too_wide';
  return { host: (wildcard ? '*.' : '') + ascii, wildcard };
}

/** Conservative selector check for Node (no DOM): plain CSS selector characters, balanced brackets and quotes. */
function selectorLooksValid(sel: string): boolean {
  if (/[{};@\\<]|\/\*/.test(sel)) return false;
  let depthParen = 0, depthBracket = 0;
  let quote = '';
  for (const c of sel) {
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depthParen++;
    else if (c === ')') depthParen--;
    else if (c === '[') depthBracket++;
    else if (c === ']') depthBracket--;
    if (depthParen < 0 || depthBracket < 0) return false;
  }
  return !quote && depthParen === 0 && depthBracket === 0 && !/^[\s,>+~]|[,>+~]\s*$/.test(sel);
}

export function selectorIsValid(sel: string): boolean {
  if (!selectorLooksValid(sel)) return false;
  const doc = (globalThis as { document?: Document }).document;
  if (doc?.createDocumentFragment) {
    try {
      doc.createDocumentFragment().querySelector(sel);
    } catch {
      return false;
    }
  }
  return true;
}

/** Validate what the options page (or storage) holds; returns the normalised rule or an error message key. */
export function validateRule(input: unknown): RuleCheck {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, error: 'site_rule_invalid' };
  const o = input as Record<string, unknown>;
  if (typeof o.host !== 'string') return { ok: false, error: 'site_rule_bad_host' };
  const h = normaliseHost(o.host);
  if (typeof h === 'string') return { ok: false, error: h };
  const rule: MerchantRule = { host: h.host };
  if (o.selector !== undefined && o.selector !== null) {
    if (typeof o.selector !== 'string') return { ok: false, error: 'site_rule_bad_selector' };
    const sel = o.selector.trim();
    if (sel) {
      if (sel.length > 500 || !selectorIsValid(sel)) return { ok: false, error: 'site_rule_bad_selector' };
      rule.selector = sel;
    }
  }
  if (typeof o.id === 'string' && /^[\w:.*-]{1,80}$/.test(o.id)) rule.id = o.id;
  else rule.id = `rule:${h.host}`;
  return { ok: true, rule };
}

/** Match patterns to request as optional host permissions when the merchant adds `rule`. */
export function originPatternsForRule(rule: MerchantRule): string[] {
  return [`https://${rule.host}/*`, `http://${rule.host}/*`];
}

/** The adapter of a validated rule. Invalid rules get an adapter that applies nowhere. */
export function makeRuleAdapter(rule: MerchantRule): SiteAdapter & { rule: MerchantRule } {
  const checked = validateRule(rule);
  const r = checked.ok ? checked.rule : { ...rule, selector: undefined };
  const matches = checked.ok ? originPatternsForRule(r) : [];
  const pages = compilePatterns(matches);
  // Images from a platform CDN (an ERP showing Taobao photos) get that platform's full-size rewrite.
  const fullSizeUrl = (url: string): string => {
    for (const p of PLATFORMS) {
      const out = p.fullSizeUrl(url);
      if (out !== url) return out;
    }
    return url;
  };
  return {
    id: r.id ?? `rule:${r.host}`,
    name: r.host,
    rule: r,
    matches,
    imageHosts: [],
    appliesTo: (url) => checked.ok && urlMatches(url, pages),
    findBuyerPhotos(root) {
      if (!checked.ok) return [];
      if (!r.selector) return genericPhotos(root);
      const out = new Set<HTMLImageElement>();
      try {
        for (const el of root.querySelectorAll(r.selector)) {
          const imgs = el.tagName === 'IMG' ? [el as HTMLImageElement] : Array.from(el.querySelectorAll('img'));
          for (const img of imgs) if (!img.closest('[data-refundlens-skip]') && imageSource(img)) out.add(img);
        }
      } catch {
        return [];
      }
      return [...out];
    },
    fullSizeUrl,
    photoUrl(img) {
      const src = imageSource(img);
      return src ? fullSizeUrl(src) : undefined;
    },
    ticketInfo: (root, img) => ({ site: r.id ?? `rule:${r.host}`, ...readTicket(root, img, {}) }),
  };
}

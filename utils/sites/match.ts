/**
 * WebExtension match patterns (`<scheme>://<host>/<path>`) as regular expressions, so adapters,
 * merchant rules and tests decide "does this URL belong to that site" exactly like the browser
 * decides where the content script runs and which hosts the background may fetch from.
 */

const ESC = /[.+?^${}()|[\]\\]/g;

/** RegExp over `href` without the fragment, or null when `pattern` is not a valid match pattern. */
export function matchPatternToRegExp(pattern: string): RegExp | null {
  if (pattern === '<all_urls>') return /^(?:https?|file|ftp):\/\//i;
  const m = /^(\*|https?|wss?|file|ftp):\/\/(\*|\*\.[^/*:]+|[^/*:]+)?(\/.*)$/.exec(pattern);
  if (!m) return null;
  const [, scheme, host = '', path] = m;
  const s = scheme === '*' ? 'https?' : scheme;
  let h: string;
  if (host === '*') h = '[^/:?#]+';
  else if (host.startsWith('*.')) h = '(?:[^/:?#]+\\.)?' + host.slice(2).replace(ESC, '\\$&');
  else h = host.replace(ESC, '\\$&');
  const p = path.split('*').map((x) => x.replace(ESC, '\\$&')).join('.*');
  // Match patterns ignore the port.
  return new RegExp(`^${s}://${h}(?::\\d+)?${p}$`, 'i');
}

export function compilePatterns(patterns: readonly string[]): RegExp[] {
  return patterns.map(matchPatternToRegExp).filter((r): r is RegExp => r !== null);
}

/** True when `url` (string or URL) matches one of the compiled patterns. Never throws. */
export function urlMatches(url: string | URL, compiled: readonly RegExp[]): boolean {
  let href: string;
  try {
    // Always the parser's view of the URL (never the raw string), without user:password@.
    const u = typeof url === 'string' ? new URL(url) : url;
    href = u.username || u.password ? `${u.protocol}//${u.host}${u.pathname}${u.search}` : u.href;
  } catch {
    return false;
  }
  const i = href.indexOf('#');
  if (i >= 0) href = href.slice(0, i);
  return compiled.some((r) => r.test(href));
}

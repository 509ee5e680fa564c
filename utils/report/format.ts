/**
 * Formatting for reports and exports. Deterministic: every function takes what it depends on
 * (time-zone offset, no locale APIs), so the same check gives the same bytes on every run.
 */

/**
 * "2026-11-23 21:40:05 UTC+08:00" from an ISO time, in the given offset
 * (minutes east of UTC, i.e. -new Date().getTimezoneOffset()). Unparseable input comes back as is.
 */
export function formatTime(iso: string | undefined, offsetMin = 0): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const d = new Date(t + offsetMin * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC${sign}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}

/** Seller centres whose tickets are in Beijing time (UTC+08:00) when the page does not say. */
const BEIJING_SITES = new Set(['taobao', 'jd', 'pinduoduo', 'douyin', 'kuaishou']);

/** Minutes east of UTC written at the end of an ISO time ("+08:00", "Z"), if any. */
export function isoOffset(iso: string | undefined): number | undefined {
  const m = iso?.trim().match(/(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|([+-])(\d{2}):?(\d{2}))$/i);
  if (!m) return undefined;
  if (m[1].toUpperCase() === 'Z') return 0;
  const v = Number(m[3]) * 60 + Number(m[4]);
  return m[2] === '-' ? -v : v;
}

/**
 * The one time zone every view of a check uses (card, report, PDF, PNG, JSON, history): the
 * ticket's own offset as the platform wrote it, else Beijing time for Chinese seller centres,
 * else `fallback` (the browser's offset).
 */
export function ticketOffset(ticket: { refundAt?: string; orderedAt?: string; site?: string } | undefined, fallback = 0): number {
  return isoOffset(ticket?.refundAt) ?? isoOffset(ticket?.orderedAt) ?? (ticket?.site && BEIJING_SITES.has(ticket.site) ? 480 : fallback);
}

/** "2026-11-23" in the given offset. */
export function formatDate(iso: string | undefined, offsetMin = 0): string {
  return formatTime(iso, offsetMin).slice(0, 10);
}

/** "1 234 567 B (1.18 MB)": exact bytes first (the reviewer compares them), then a readable size. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  const exact = `${String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')} B`;
  if (n < 1024) return exact;
  const units = ['kB', 'MB', 'GB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${exact} (${v.toFixed(v < 10 ? 2 : 1)} ${units[u]})`;
}

/** 0..1 → "87%". */
export function formatPercent(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return `${Math.round(x * 100)}%`;
}

/** Safe file-name stem for downloads: "refundlens-DEMO-20261120-0042-2026-11-23". */
export function exportStem(parts: (string | undefined)[]): string {
  const s = parts
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/[\\/:*?"<>|\u0000-\u001f\s]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, ''))
    .filter(Boolean)
    .join('-');
  return ('refundlens-' + s).slice(0, 120);
}

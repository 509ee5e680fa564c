/**
 * The typed, validated message protocol between the content script, extension pages and the
 * background. Every incoming message is checked here before anything acts on it: unknown
 * types, wrong shapes and oversized fields are rejected with 'err_bad_message'.
 */
import type { CheckError, MatchResult, MetadataSummary, Reason, Signal, TicketInfo, VerdictLevel, Box } from './types';

export const MAX_URL_LENGTH = 8192;
/** Bytes sent from the page (blob:/data: images): base64 of at most LIMITS.maxBytes. */
export const MAX_B64_LENGTH = Math.ceil((50 * 1024 * 1024 * 4) / 3) + 4;

export interface CheckRequest {
  type: 'check';
  /** The image's URL as the page shows it (full-size URL chosen by the adapter). */
  src: string;
  /** base64 of the bytes, when the content script had to read them itself (blob:, data:, no permission). */
  bytesB64?: string;
  pageUrl?: string;
  ticket?: TicketInfo;
}

export interface SaveReferenceRequest {
  type: 'save-reference';
  src: string;
}

export interface OpenReportRequest {
  type: 'open-report';
  id: string;
}

/** A page shows check buttons (or one is hovered): load the index, warm the matcher, open the decoder. */
export interface PrepareRequest {
  type: 'prepare';
}

export type Request = CheckRequest | SaveReferenceRequest | OpenReportRequest | PrepareRequest;

export const CHECK_ID = /^[0-9a-f-]{36}$/;

/** What the in-page card needs: small and already safe to render as text. */
export interface CardResult {
  id: string;
  level: VerdictLevel;
  reasons: Reason[];
  signals: Signal[];
  match?: Pick<MatchResult, 'referenceName' | 'confidence' | 'variant' | 'method'> & { thumb?: string };
  regions?: Box[];
  /** The visible AI label read on the pixels (same frame as the regions). */
  label?: { box: Box; text: string };
  /** Size the regions refer to. */
  size?: { width: number; height: number };
  overlay?: string;
  summary?: MetadataSummary;
  repeatBuyer?: { buyer: string; count: number };
  error?: CheckError;
  /** When the background could not fetch the image itself: the content script should send bytes. */
  needBytes?: boolean;
}

export type Response<T> = { ok: true; value: T } | { ok: false; error: CheckError };

const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

export function isSafeImageUrl(s: string): boolean {
  if (s.length > MAX_URL_LENGTH) return false;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'blob:' || u.protocol === 'data:';
  } catch {
    return false;
  }
}

function validTicket(t: unknown): TicketInfo | undefined | false {
  if (t === undefined || t === null) return undefined;
  if (typeof t !== 'object' || Array.isArray(t)) return false;
  const out: TicketInfo = {};
  for (const k of ['site', 'orderId', 'refundId', 'buyer', 'orderedAt', 'refundAt'] as const) {
    const v = (t as Record<string, unknown>)[k];
    if (v === undefined || v === null) continue;
    if (!isStr(v, 200)) return false;
    out[k] = v;
  }
  return out;
}

/** Returns the validated request, or undefined when it must be rejected. */
export function parseRequest(msg: unknown): Request | undefined {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return undefined;
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'check': {
      if (!isStr(m.src, MAX_URL_LENGTH) || !isSafeImageUrl(m.src)) return undefined;
      if (m.bytesB64 !== undefined && (!isStr(m.bytesB64, MAX_B64_LENGTH) || !/^[A-Za-z0-9+/]*={0,2}$/.test(m.bytesB64.slice(-8)))) return undefined;
      if (m.pageUrl !== undefined && !isStr(m.pageUrl, MAX_URL_LENGTH)) return undefined;
      const ticket = validTicket(m.ticket);
      if (ticket === false) return undefined;
      return { type: 'check', src: m.src, bytesB64: m.bytesB64 as string | undefined, pageUrl: m.pageUrl as string | undefined, ticket };
    }
    case 'save-reference':
      if (!isStr(m.src, MAX_URL_LENGTH) || !isSafeImageUrl(m.src)) return undefined;
      return { type: 'save-reference', src: m.src };
    case 'open-report':
      if (!isStr(m.id, 36) || !CHECK_ID.test(m.id)) return undefined;
      return { type: 'open-report', id: m.id };
    case 'prepare':
      return { type: 'prepare' };
    default:
      return undefined;
  }
}

// ---- who may send what ------------------------------------------------------------------------

/**
 * Where a message comes from, decided from what the browser fills in (never from the message):
 * one of this extension's own pages (options, popup, report, offscreen), or a content script in
 * a web page (whose page scripts may try to drive it).
 */
export type SenderKind = 'extension-page' | 'content-script';

export interface SenderInfo {
  id?: string;
  url?: string;
  origin?: string;
  tab?: unknown;
}

export function senderKind(sender: SenderInfo | undefined, self: { id: string; origin: string }): SenderKind | undefined {
  if (!sender || sender.id !== self.id) return undefined;
  const url = parseHttpish(sender.url);
  // (chrome-extension: is not a "special" scheme everywhere: compare scheme and host, not .origin)
  if (url && `${url.protocol}//${url.host}` === self.origin) return 'extension-page';
  // Chrome gives `origin`, Firefox only `url`: either must be a web page in a tab.
  if (sender.tab && url && (url.protocol === 'https:' || url.protocol === 'http:')) return 'content-script';
  return undefined;
}

function parseHttpish(u: string | undefined): URL | undefined {
  if (typeof u !== 'string' || u.length > MAX_URL_LENGTH) return undefined;
  try {
    return new URL(u);
  } catch {
    return undefined;
  }
}

/**
 * Each kind only from the senders that need it. Content scripts check photos and open the report
 * of a check made on their own site; only extension pages write the library (the context menu's
 * "save" runs inside the background itself and sends no message).
 */
export const ALLOWED_SENDERS: Record<Request['type'], readonly SenderKind[]> = {
  check: ['content-script', 'extension-page'],
  prepare: ['content-script', 'extension-page'],
  'open-report': ['content-script', 'extension-page'],
  'save-reference': ['extension-page'],
};

export function senderAllowed(type: Request['type'], kind: SenderKind | undefined): boolean {
  return kind !== undefined && ALLOWED_SENDERS[type].includes(kind);
}

/**
 * A content script may open the report of a check only when that check was made from a page of
 * the same origin as the frame asking (the origin the browser reported when it was made).
 */
export function sameOrigin(a: string | undefined, b: string | undefined): boolean {
  const x = parseHttpish(a);
  const y = parseHttpish(b);
  return !!x && !!y && x.origin !== 'null' && x.origin === y.origin;
}

export function bytesToB64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function b64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function bytesToDataUrl(bytes: Uint8Array, mime: string): string {
  return `data:${mime};base64,${bytesToB64(bytes)}`;
}

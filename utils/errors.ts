import type { CheckError, ParamValue } from './types';

/**
 * Every bad input ends as one of these codes; each is a message key in public/_locales
 * (tests/unit/locales.test.ts checks both languages have them all).
 */
export const ERROR_CODES = [
  'err_fetch_failed', // network error, blocked by CORS or the page
  'err_http_status', // 404, 403, 500 … ($status)
  'err_permission', // the extension has no permission for that host
  'err_too_large', // > byte cap ($mb)
  'err_too_many_pixels', // header claims more pixels than the cap ($width × $height)
  'err_empty', // zero bytes
  'err_not_image', // bytes are not a known image format
  'err_html_not_image', // got a web page / text instead of an image
  'err_unsupported_format', // recognised but this browser cannot decode it (HEIC, TIFF) ($format)
  'err_decode_failed', // corrupt or truncated image data
  'err_timeout', // the check took longer than its budget
  'err_cancelled',
  'err_bad_message', // a message failed validation
  'err_internal', // a bug: still a clear message, details in the console
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class CheckFailure extends Error {
  constructor(
    public code: ErrorCode,
    public params: Record<string, ParamValue> = {},
  ) {
    super(code);
    this.name = 'CheckFailure';
  }
  toJSON(): CheckError {
    return { code: this.code, params: this.params };
  }
}

export function toCheckError(e: unknown): CheckError {
  if (e instanceof CheckFailure) return e.toJSON();
  return { code: 'err_internal', params: { detail: String((e as Error)?.message ?? e).slice(0, 200) } };
}

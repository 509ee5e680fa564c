import { CheckFailure } from '../errors';
import { LIMITS } from '../limits';
import { looksLikeText, readDimensions, sniffFormat } from './sniff';
import type { ImageFormat } from '../types';

export interface Acquired {
  bytes: Uint8Array;
  format: ImageFormat;
  width?: number;
  height?: number;
}

/**
 * Longest side accepted (the JPEG/WebP/GIF format maximum). PNG, BMP, TIFF and HEIF headers can
 * claim more; such strips (e.g. 16 777 216 × 2) stay under the pixel cap but make libpng and the
 * resampler crawl for tens of seconds, and no real photo has them.
 */
export const MAX_SIDE = 65_535;

/** True when a claimed size must be refused before decoding (pixel cap or side cap). */
export function exceedsPixelLimits(width: number, height: number): boolean {
  return width * height > LIMITS.maxPixels || Math.max(width, height) > MAX_SIDE;
}

/** Validate bytes before any parser sees them: size caps, format sniffing, pixel-count cap. */
export function admitBytes(bytes: Uint8Array, maxBytes: number = LIMITS.maxBytes): Acquired {
  if (bytes.length === 0) throw new CheckFailure('err_empty');
  if (bytes.length > maxBytes) throw new CheckFailure('err_too_large', { mb: Math.round(maxBytes / 1048576) });
  const format = sniffFormat(bytes);
  if (format === 'unknown') {
    throw new CheckFailure(looksLikeText(bytes) ? 'err_html_not_image' : 'err_not_image');
  }
  const dims = readDimensions(bytes, format);
  // Formats we decode always state their size up front (PNG IHDR, JPEG SOF before the scan, WebP
  // VP8/VP8L/VP8X, GIF screen, BMP DIB, AVIF ispe): no readable size means a broken file, and no
  // decoder ever sees pixels whose count was not checked. HEIC/TIFF are not decoded (their
  // metadata is still read), so they pass without a size.
  if (!dims && format !== 'heic' && format !== 'tiff') throw new CheckFailure('err_decode_failed');
  if (dims) {
    if (dims.width === 0 || dims.height === 0) throw new CheckFailure('err_decode_failed');
    if (exceedsPixelLimits(dims.width, dims.height)) {
      throw new CheckFailure('err_too_many_pixels', { width: dims.width, height: dims.height });
    }
  }
  return { bytes, format, ...dims };
}

/**
 * Fetch an image with the extension's own permissions (no cookies are added beyond the
 * browser's defaults for that host), stopping as soon as the byte cap is passed.
 */
export async function fetchImage(
  url: string,
  opts: { signal?: AbortSignal; maxBytes?: number; fetchImpl?: typeof fetch } = {},
): Promise<Acquired> {
  const maxBytes = opts.maxBytes ?? LIMITS.maxBytes;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CheckFailure('err_fetch_failed');
  }
  if (!/^(https?|data|blob):$/.test(u.protocol)) throw new CheckFailure('err_fetch_failed');
  let res: Response;
  try {
    res = await (opts.fetchImpl ?? fetch)(url, { signal: opts.signal, credentials: 'include', cache: 'force-cache' });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw new CheckFailure('err_cancelled');
    throw new CheckFailure('err_fetch_failed');
  }
  if (!res.ok) throw new CheckFailure('err_http_status', { status: res.status });
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new CheckFailure('err_too_large', { mb: Math.round(maxBytes / 1048576) });
  const bytes = await readCapped(res, maxBytes);
  return admitBytes(bytes, maxBytes);
}

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new CheckFailure('err_too_large', { mb: Math.round(maxBytes / 1048576) });
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

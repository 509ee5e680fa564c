/**
 * What counts as a failure of one check (shared by the fuzz worker and the unit tests).
 * runCheck must never throw; an 'error' result must carry a known, non-internal error code;
 * other results must describe a decoded file; every result must survive structured cloning
 * (it is messaged to the UI and stored in IndexedDB).
 */
import { ERROR_CODES } from '../../utils/errors';
import type { CheckResult } from '../../utils/types';

const LEVELS = new Set(['derived', 'derived-edited', 'ai-labelled', 'edited', 'no-evidence', 'error']);
const KNOWN = new Set<string>(ERROR_CODES);
const KEY = /^[A-Za-z0-9_]+$/;

export function problemsOf(res: unknown): string[] {
  const p: string[] = [];
  const r = res as CheckResult;
  if (!r || typeof r !== 'object') return ['result is not an object'];
  if (!LEVELS.has(r.level)) p.push(`unknown level ${String(r.level)}`);
  if (!Array.isArray(r.reasons)) p.push('reasons is not an array');
  else
    for (const x of r.reasons) {
      if (!x || typeof x.code !== 'string' || !KEY.test(x.code)) p.push(`bad reason code ${JSON.stringify(x?.code)}`);
      else if (typeof x.weight !== 'number' || !Number.isFinite(x.weight)) p.push(`reason ${x.code} has weight ${x.weight}`);
    }
  if (r.level === 'error') {
    const code = r.error?.code;
    if (!code) p.push('level error without an error code');
    else if (!KNOWN.has(code)) p.push(`unknown error code ${code}`);
    else if (code === 'err_internal') p.push(`err_internal: ${String(r.error?.params?.detail ?? '')}`);
  } else {
    if (r.error) p.push(`level ${r.level} with error ${r.error.code}`);
    const w = r.file?.width, h = r.file?.height;
    if (!(typeof w === 'number' && w > 0 && Number.isFinite(w) && typeof h === 'number' && h > 0 && Number.isFinite(h))) {
      p.push(`decoded result without a size (${w}x${h})`);
    }
  }
  try {
    structuredClone(r);
  } catch (e) {
    p.push(`result cannot be structured-cloned: ${(e as Error).message}`);
  }
  return p;
}

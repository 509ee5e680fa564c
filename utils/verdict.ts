import type { CheckError, Localisation, MatchResult, Reason, Signal, VerdictLevel } from './types';
import { editRegions } from './regions';

/**
 * The single place where evidence becomes a verdict.
 *
 * Order of strength (first that applies wins the level; every piece of evidence stays a reason):
 *   derived-edited  matched one of the merchant's photos and changed locally
 *   derived         matched one of the merchant's photos (re-saved, cropped, recoloured …)
 *   ai-labelled     a label in the file says AI made or altered it (weight ≥ AI_LABEL_WEIGHT)
 *   edited          editing traces strong enough (weight ≥ EDIT_WEIGHT) or thumbnail disagreement
 *   no-evidence     nothing above; weak hints are still listed
 *
 * Content Credentials (C2PA, validated by the official reader in metadata/c2pa-validate.ts):
 * a hard-binding mismatch (`sig_c2pa_changed`: signed, then its pixels changed) is a local edit:
 * `derived-edited` on a matched photo, `edited` otherwise (an edit signal of weight 0.95). Only a
 * validated manifest's AI digitalSourceType weighs as an AI label; what an invalid manifest claims
 * stays below AI_LABEL_WEIGHT, and no C2PA signal ever weighs for authenticity.
 */
export const AI_LABEL_WEIGHT = 0.8;
export const EDIT_WEIGHT = 0.5;
/** The C2PA signal of a file whose pixels changed after signing (metadata/signals/c2pa.ts). */
export const SIGNED_THEN_CHANGED = 'sig_c2pa_changed';

export interface VerdictInput {
  signals: Signal[];
  match?: MatchResult;
  localisation?: Localisation;
  error?: CheckError;
  /** Size of the buyer photo the regions refer to (to count nearby boxes of one edit as one area). */
  size?: { width: number; height: number };
}

export function decideVerdict(input: VerdictInput): { level: VerdictLevel; reasons: Reason[] } {
  if (input.error) return { level: 'error', reasons: [{ code: input.error.code, params: input.error.params, weight: 1 }] };
  const reasons: Reason[] = [];
  let level: VerdictLevel = 'no-evidence';

  if (input.match) {
    const m = input.match;
    reasons.push({
      code: 'why_derived',
      params: { name: m.referenceName, confidence: Math.round(m.confidence * 100), method: m.method },
      weight: 1,
    });
    if (m.variant && m.variant !== 'same') reasons.push({ code: 'why_variant', params: { variant: m.variant }, weight: 0.3 });
    const loc = input.localisation;
    if (loc?.edited) {
      level = 'derived-edited';
      reasons.push({
        code: 'why_local_edit',
        // One region per edit (utils/compare): the count every view shows.
        params: {
          count: Math.max(1, editRegions(loc).length),
          percent: Math.max(1, Math.round(loc.changedShare * 100)),
        },
        weight: 1,
      });
    } else {
      const changed = input.signals.find((s) => s.code === SIGNED_THEN_CHANGED);
      if (changed) {
        // no visible difference to the reference, but the file's own signature proves a change
        level = 'derived-edited';
        reasons.push({ code: 'why_signed_then_changed', params: { signer: changed.params?.signer ?? '—' }, weight: 1 });
      } else {
        level = 'derived';
        reasons.push({ code: 'why_no_local_edit', weight: 0.5 });
      }
    }
  }

  const evidence = input.signals.filter((s) => s.weight > 0).sort((a, b) => b.weight - a.weight);
  const ai = evidence.some((s) => (s.kind === 'ai' || s.kind === 'c2pa') && s.weight >= AI_LABEL_WEIGHT);
  const edited = evidence.some((s) => (s.kind === 'edit' || s.kind === 'thumbnail' || s.kind === 'forensic') && s.weight >= EDIT_WEIGHT);
  if (level === 'no-evidence') {
    if (ai) level = 'ai-labelled';
    else if (edited) level = 'edited';
  }
  for (const s of evidence) reasons.push({ code: s.code, params: s.params, weight: s.weight });
  if (level === 'no-evidence' && reasons.length === 0) reasons.push({ code: 'why_nothing_found', weight: 0 });
  return { level, reasons };
}

import type { Localisation, MatchResult, RGBAImage } from '../types';
import { computeFingerprint } from '../hash/fingerprint';
import type { ReferenceIndex } from '../hash/index';

export interface MatchDeps {
  index: ReferenceIndex;
  /** Working copy pixels of a reference (for alignment and the difference map). */
  loadReference: (id: string) => Promise<RGBAImage | undefined>;
}

export interface MatchOutcome {
  match?: MatchResult;
  localisation?: Localisation;
}

/** Distance at or under which a global blockhash counts as the same picture (of 256 bits). */
export const GLOBAL_MATCH_DISTANCE = 40;

/**
 * Find the reference a query is derived from and, when found, where it differs.
 * @param query analysis-size pixels of the buyer photo
 * @param fullSize the buyer photo's full size (regions are reported in its coordinates)
 */
export async function findMatch(
  query: RGBAImage,
  fullSize: { width: number; height: number },
  deps: MatchDeps,
): Promise<MatchOutcome> {
  void fullSize;
  const fp = computeFingerprint(query);
  if (fp.quality < 0.05) return {};
  const [best] = deps.index.candidates(fp, 1);
  if (!best || best.distance > GLOBAL_MATCH_DISTANCE || best.entry.fp.quality < 0.05) return {};
  return {
    match: {
      referenceId: best.entry.id,
      referenceName: best.entry.name,
      libraryId: best.entry.libraryId,
      confidence: 1 - best.distance / 128,
      distance: best.distance,
      method: 'global',
      variant: best.variant,
    },
  };
}

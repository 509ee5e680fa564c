import type { Box, Localisation } from './types';

/**
 * The edits the check found, one box per edit (full-size query pixels): the one list every view
 * draws and the one count every view shows (card, report, PDF, PNG, JSON). Empty when the
 * localisation did not call the differences a local alteration.
 */
export function editRegions(loc: Pick<Localisation, 'regions' | 'edited'> | undefined): Box[] {
  return loc?.edited ? loc.regions : [];
}

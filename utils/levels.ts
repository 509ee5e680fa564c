import type { VerdictLevel } from './types';

/** The verdict levels' words and colours, shared by the card, the pages and the exports. */

/** Message key of each verdict level (keys cannot hold '-'). */
export const LEVEL_KEY: Record<VerdictLevel | 'pending', string> = {
  derived: 'level_derived',
  'derived-edited': 'level_derived_edited',
  'ai-labelled': 'level_ai_labelled',
  edited: 'level_edited',
  'no-evidence': 'level_no_evidence',
  error: 'level_error',
  pending: 'level_pending',
};

/** Colour of each level: red = strong evidence of fraud, amber = hints, green = nothing found. */
export const LEVEL_COLOUR: Record<VerdictLevel | 'pending', string> = {
  derived: '#c62828',
  'derived-edited': '#b71c1c',
  'ai-labelled': '#c62828',
  edited: '#ef6c00',
  'no-evidence': '#2e7d32',
  error: '#616161',
  pending: '#1565c0',
};

/** Resource limits of one check (see issue 7). Changing one is a deliberate product decision. */
export const LIMITS = {
  /** Largest file accepted, in bytes (50 MiB). */
  maxBytes: 50 * 1024 * 1024,
  /** Largest pixel count a header may claim before we refuse to decode (decompression bombs). */
  maxPixels: 100_000_000,
  /** Longest side of the analysis copy. */
  analysisMaxSide: 1024,
  /** Longest side of a saved reference's working copy. */
  workingMaxSide: 1024,
  /** Longest side of stored thumbnails. */
  thumbMaxSide: 256,
  /** Budget for one check, ms. */
  checkTimeoutMs: 30_000,
  /** Checks run at once; the rest wait in a queue. */
  concurrency: 2,
} as const;

/**
 * Libraries up to this size keep their full fingerprints in the index (a few kB each, a few
 * hundred MB at most); larger ones read the shortlist's fingerprints from IndexedDB at each lookup.
 */
export const IN_MEMORY_MAX_REFERENCES = 50_000;

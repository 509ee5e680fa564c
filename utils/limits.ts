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

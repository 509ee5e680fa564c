/**
 * The offscreen document's metadata worker: reads the metadata of one untrusted file at a time.
 * The document times every job and terminates this worker when one runs too long
 * (utils/metadata/remote.ts), so a hostile file can never stall a check.
 */
import { answerMetadataJob, parseMetadataJob } from '@/utils/metadata/remote';

self.onmessage = (e: MessageEvent) => {
  const j = parseMetadataJob(e.data, e.ports);
  if (j) void answerMetadataJob(j.job, j.port);
};

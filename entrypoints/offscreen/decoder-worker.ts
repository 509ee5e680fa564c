/** Dedicated worker of the offscreen document: decodes JPEGs to analysis size (decode-scaled.ts). */
import { answerDecodeJob, parseDecodeJob } from '@/utils/image/decode-remote';
import { decodeJpegScaled } from '@/utils/image/decode-scaled';

self.onmessage = (e: MessageEvent) => {
  const got = parseDecodeJob(e.data, e.ports);
  if (got) void answerDecodeJob(got.job, got.port, decodeJpegScaled);
};

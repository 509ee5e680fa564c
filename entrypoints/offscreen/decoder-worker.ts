/** Dedicated worker of the offscreen document: decodes JPEGs to analysis size (decode-scaled.ts). */
import { answerDecodeJob, parseDecodeJob, parsePortHandover } from '@/utils/image/decode-remote';
import { decodeJpegScaled } from '@/utils/image/decode-scaled';

function serve(port: MessagePort): void {
  port.onmessage = (e: MessageEvent) => {
    const got = parseDecodeJob(e.data, e.ports);
    if (!got) return;
    self.postMessage('busy'); // keeps the document open
    void answerDecodeJob(got.job, got.port, decodeJpegScaled);
  };
}

// The document hands over a new port whenever the service worker (re)connects.
self.onmessage = (e: MessageEvent) => {
  const port = parsePortHandover(e.data, e.ports);
  if (port) serve(port);
};

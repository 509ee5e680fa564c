/**
 * A dedicated worker of the offscreen document (two run: one decodes, one makes a check's
 * pictures, so a decode never waits behind pictures). Serves the jobs that arrive on the port the
 * service worker handed over (utils/image/decode-remote.ts).
 */
import { answerDecodeJob, answerPicturesJob, parseDecodeJob, parsePicturesJob, parsePortHandover } from '@/utils/image/decode-remote';
import { decodeJpegScaled } from '@/utils/image/decode-scaled';
import { decodeInBrowser, encodeInBrowser } from '@/utils/image/decode-browser';
import { makePictures } from '@/utils/library/pictures';

// The error level analysis decodes its own re-saved copy at full size, where ImageDecoder gains
// nothing; createImageBitmap also gives its memory back sooner in a worker (a throwaway loop of
// 30 encode + decode rounds in a worker: ImageDecoder kept growing, createImageBitmap levelled).
const decode = decodeInBrowser;

function serve(port: MessagePort): void {
  port.onmessage = (e: MessageEvent) => {
    const d = parseDecodeJob(e.data, e.ports);
    if (d) {
      self.postMessage('busy'); // keeps the document open
      void answerDecodeJob(d.job, d.port, decodeJpegScaled);
      return;
    }
    const p = parsePicturesJob(e.data, e.ports);
    if (p) {
      self.postMessage('busy');
      void answerPicturesJob(p.job, p.port, (img, jpeg) => makePictures(img, jpeg, { encode: encodeInBrowser, decode }));
    }
  };
}

// The document hands over a new port whenever the service worker (re)connects.
self.onmessage = (e: MessageEvent) => {
  const got = parsePortHandover(e.data, e.ports);
  if (got) serve(got.port);
};

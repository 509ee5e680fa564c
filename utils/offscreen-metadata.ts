/**
 * The port metadata jobs go on (utils/metadata/remote.ts): to the offscreen document, which times
 * each job in its own metadata worker and replaces the worker when a file is too complex. Handed
 * over again whenever the document's decoder link is renewed (utils/offscreen.ts: a reopened
 * document), so a closed document never swallows a job.
 *
 * Checks start together (「全部检测」): every caller of one document shares one handover. Without
 * that, a second caller's handover closed the port the first had just posted its job on, and that
 * check waited for the service's backstop and went on without metadata.
 */
import { METADATA_PORT } from './metadata/remote';
import { offscreenDocument, offscreenPorts } from './offscreen';

let link: { ports: object; port: Promise<MessagePort | undefined> } | undefined;

export async function offscreenMetadataPort(): Promise<MessagePort | undefined> {
  const ports = await offscreenPorts();
  if (!ports) return undefined;
  if (link?.ports !== ports) {
    const old = link;
    const port = (async () => {
      void old?.port.then((p) => p?.close());
      const doc = await offscreenDocument();
      if (!doc) return undefined;
      const ch = new MessageChannel();
      doc.postMessage({ type: METADATA_PORT }, [ch.port2]);
      return ch.port1;
    })();
    link = { ports, port };
    // a failed lookup is not kept: the next check tries again
    void port.then((p) => {
      if (!p && link?.port === port) link = undefined;
    });
  }
  return link.port;
}

export function forgetMetadataPort(): void {
  void link?.port.then((p) => p?.close());
  link = undefined;
}

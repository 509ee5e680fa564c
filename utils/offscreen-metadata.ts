/**
 * The port metadata jobs go on (utils/metadata/remote.ts): to the offscreen document, which times
 * each job in its own metadata worker and replaces the worker when a file is too complex. Handed
 * over again whenever the document's decoder link is renewed (utils/offscreen.ts: a reopened
 * document), so a closed document never swallows a job.
 */
import { METADATA_PORT } from './metadata/remote';
import { offscreenDocument, offscreenPorts } from './offscreen';

let link: { ports: object; port: MessagePort } | undefined;

export async function offscreenMetadataPort(): Promise<MessagePort | undefined> {
  const ports = await offscreenPorts();
  if (!ports) return undefined;
  if (link?.ports === ports) return link.port;
  const doc = await offscreenDocument();
  if (!doc) return undefined;
  link?.port.close();
  const ch = new MessageChannel();
  doc.postMessage({ type: METADATA_PORT }, [ch.port2]);
  link = { ports, port: ch.port1 };
  return ch.port1;
}

export function forgetMetadataPort(): void {
  link?.port.close();
  link = undefined;
}

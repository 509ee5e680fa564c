/**
 * The official C2PA reader's worker (c2pa-rs as WASM, @contentauth/c2pa-wasm), started by the
 * offscreen document in Chrome and by the background page in Firefox, and owned by a
 * C2paSupervisor there (utils/metadata/c2pa-remote.ts), which terminates it at its time limit.
 * Built as /c2pa-worker.js; the WASM ships as /c2pa/c2pa_bg.wasm (wxt.config.ts) and is loaded on
 * the first job only. Once it is loaded this worker can reach no network at all: the reader never
 * fetches remote manifests or OCSP answers (READER_SETTINGS), and fetch is disabled besides.
 */
import { initSync, WasmReader, type InitOutput } from '@contentauth/c2pa-wasm';
import { answerC2paJob, parseC2paJob, type WorkerReader } from '@/utils/metadata/c2pa-remote';
import { validateWithReader, type ReaderModule } from '@/utils/metadata/c2pa-validate';

export const WASM_PATH = '/c2pa/c2pa_bg.wasm';

export default defineUnlistedScript(() => {
  let loading: Promise<WorkerReader> | undefined;
  const load = () =>
    (loading ??= (async () => {
      const res = await fetch(new URL(WASM_PATH, self.location.href));
      if (!res.ok) throw new Error('c2pa wasm missing');
      const wasm: InitOutput = initSync({ module: await WebAssembly.compile(await res.arrayBuffer()) });
      lockNetwork();
      const mod = { WasmReader } as unknown as ReaderModule;
      return {
        validate: (bytes, format, manifestBytes) => validateWithReader(mod, bytes, format, manifestBytes),
        memoryBytes: () => wasm.memory.buffer.byteLength,
      };
    })());

  self.onmessage = (e: MessageEvent) => {
    const job = parseC2paJob(e.data);
    if (!job) return;
    void answerC2paJob(job, load).then((reply) => self.postMessage(reply));
  };
});

/** No request can leave this worker once the reader is loaded. */
function lockNetwork(): void {
  const g = self as unknown as Record<string, unknown>;
  const refuse = () => Promise.reject(new TypeError('RefundLens: no network in the C2PA worker'));
  g.fetch = refuse;
  for (const k of ['XMLHttpRequest', 'WebSocket', 'EventSource']) g[k] = undefined;
}

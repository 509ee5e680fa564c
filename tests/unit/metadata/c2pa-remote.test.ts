/**
 * The reader's supervisor (utils/metadata/c2pa-remote.ts): one job at a time, a time limit that
 * terminates a worker stuck in a loop, a fresh worker for the next job, memory and crash recycling,
 * shape-checked replies; and the service worker ↔ offscreen document relay over MessageChannels.
 * The workers here are real threads (node:worker_threads) running the real reader.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Worker as NodeWorker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { answerC2paJob, C2PA_JOB, C2PA_REPLY, C2paSupervisor, parseC2paJob, remoteC2pa, serveC2paPort, type WorkerLike } from '../../../utils/metadata/c2pa-remote';
import { validateInNode } from '../../../utils/metadata/c2pa-node';
import { C2PA_LIMITS, failed } from '../../../utils/metadata/c2pa-validate';
import { productJpeg } from '../../fixtures/images';
import { signWithTestCert, tamperPixels } from '../../fixtures/c2pa';

const require = createRequire(import.meta.url);
const GLUE = require.resolve('@contentauth/c2pa-wasm');
const WASM = require.resolve('@contentauth/c2pa-wasm/c2pa.wasm');

/**
 * A thread with the official reader, answering jobs as entrypoints/c2pa-worker.ts does; a job for a
 * GIF spins forever (a stand-in for a reader stuck on a hostile manifest).
 */
const WORKER_SRC = `
const { parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
let mod;
parentPort.on('message', async (job) => {
  if (job.format === 'gif') for (;;) {}
  mod ??= await import(${JSON.stringify('file://' + GLUE)});
  if (!mod.__ready) { mod.initSync({ module: new WebAssembly.Module(readFileSync(${JSON.stringify(WASM)})) }); mod.__ready = true; }
  let result;
  try {
    const r = await mod.WasmReader.fromBytes('image/jpeg', new Uint8Array(job.bytes), '{"verify":{"remote_manifest_fetch":false}}');
    const s = JSON.parse(r.json());
    const codes = [...new Set((s.validation_status || []).map((x) => x.code))];
    result = { outcome: s.validation_state === 'Invalid' ? (codes.some((c) => /dataHash.mismatch/.test(c)) ? 'changed' : 'broken') : 'valid', trusted: false, codes };
  } catch (e) { result = { outcome: 'unreadable', trusted: false, codes: [String(e).slice(0, 40)] }; }
  parentPort.postMessage({ type: '${C2PA_REPLY}', id: job.id, result, memoryBytes: 1, restart: false });
});`;

const live: NodeWorker[] = [];
const exits: Promise<number>[] = [];
/** node:worker_threads behind the Web Worker surface the supervisor uses. */
function thread(): WorkerLike {
  const w = new NodeWorker(WORKER_SRC, { eval: true });
  live.push(w);
  exits.push(new Promise((r) => w.once('exit', r)));
  const like: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (m, t) => w.postMessage(m, t as never),
    terminate: () => void w.terminate(),
  };
  w.on('message', (data) => like.onmessage?.({ data } as MessageEvent));
  w.on('error', (e) => like.onerror?.({ message: String(e), preventDefault() {} } as unknown as ErrorEvent));
  return like;
}
afterAll(async () => {
  await Promise.all(live.map((w) => w.terminate()));
});

let signedP: Promise<Uint8Array> | undefined;
const signed = () => (signedP ??= productJpeg(6, 640, 480).then((j) => signWithTestCert(j)));

describe('C2PA supervisor', { timeout: 60_000 }, () => {
  it('a worker stuck past the time limit is terminated, the check gets "timeout", and the supervisor keeps serving with a fresh worker', async () => {
    const sup = new C2paSupervisor(thread, { timeoutMs: 300 });
    const first = live.length;
    const stuck = await sup.validate(new Uint8Array([0x47, 0x49, 0x46]), 'gif');
    expect(stuck).toMatchObject({ outcome: 'failed', error: 'timeout' });
    await exits[first]; // the spinning thread really stopped
    sup.opts.timeoutMs = 60_000; // the next worker loads the reader first: generous on a busy machine
    const v = await sup.validate(tamperPixels(await signed()), 'jpeg');
    expect(v.outcome).toBe('changed');
    expect(v.codes).toContain('assertion.dataHash.mismatch');
    expect((await sup.validate(await signed(), 'jpeg')).outcome).toBe('valid');
    expect(sup.started).toBe(2);
  }, 90_000);

  it('queues jobs one at a time; a crash or too much memory replaces the worker; bad replies are ignored until the timer', async () => {
    let spawned = 0;
    const fake = (reply: (job: { id: number }) => unknown): (() => WorkerLike) => () => {
      spawned++;
      const w: WorkerLike = {
        onmessage: null,
        onerror: null,
        postMessage: (job) => queueMicrotask(() => w.onmessage?.({ data: reply(job as { id: number }) } as MessageEvent)),
        terminate: () => {},
      };
      return w;
    };
    const ok = { outcome: 'valid', trusted: false, codes: [] };
    const hungry = new C2paSupervisor(fake((j) => ({ type: C2PA_REPLY, id: j.id, result: ok, memoryBytes: C2PA_LIMITS.maxMemoryBytes + 1, restart: false })));
    await hungry.validate(new Uint8Array(8), 'jpeg');
    await hungry.validate(new Uint8Array(8), 'jpeg');
    expect(hungry.started).toBe(2);
    const liar = new C2paSupervisor(fake((j) => ({ type: C2PA_REPLY, id: j.id, result: { outcome: 'trust me' }, memoryBytes: 0 })), { timeoutMs: 50 });
    expect(await liar.validate(new Uint8Array(8), 'jpeg')).toMatchObject({ outcome: 'failed', error: 'timeout' });
    const crashing = new C2paSupervisor(() => {
      const w: WorkerLike = { onmessage: null, onerror: null, postMessage: () => queueMicrotask(() => w.onerror?.({ preventDefault() {} } as ErrorEvent)), terminate: () => {} };
      return w;
    });
    expect(await crashing.validate(new Uint8Array(8), 'jpeg')).toMatchObject({ outcome: 'failed', error: 'crashed' });
    const none = new C2paSupervisor(() => {
      throw new Error('no workers here');
    });
    expect(await none.validate(new Uint8Array(8), 'jpeg')).toMatchObject({ outcome: 'failed', error: 'unavailable' });
    // size caps are checked before any worker starts
    const big = new C2paSupervisor(() => {
      throw new Error('must not start');
    });
    expect(await big.validate(new Uint8Array(8), 'jpeg', C2PA_LIMITS.maxManifestBytes + 1)).toMatchObject({ outcome: 'failed', error: 'too_large' });
    expect(spawned).toBe(3);
  });

  it('worker side: a reader that cannot load asks to be replaced; jobs are shape-checked', async () => {
    const job = parseC2paJob({ type: C2PA_JOB, id: 3, bytes: new ArrayBuffer(4), format: 'jpeg', manifestBytes: 10 })!;
    expect(job).toMatchObject({ id: 3, format: 'jpeg' });
    expect(parseC2paJob({ type: C2PA_JOB, id: 3, bytes: new Uint8Array(4), format: 'jpeg' })).toBeUndefined();
    expect(parseC2paJob({ type: C2PA_JOB, id: 3, bytes: new ArrayBuffer(4), format: 'exe' })).toBeUndefined();
    const r = await answerC2paJob(job, () => Promise.reject(new Error('no wasm')));
    expect(r).toMatchObject({ id: 3, restart: true, result: failed('unavailable') });
  });

  it('service worker → offscreen document relay: the document validates, a missing document is "unavailable"', async () => {
    const link = new MessageChannel();
    serveC2paPort(link.port2, validateInNode);
    const remote = remoteC2pa({ connect: async () => link.port1 });
    const v = await remote(tamperPixels(await signed()), 'jpeg');
    expect(v).toMatchObject({ outcome: 'changed' });
    expect(v.codes).toContain('assertion.dataHash.mismatch');
    expect(await remoteC2pa({ connect: async () => undefined })(new Uint8Array(8), 'jpeg')).toMatchObject({ outcome: 'failed', error: 'unavailable' });
    const silent = new MessageChannel();
    expect(await remoteC2pa({ connect: async () => silent.port1, timeoutMs: 100 })(new Uint8Array(8), 'jpeg')).toMatchObject({ error: 'timeout' });
    link.port1.close();
    silent.port1.close();
  });
});

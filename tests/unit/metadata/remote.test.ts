/**
 * Issue 17: metadata read where a timer can stop it. The relay (offscreen document) times each
 * job; a worker that does not answer is terminated and replaced and the check gets
 * 'metadata_too_complex'. Driven with MessageChannels and stand-in workers in Node; no assertion
 * depends on how long anything took.
 */
import { describe, expect, it } from 'vitest';
import {
  answerMetadataJob, metadataRelay, parseMetadataJob, remoteMetadata, TOO_COMPLEX, type MetadataJob, type WorkerLike,
} from '../../../utils/metadata/remote';
import { readMetadata } from '../../../utils/metadata/read';
import { app1Xmp, jpegWith, NS_TC260_PACKET } from './remote-fixtures';

/** A stand-in worker on this thread: answers like the real one, or never (a parser stuck in a loop). */
function fakeWorker(mode: 'answer' | 'stuck', log: string[]): WorkerLike {
  const w: WorkerLike = {
    postMessage(msg: unknown, transfer?: Transferable[]) {
      log.push('job');
      if (mode === 'stuck') return;
      const ports = (transfer ?? []).filter((t): t is MessagePort => t instanceof MessagePort);
      const j = parseMetadataJob(msg, ports);
      if (j) void answerMetadataJob(j.job, j.port);
    },
    terminate() {
      log.push('terminate');
    },
  };
  return w;
}

function ask(relay: ReturnType<typeof metadataRelay>, bytes: Uint8Array): Promise<unknown> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = (e) => {
      ch.port1.close();
      resolve(e.data);
    };
    const job: MetadataJob = { type: 'refundlens-metadata', bytes: bytes.slice().buffer, format: 'jpeg' };
    relay.handle(job, ch.port2);
  });
}

describe('metadata relay', () => {
  it('a stuck worker is terminated and replaced; the next file is read by the new one', async () => {
    const log: string[] = [];
    const modes: ('answer' | 'stuck')[] = ['stuck', 'answer'];
    const relay = metadataRelay({ spawn: () => (log.push('spawn'), fakeWorker(modes.shift()!, log)), timeoutMs: 3_000 });
    const file = await jpegWith([app1Xmp(NS_TC260_PACKET)]);
    expect(await ask(relay, file)).toEqual({ ok: false, reason: TOO_COMPLEX });
    const second = (await ask(relay, file)) as { ok: boolean; result: { signals: { source: string }[] } };
    expect(second.ok).toBe(true);
    expect(second.result.signals.some((s) => s.source === 'aigc-label')).toBe(true);
    expect(log).toEqual(['spawn', 'job', 'terminate', 'spawn', 'job']);
    relay.close();
  });

  it('jobs are served one at a time, in order, by the same worker while it answers', async () => {
    const log: string[] = [];
    const relay = metadataRelay({ spawn: () => (log.push('spawn'), fakeWorker('answer', log)), timeoutMs: 5_000 });
    const file = await jpegWith([]);
    const replies = await Promise.all([ask(relay, file), ask(relay, file), ask(relay, file)]);
    expect(replies.every((r) => (r as { ok: boolean }).ok)).toBe(true);
    expect(log).toEqual(['spawn', 'job', 'job', 'job']);
    relay.close();
  });
});

describe('remoteMetadata (service side)', () => {
  const relayPort = (relay: ReturnType<typeof metadataRelay>) => {
    const ch = new MessageChannel();
    ch.port2.onmessage = (e) => {
      const j = parseMetadataJob(e.data, e.ports);
      if (j) relay.handle(j.job, j.port);
    };
    return ch.port1;
  };

  it('gives the same result as reading here when the worker answers', async () => {
    const relay = metadataRelay({ spawn: () => fakeWorker('answer', []) });
    const port = relayPort(relay);
    const read = remoteMetadata({ connect: async () => port });
    const file = await jpegWith([app1Xmp(NS_TC260_PACKET)]);
    expect(await read(file, 'jpeg')).toEqual(await readMetadata(file, 'jpeg'));
    port.close();
    relay.close();
  });

  it('goes on with "metadata not read: too complex" when the worker is stopped', async () => {
    const relay = metadataRelay({ spawn: () => fakeWorker('stuck', []), timeoutMs: 3_000 });
    const port = relayPort(relay);
    const read = remoteMetadata({ connect: async () => port });
    const r = await read(await jpegWith([]), 'jpeg');
    expect(r).toEqual({ summary: { format: 'jpeg' }, signals: [], warnings: [TOO_COMPLEX] });
    port.close();
    relay.close();
  });

  it('without a relay (Firefox, Node) reads on this thread', async () => {
    const read = remoteMetadata({ connect: async () => undefined });
    const file = await jpegWith([app1Xmp(NS_TC260_PACKET)]);
    expect(await read(file, 'jpeg')).toEqual(await readMetadata(file, 'jpeg'));
  });

  it('refuses malformed jobs', () => {
    const { port1 } = new MessageChannel();
    expect(parseMetadataJob({ type: 'refundlens-metadata', bytes: new ArrayBuffer(1), format: 'exe' }, [port1])).toBeUndefined();
    expect(parseMetadataJob({ type: 'refundlens-metadata', bytes: 'x', format: 'jpeg' }, [port1])).toBeUndefined();
    expect(parseMetadataJob({ type: 'refundlens-metadata', bytes: new ArrayBuffer(1), format: 'jpeg' }, [])).toBeUndefined();
    port1.close();
  });
});

describe('a check whose metadata was stopped', () => {
  it('goes on to the picture comparison and carries the translated warning', async () => {
    const { runCheck } = await import('../../../utils/check');
    const { decodeInNode } = await import('../../../utils/image/decode-node');
    const { ReferenceIndex } = await import('../../../utils/hash/index');
    const { computeFingerprint } = await import('../../../utils/hash/fingerprint');
    const { productJpeg } = await import('../../fixtures/images');
    const saved = await productJpeg(7, 480, 360);
    const d = await decodeInNode(saved, 'jpeg', 1024);
    const index = new ReferenceIndex();
    index.add({ id: 'r', name: 'mine.jpg', libraryId: 'l', fp: computeFingerprint(d.image) });
    const relay = metadataRelay({ spawn: () => fakeWorker('stuck', []), timeoutMs: 100 });
    const ch = new MessageChannel();
    ch.port2.onmessage = (e) => {
      const j = parseMetadataJob(e.data, e.ports);
      if (j) relay.handle(j.job, j.port);
    };
    const r = await runCheck({ bytes: saved }, {
      index, loadReference: async () => d.image, decode: decodeInNode, readMetadata: remoteMetadata({ connect: async () => ch.port1 }),
    });
    expect(r.metadata?.warnings).toEqual([TOO_COMPLEX]);
    expect(r.match?.referenceName).toBe('mine.jpg');
    expect(r.level).toMatch(/^derived/);
    const { mergeFragments } = await import('../../../scripts/locales');
    const m = mergeFragments();
    expect(m.en[TOO_COMPLEX].message).toMatch(/^Metadata not read: too complex/);
    expect(m.zh_CN[TOO_COMPLEX].message).toMatch(/^未读取元数据/);
    ch.port1.close();
    relay.close();
  });
});

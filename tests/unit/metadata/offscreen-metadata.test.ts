/**
 * The metadata port handover to the offscreen document (utils/offscreen-metadata.ts), with the
 * document faked: checks that start together share one port, and none posts on a port a later
 * caller closed (found in the e2e: the first of six checks started by 「全部检测」 lost its metadata).
 */
import { describe, expect, it, vi } from 'vitest';

const handovers: MessagePort[] = [];
const ports = { decode: {}, pictures: {} };
vi.mock('@/utils/offscreen', () => ({
  offscreenPorts: async () => ports,
  offscreenDocument: async () => {
    await new Promise((r) => setTimeout(r, 5)); // the lookup takes a while, as a real client lookup
    return { id: 'doc', postMessage: (_m: unknown, t: MessagePort[]) => handovers.push(t[0]) };
  },
}));

const { offscreenMetadataPort, forgetMetadataPort } = await import('@/utils/offscreen-metadata');

describe('offscreenMetadataPort', () => {
  it('six checks started at once share one handover, and a job posted on it arrives', async () => {
    const got = await Promise.all(Array.from({ length: 6 }, () => offscreenMetadataPort()));
    expect(new Set(got).size).toBe(1);
    expect(handovers).toHaveLength(1);
    const received = new Promise((r) => (handovers[0].onmessage = (e) => r(e.data)));
    got[0]!.postMessage('job 1');
    expect(await received).toBe('job 1');
  });

  it('after the port is forgotten (document lost) the next check gets a new one', async () => {
    const before = await offscreenMetadataPort();
    forgetMetadataPort();
    const after = await offscreenMetadataPort();
    expect(after).not.toBe(before);
    expect(handovers).toHaveLength(2);
    for (const p of handovers) p.close();
  });
});

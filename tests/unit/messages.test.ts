import { describe, expect, it } from 'vitest';
import { b64ToBytes, bytesToB64, parseRequest } from '../../utils/messages';

describe('message validation', () => {
  it('accepts a well-formed check request and keeps only known ticket fields', () => {
    const r = parseRequest({ type: 'check', src: 'https://img.alicdn.com/x.jpg', pageUrl: 'https://x', ticket: { buyer: 'b', orderId: '1', evil: '<img>' } });
    expect(r).toEqual({ type: 'check', src: 'https://img.alicdn.com/x.jpg', pageUrl: 'https://x', ticket: { buyer: 'b', orderId: '1' }, bytesB64: undefined });
  });
  it.each([
    null, 'check', [], {}, { type: 'nope' },
    { type: 'check' },
    { type: 'check', src: 'javascript:alert(1)' },
    { type: 'check', src: 'file:///etc/passwd' },
    { type: 'check', src: 'chrome-extension://abc/options.html' },
    { type: 'check', src: 'https://x/' + 'a'.repeat(9000) },
    { type: 'check', src: 'https://x/a.jpg', ticket: 'x' },
    { type: 'check', src: 'https://x/a.jpg', ticket: { buyer: 'x'.repeat(500) } },
    { type: 'check', src: 'https://x/a.jpg', bytesB64: 42 },
    { type: 'open-report', id: '../options.html' },
  ])('rejects %j', (m) => {
    expect(parseRequest(m)).toBeUndefined();
  });
  it('accepts a prepare request, carrying nothing', () => {
    expect(parseRequest({ type: 'prepare', src: '<b>' })).toEqual({ type: 'prepare' });
  });
  it('round-trips bytes through base64', () => {
    const b = new Uint8Array(70000).map((_, i) => (i * 7) & 255);
    expect(b64ToBytes(bytesToB64(b))).toEqual(b);
  });
});

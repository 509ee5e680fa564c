/**
 * Issue 17, finding 5: each message kind only from the senders that need it. The sender objects
 * are shaped as Chromium fills them in (runtime.MessageSender) for a content script in a seller
 * page, one of our extension pages, another extension and a sender without a tab.
 */
import { describe, expect, it } from 'vitest';
import { ALLOWED_SENDERS, parseRequest, sameOrigin, senderAllowed, senderKind, type Request } from '../../utils/messages';

const self = { id: 'abcdefghijklmnopabcdefghijklmnop', origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' };
const senders = {
  content: { id: self.id, url: 'https://myseller.taobao.com/refund?id=1', origin: 'https://myseller.taobao.com', tab: { id: 3 } },
  contentFrame: { id: self.id, url: 'https://ads.example.net/frame.html', tab: { id: 3 } },
  page: { id: self.id, url: `${self.origin}/options.html`, origin: self.origin, tab: { id: 4 } },
  popup: { id: self.id, url: `${self.origin}/popup.html`, origin: self.origin },
  otherExtension: { id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', url: 'chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/x.html', tab: { id: 5 } },
  noTab: { id: self.id, url: 'https://myseller.taobao.com/' },
  fileTab: { id: self.id, url: 'file:///home/x.html', tab: { id: 6 } },
};
const kind = (s: keyof typeof senders) => senderKind(senders[s], self);

const messages: Record<Request['type'], unknown> = {
  check: { type: 'check', src: 'https://img.alicdn.com/x.jpg' },
  prepare: { type: 'prepare' },
  'open-report': { type: 'open-report', id: '12345678-1234-1234-1234-123456789abc' },
  'save-reference': { type: 'save-reference', src: 'https://img.alicdn.com/x.jpg' },
};

describe('sender kinds come from what the browser fills in', () => {
  it('classifies content scripts, extension pages and strangers', () => {
    expect(kind('content')).toBe('content-script');
    expect(kind('contentFrame')).toBe('content-script');
    expect(kind('page')).toBe('extension-page');
    expect(kind('popup')).toBe('extension-page');
    expect(kind('otherExtension')).toBeUndefined();
    expect(kind('noTab')).toBeUndefined();
    expect(kind('fileTab')).toBeUndefined();
    expect(senderKind(undefined, self)).toBeUndefined();
    expect(senderKind({ id: self.id, url: 'not a url', tab: {} }, self)).toBeUndefined();
  });
});

describe('each message kind, each sender', () => {
  const table: [Request['type'], keyof typeof senders, boolean][] = [
    ['check', 'content', true], ['check', 'page', true], ['check', 'otherExtension', false], ['check', 'noTab', false],
    ['prepare', 'content', true], ['prepare', 'popup', true], ['prepare', 'otherExtension', false],
    ['open-report', 'content', true], ['open-report', 'page', true], ['open-report', 'otherExtension', false],
    // Only extension pages write the library; the context menu's save needs no message at all.
    ['save-reference', 'content', false], ['save-reference', 'contentFrame', false], ['save-reference', 'page', true], ['save-reference', 'otherExtension', false],
  ];
  it.each(table)('%s from %s → %s', (type, from, ok) => {
    const req = parseRequest(messages[type])!;
    expect(req.type).toBe(type);
    expect(senderAllowed(req.type, kind(from))).toBe(ok);
  });
  it('every kind has a sender rule', () => {
    expect(Object.keys(ALLOWED_SENDERS).sort()).toEqual(Object.keys(messages).sort());
    expect(ALLOWED_SENDERS['save-reference']).toEqual(['extension-page']);
  });
});

describe('open-report from a content script: only checks made on the same origin', () => {
  it('compares origins as the URL parser sees them', () => {
    expect(sameOrigin('https://myseller.taobao.com/refund?id=1', 'https://myseller.taobao.com/other')).toBe(true);
    expect(sameOrigin('https://myseller.taobao.com/', 'https://evil.example/')).toBe(false);
    expect(sameOrigin('https://myseller.taobao.com/', 'http://myseller.taobao.com/')).toBe(false);
    expect(sameOrigin('https://myseller.taobao.com.evil.example/', 'https://myseller.taobao.com/')).toBe(false);
    // The parser's view, not the string's: a backslash ends the host.
    expect(sameOrigin('https://evil.example\\.myseller.taobao.com/', 'https://myseller.taobao.com/')).toBe(false);
    expect(sameOrigin('https://myseller.taobao.com\\.evil.example/', 'https://myseller.taobao.com/x')).toBe(true);
    expect(sameOrigin(undefined, 'https://myseller.taobao.com/')).toBe(false);
    expect(sameOrigin('data:text/html,x', 'data:text/html,x')).toBe(false);
  });
});

// @vitest-environment happy-dom
/**
 * Issue 17, finding 6: host tests run on the URL as the parser (and so the fetch) sees it, never
 * on the raw attribute string.
 */
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../../utils/sites';
import { PAGES } from '../../fixtures/sites/pages';
import { imageSource } from '../../../utils/sites/common';
import { urlMatches } from '../../../utils/sites/match';
import { IMAGE_HOSTS_FOR_TEST } from './hosts-helper';

const HOSTILE = [
  'https://192.168.1.1\\.alicdn.com/x.jpg',
  'https://127.0.0.1\\img.alicdn.com/x.jpg',
  'https://img.alicdn.com@192.168.1.1/x.jpg',
  'https://img.alicdn.com:1@10.0.0.1/x.jpg',
  '//192.168.1.1\\.alicdn.com/x.jpg',
  'https://192.168.1.1%5C.alicdn.com/x.jpg',
];

describe('URL normalisation before any host test', () => {
  it('imageSource gives the parser’s URL: the backslash trick names host 192.168.1.1', () => {
    const img = document.createElement('img');
    img.setAttribute('data-src', HOSTILE[0]);
    expect(imageSource(img)).toBe('https://192.168.1.1/.alicdn.com/x.jpg');
  });
  it.each(HOSTILE)('%s is not on an image CDN', (u) => {
    const img = document.createElement('img');
    img.setAttribute('data-src', u);
    const src = imageSource(img);
    expect(src === undefined || !urlMatches(src, IMAGE_HOSTS_FOR_TEST)).toBe(true);
    expect(urlMatches(u.startsWith('//') ? 'https:' + u : u, IMAGE_HOSTS_FOR_TEST)).toBe(false);
  });
  it('no check button is offered for such an image on a seller page, while the real photos keep theirs', () => {
    const page = PAGES.find((p) => p.adapter === 'taobao')!;
    (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(page.url);
    document.body.innerHTML = page.html;
    const adapter = adapterFor(new URL(page.url));
    const before = adapter.findBuyerPhotos(document);
    expect(before.length).toBeGreaterThan(1);
    before[0].removeAttribute('srcset');
    // A lazy-load attribute is read as a raw string (src/currentSrc are already parsed by the page).
    before[0].setAttribute('src', 'data:image/gif;base64,R0lGODlhAQABAAAAACw=');
    before[0].setAttribute('data-src', 'https://192.168.1.1\\.alicdn.com/imgextra/i2/0/O1CN01ev1_!!0-rate.jpg');
    const after = adapter.findBuyerPhotos(document);
    expect(after).not.toContain(before[0]);
    expect(after.length).toBeGreaterThan(0);
  });
});

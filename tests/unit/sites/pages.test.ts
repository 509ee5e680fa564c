// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../../utils/sites';
import { PAGES } from '../../fixtures/sites/pages';

function load(html: string, url?: string): Document {
  // The seller page's own address, so relative and protocol-relative sources resolve as in the browser.
  if (url) (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(url);
  document.body.innerHTML = html;
  return document;
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe.each(PAGES.map((p) => [p.adapter, p] as const))('%s test page', (_name, page) => {
  it('is handled by its own adapter', () => {
    expect(adapterFor(new URL(page.url)).id).toBe(page.adapter);
  });

  it('finds exactly the buyer evidence photos, with their full-size URLs', () => {
    const doc = load(page.html, page.url);
    const adapter = adapterFor(new URL(page.url));
    const found = adapter.findBuyerPhotos(doc);
    expect(found.map((i) => i.getAttribute('data-t'))).toEqual(Object.keys(page.photos));
    expect(Object.fromEntries(found.map((i) => [i.getAttribute('data-t'), adapter.photoUrl(i)]))).toEqual(page.photos);
  });

  it('reads the ticket facts shown next to the photo', () => {
    const doc = load(page.html, page.url);
    const adapter = adapterFor(new URL(page.url));
    for (const [t, ticket] of Object.entries(page.tickets)) {
      const img = doc.querySelector(`[data-t="${t}"]`)!;
      expect(adapter.ticketInfo(doc, img), t).toEqual(ticket);
    }
  });

  it('finds nothing when the page holds only products, avatars and icons', () => {
    const doc = load(page.html, page.url);
    for (const t of Object.keys(page.photos)) doc.querySelector(`[data-t="${t}"]`)!.remove();
    expect(adapterFor(new URL(page.url)).findBuyerPhotos(doc)).toEqual([]);
  });
});

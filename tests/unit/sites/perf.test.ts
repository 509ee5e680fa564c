// @vitest-environment happy-dom
import { expect, it, vi } from 'vitest';
import { ADAPTERS } from '../../../utils/sites';
import { taobao } from '../../../utils/sites/taobao';
import { bigTaobaoList } from '../../fixtures/sites/big';

/** DOM reads of one scan (attribute reads, selector queries, ancestor walks): work, not time. */
function domReads(f: () => void): number {
  const spies = [
    vi.spyOn(Element.prototype, 'getAttribute'),
    vi.spyOn(Element.prototype, 'closest'),
    vi.spyOn(Element.prototype, 'querySelectorAll'),
    vi.spyOn(Element.prototype, 'querySelector'),
    vi.spyOn(Document.prototype, 'querySelectorAll'),
  ];
  try {
    f();
    return spies.reduce((n, s) => n + s.mock.calls.length, 0);
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

it('finds 40 of 200 images with work proportional to the page (MutationObserver rescans stay cheap)', () => {
  document.body.innerHTML = bigTaobaoList();
  expect(document.querySelectorAll('img').length).toBe(200);
  let found: HTMLImageElement[] = [];
  const reads = domReads(() => (found = taobao.findBuyerPhotos(document)));
  expect(found.length).toBe(40);
  // Twice the page, twice the work (quadratic work would quadruple it); a generous per-image bound.
  document.body.innerHTML = bigTaobaoList() + bigTaobaoList();
  let found2: HTMLImageElement[] = [];
  const reads2 = domReads(() => (found2 = taobao.findBuyerPhotos(document)));
  expect(found2.length).toBe(80);
  console.log(`findBuyerPhotos: ${reads} DOM reads for 200 images, ${reads2} for 400`);
  expect(reads).toBeLessThan(200 * 80);
  expect(reads2).toBeLessThan(reads * 2.6);
  document.body.innerHTML = bigTaobaoList();
  // Every other adapter on the same page (images on a foreign CDN) returns at once and finds nothing.
  for (const a of ADAPTERS) if (a.id !== 'taobao') expect(a.findBuyerPhotos(document)).toEqual([]);
  // Ticket facts come from the row of the photo, not from another ticket.
  const img = taobao.findBuyerPhotos(document)[9];
  expect(taobao.ticketInfo(document, img)).toMatchObject({ orderId: '361234567890004', refundId: '198764' });
});

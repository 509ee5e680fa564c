/**
 * The card and the report as a merchant and a platform reviewer read them: the card floats beside
 * its photo without moving the page, stays inside the viewport, closes with Esc (focus back on its
 * button); no machine word in the card, the report or the PDF; times carry the ticket's offset.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { importReferences } from '../harness';
import { demoImages } from '../../fixtures/demo';
import { expect, test } from '../registry';

/** Today's leaks (issue 18): identifiers that must not reach a reader outside the technical details. */
export const LEAKS = [/keypoints/i, /\bresize\b/i, /\bcrop\b/i, /\babsent\b/i, /jpeg-quant/i, /\bstripped\b/i, /\bSoftware\b/, /\(s\)/, /region\(s\)|place\(s\)/, /check digit/i, /\(—\)|：—|: —/];

function leaks(text: string): string[] {
  return LEAKS.filter((re) => re.test(text)).map((re) => `${re} in “${text.slice(Math.max(0, text.search(re) - 40), text.search(re) + 40)}”`);
}

/** Text inside the closed shadow roots of the result hosts (CDP pierces them; page scripts cannot). */
async function cardText(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpNode };
  const out: string[] = [];
  const walk = (n: CdpNode, inCard: boolean) => {
    const card = inCard || (n.localName === 'refundlens-result' || n.localName === 'refundlens-summary');
    if (card && n.nodeType === 3 && n.nodeValue && n.parentLocalName !== 'style') out.push(n.nodeValue);
    for (const c of n.children ?? []) walk({ ...c, parentLocalName: n.localName }, card);
    for (const c of n.shadowRoots ?? []) walk(c, card);
  };
  walk(root, false);
  await cdp.detach();
  return out.join(' ');
}
interface CdpNode { nodeType: number; localName?: string; nodeValue?: string; children?: CdpNode[]; shadowRoots?: CdpNode[]; parentLocalName?: string }

const rects = (page: Page) => page.$$eval('[data-refundlens-ticket] .evidence img', (els) => els.map((e) => {
  const r = e.getBoundingClientRect();
  return [r.left, r.top, r.width, r.height].map((v) => Math.round(v * 10) / 10);
}));

test('card: floats beside its photo, no layout shift, inside the viewport, Esc closes and returns focus; no machine words; ticket time zone', async (b, s) => {
  const { saved } = await demoImages();
  await importReferences(b, [{ name: 'ceramic-mug-listing.jpg', bytes: saved }]);
  const page = await b.context.newPage();
  await page.goto(s.url + '/');
  await page.locator('[data-refundlens="check"]').nth(3).waitFor({ timeout: 15_000 });
  await page.waitForTimeout(300);
  const before = await rects(page);
  const vp = page.viewportSize()!;
  const hosts = page.locator('[data-refundlens="check"]');
  for (let i = 0; i < 4; i++) {
    await hosts.nth(i).dispatchEvent('click');
    await page.waitForFunction((n) => document.querySelectorAll('[data-refundlens="result"][data-verdict]').length >= n, i + 1, { timeout: 60_000 });
    await page.waitForTimeout(250);
    const after = await rects(page);
    expect(JSON.stringify(after) === JSON.stringify(before), `photos did not move when card ${i + 1} opened: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    // the open card: inside the viewport and touching its photo's side (8 px gap)
    const geo = await page.evaluate((k) => {
      const photo = document.querySelectorAll('[data-refundlens-ticket] .evidence img')[k].getBoundingClientRect();
      const cards = [...document.querySelectorAll('[data-refundlens="result"]')].map((h) => h.getBoundingClientRect()).filter((r) => r.width > 250);
      return { photo: photo.toJSON(), cards: cards.map((c) => c.toJSON()) };
    }, i);
    expect(geo.cards.length === 1, `one card open at a time, got ${geo.cards.length}`);
    const c = geo.cards[0], p = geo.photo;
    expect(c.left >= 0 && c.top >= 0 && c.right <= vp.width && c.bottom <= vp.height, `card ${i + 1} inside the viewport: ${JSON.stringify(c)}`);
    const gapX = Math.max(p.left - c.right, c.left - p.right), gapY = Math.max(p.top - c.bottom, c.top - p.bottom);
    expect(Math.max(gapX, gapY) <= 10, `card ${i + 1} next to its photo (gap ${Math.max(gapX, gapY)} px)`);
  }
  // the doctored photo's card, with its region boxes drawn
  await hosts.first().dispatchEvent('click');
  await page.waitForFunction(() => document.querySelector('[data-refundlens="result"]')?.hasAttribute('data-verdict'), null, { timeout: 60_000 });
  await page.waitForTimeout(250);
  const cdp = await page.context().newCDPSession(page);
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpNode & { attributes?: string[] } };
  let boxes = 0;
  const walk = (n: CdpNode & { attributes?: string[] }) => {
    if (n.attributes?.includes('region')) boxes++;
    for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) walk(c);
  };
  walk(root);
  await cdp.detach();
  expect(boxes >= 1, `the card draws the changed regions (${boxes})`);
  const text = await cardText(page);
  expect(text.length > 100, `card text read (${text.length} chars)`);
  const bad = leaks(text);
  expect(!bad.length, `no machine words on the cards: ${bad.join('; ')}`);
  // Esc closes the card and gives the focus back to its button
  await page.keyboard.press('Escape');
  await page.waitForTimeout(200);
  const open = await page.$$eval('[data-refundlens="result"]', (els) => els.filter((h) => h.getBoundingClientRect().width > 250).length);
  expect(open === 0, 'Esc closed the card');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-refundlens'));
  expect(focused === 'check', `focus back on its check button, got ${focused}`);

  // the report: reviewer's words, no machine words outside the technical details, ticket's offset
  const id = await page.locator('[data-refundlens="result"]').first().getAttribute('data-check-id');
  const report = await b.context.newPage();
  await report.goto(`chrome-extension://${b.extensionId}/report.html?check=${id}`);
  await report.locator('[data-refundlens="report"]').waitFor();
  await report.locator('[data-refundlens="report-difference"] img').waitFor({ timeout: 15_000 });
  const rtext = await report.locator('[data-refundlens="report"]').innerText();
  const rbad = leaks(rtext);
  expect(!rbad.length, `no machine words in the report: ${rbad.join('; ')}`);
  expect(rtext.includes('2026-11-23 21:40:00 UTC+08:00') && !rtext.includes('13:40'), 'refund time in the ticket\'s zone (21:40 UTC+08:00)');
  const tmp = mkdtempSync(join(tmpdir(), 'refundlens-e2e-card-'));
  for (const lang of ['zh_CN', 'en'] as const) {
    await report.selectOption('[data-refundlens="report-export-lang"]', lang);
    const [d] = await Promise.all([report.waitForEvent('download', { timeout: 60_000 }), report.click('[data-refundlens="report-export-pdf"]')]);
    const path = join(tmp, `r-${lang}.pdf`);
    await d.saveAs(path);
    const all = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    // raw values live only under the technical details, the last section
    const cut = all.search(lang === 'en' ? /Technical details/ : /技术细节/);
    const body = cut > 0 ? all.slice(0, cut) : all;
    writeFileSync(join(tmp, `r-${lang}.txt`), all);
    const pbad = leaks(body);
    expect(!pbad.length, `no machine words in the ${lang} PDF: ${pbad.join('; ')}`);
    expect(body.includes('UTC+08:00') && !/13:40:00/.test(body), `${lang} PDF times in the ticket's zone`);
    if (lang === 'zh_CN') {
      expect(body.includes('买家提交的图片由商家的商品图修改而成'), 'PDF verdict in the third person');
      expect(!body.includes('您'), 'PDF does not address the merchant');
    }
  }
  await report.close();
  await page.close();
});

/** Boxes (CSS px) of the elements in the closed shadow roots matching an attribute (CDP pierces them). */
async function shadowBoxes(page: Page, attr: string, value?: string): Promise<{ x: number; y: number; w: number; h: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpAttrNode };
  const ids: number[] = [];
  const walk = (n: CdpAttrNode) => {
    const a = n.attributes ?? [];
    for (let i = 0; i < a.length; i += 2) if (a[i] === attr && (value === undefined || a[i + 1] === value)) ids.push(n.backendNodeId);
    for (const c of n.children ?? []) walk(c);
    for (const c of n.shadowRoots ?? []) walk(c);
  };
  walk(root);
  const out: { x: number; y: number; w: number; h: number }[] = [];
  for (const backendNodeId of ids) {
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId })) as { model: { border: number[] } };
    const xs = [model.border[0], model.border[2], model.border[4], model.border[6]];
    const ys = [model.border[1], model.border[3], model.border[5], model.border[7]];
    out.push({ x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) });
  }
  await cdp.detach();
  return out;
}
interface CdpAttrNode { backendNodeId: number; attributes?: string[]; children?: CdpAttrNode[]; shadowRoots?: CdpAttrNode[] }

test('card: a visible AI label is boxed where it is on the buyer photo, and named in the reasons', async (b, s) => {
  const page = await b.context.newPage();
  await page.goto(s.url + '/');
  const host = page.locator('[data-refundlens="check"][data-src$="/labelled.jpg"]');
  await host.waitFor({ timeout: 15_000 });
  await host.dispatchEvent('click');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-refundlens="result"][data-verdict]')].some((h) => h.getAttribute('data-src')?.endsWith('/labelled.jpg')), null, { timeout: 90_000 });
  await page.waitForTimeout(250);
  const labels = await shadowBoxes(page, 'data-ai-label');
  const [pic] = await shadowBoxes(page, 'alt', 'Buyer photo');
  expect(labels.length === 1 && !!pic, `one label box on the card's buyer photo (got ${labels.length}, photo ${JSON.stringify(pic)})`);
  const l = labels[0];
  const cx = (l.x + l.w / 2 - pic.x) / pic.w, cy = (l.y + l.h / 2 - pic.y) / pic.h;
  // stampLabel puts 「豆包AI生成」 in the bottom-right corner of demo photo labelled.jpg
  expect(cx > 0.6 && cx < 1 && cy > 0.75 && cy < 1, `label box in the bottom-right corner of the photo (centre at ${cx.toFixed(2)}, ${cy.toFixed(2)})`);
  expect(l.w < pic.w * 0.5 && l.h < pic.h * 0.25, `label box around the label only (${Math.round(l.w)}×${Math.round(l.h)} on ${Math.round(pic.w)}×${Math.round(pic.h)})`);
  const text = await cardText(page);
  expect(text.includes('visible AI label at its bottom-right corner: 「豆包AI生成」'), `reason names position and text: ${text.slice(0, 300)}`);
  await page.close();
});

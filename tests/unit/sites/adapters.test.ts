// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ADAPTERS, adapterFor, allImageHosts, allSellerMatches, generic, makeRuleAdapter, originPatternsForRule, validateRule } from '../../../utils/sites';
import { matchPatternToRegExp, urlMatches } from '../../../utils/sites/match';
import { EVIDENCE_HEADINGS, judgeLabel, parseShownDate } from '../../../utils/sites/common';

describe('match patterns', () => {
  it('behave like the browser’s', () => {
    const r = (p: string) => [matchPatternToRegExp(p)!];
    expect(urlMatches('https://img10.360buyimg.com/n5/a.jpg', r('https://*.360buyimg.com/*'))).toBe(true);
    expect(urlMatches('https://360buyimg.com/a.jpg', r('https://*.360buyimg.com/*'))).toBe(true);
    expect(urlMatches('https://evil360buyimg.com/a.jpg', r('https://*.360buyimg.com/*'))).toBe(false);
    expect(urlMatches('https://img.alicdn.com.evil.example/a.jpg', r('https://*.alicdn.com/*'))).toBe(false);
    expect(urlMatches('http://img.alicdn.com/a.jpg', r('https://*.alicdn.com/*'))).toBe(false);
    expect(urlMatches('http://localhost:5173/demo.html#x', r('http://localhost/*'))).toBe(true);
    expect(urlMatches('https://admin.shopify.com/store/acme/orders/1', r('https://admin.shopify.com/store/*'))).toBe(true);
    expect(urlMatches('https://admin.shopify.com/settings', r('https://admin.shopify.com/store/*'))).toBe(false);
    expect(urlMatches('https://acme.myshopify.com/admin/orders/1', r('https://*.myshopify.com/admin/*'))).toBe(true);
    expect(urlMatches('https://acme.myshopify.com/products/x', r('https://*.myshopify.com/admin/*'))).toBe(false);
    expect(matchPatternToRegExp('not a pattern')).toBeNull();
    expect(urlMatches('::::', r('https://*/*'))).toBe(false);
  });
});

describe('adapterFor', () => {
  const pick = (u: string, rules?: Parameters<typeof adapterFor>[1]) => adapterFor(new URL(u), rules).id;
  it('picks the platform of each seller centre', () => {
    expect(pick('https://myseller.taobao.com/home.htm/qn-refund/refund-list')).toBe('taobao');
    expect(pick('https://qn.taobao.com/home.htm')).toBe('taobao');
    expect(pick('https://refund2.tmall.com/dispute/detail.htm?disputeId=1')).toBe('taobao');
    expect(pick('https://porder.shop.jd.com/order/orderlist')).toBe('jd');
    expect(pick('https://mms.pinduoduo.com/aftersales/aftersale_list')).toBe('pinduoduo');
    expect(pick('https://fxg.jinritemai.com/ffa/maftersale/aftersale/list')).toBe('douyin');
    expect(pick('https://s.kwaixiaodian.com/zone/refund/detail?refundId=1')).toBe('kuaishou');
    expect(pick('https://sellercentral.amazon.com/gp/returns/list/v2')).toBe('amazon');
    expect(pick('https://sellercentral.amazon.co.uk/a-to-z-guarantee/claims')).toBe('amazon');
    expect(pick('https://sellercentral-europe.amazon.com/orders-v3/order/302-1-2')).toBe('amazon');
    expect(pick('https://admin.shopify.com/store/acme/orders/5551234567')).toBe('shopify');
    expect(pick('https://acme.myshopify.com/admin/orders/1')).toBe('shopify');
  });
  it('falls back to generic elsewhere (buyer-side pages included)', () => {
    expect(pick('https://item.taobao.com/item.htm?id=1')).toBe('generic');
    expect(pick('https://www.amazon.com/dp/B00TEST123')).toBe('generic');
    expect(pick('https://erp.example.com/refunds/1')).toBe('generic');
  });
  it('platform matches never overlap', () => {
    for (const a of ADAPTERS) for (const m of a.matches) {
      const sample = m.replace('*.', 'x.').replace(/\*/g, 'x');
      expect(ADAPTERS.filter((b) => b.appliesTo(new URL(sample))).map((b) => b.id), sample).toEqual([a.id]);
    }
  });
  it('merchant rules: selector rules beat platforms, plain rules beat only generic, exact beats wildcard', () => {
    const plain = { host: 'erp.example.com' };
    const wild = { host: '*.example.com', selector: '.wild img' };
    const exact = { host: 'erp.example.com', selector: '.evidence img' };
    expect(pick('https://erp.example.com/r/1', [plain])).toBe('rule:erp.example.com');
    expect(pick('https://erp.example.com/r/1', [wild, exact])).toBe('rule:erp.example.com');
    expect(pick('https://a.example.com/r/1', [wild, exact])).toBe('rule:*.example.com');
    expect(pick('https://mms.pinduoduo.com/aftersales/aftersale_list', [{ host: 'mms.pinduoduo.com' }])).toBe('pinduoduo');
    expect(pick('https://mms.pinduoduo.com/aftersales/aftersale_list', [{ host: 'mms.pinduoduo.com', selector: '.x img' }])).toBe('rule:mms.pinduoduo.com');
    expect(pick('https://other.org/', [plain, { host: '*' } as never, { host: 'bad host!' } as never])).toBe('generic');
  });
  it('lists for wxt.config: seller matches and image hosts, all valid patterns, no catch-all', () => {
    const sellers = allSellerMatches();
    const images = allImageHosts();
    expect(sellers).toContain('http://127.0.0.1/*');
    expect(sellers).toContain('https://mms.pinduoduo.com/*');
    expect(images).toContain('https://*.alicdn.com/*');
    expect(images).toContain('https://cdn.shopify.com/*');
    for (const p of [...sellers, ...images]) {
      expect(matchPatternToRegExp(p), p).not.toBeNull();
      expect(p).not.toMatch(/^\*:\/\/\*\/|^https?:\/\/\*\/|<all_urls>/);
    }
    expect(new Set(sellers).size).toBe(sellers.length);
    expect(new Set(images).size).toBe(images.length);
  });
});

describe('merchant rules', () => {
  const ok = (input: unknown) => {
    const r = validateRule(input);
    if (!r.ok) throw new Error(r.error);
    return r.rule;
  };
  const err = (input: unknown) => {
    const r = validateRule(input);
    return r.ok ? 'ok' : r.error;
  };
  it('normalises hosts and pasted URLs', () => {
    expect(ok({ host: 'ERP.Example.com' })).toEqual({ host: 'erp.example.com', id: 'rule:erp.example.com' });
    expect(ok({ host: 'https://erp.example.com:8443/refunds?id=1' }).host).toBe('erp.example.com');
    expect(ok({ host: '*.example.co.uk', selector: ' .proof img ' })).toEqual({ host: '*.example.co.uk', selector: '.proof img', id: 'rule:*.example.co.uk' });
    expect(ok({ host: '店铺.example.cn' }).host).toMatch(/^xn--[a-z0-9]+\.example\.cn$/);
    expect(ok({ host: '192.168.1.20' }).host).toBe('192.168.1.20');
    expect(ok({ host: 'erp.example.com', selector: '', id: 'my-erp' })).toEqual({ host: 'erp.example.com', id: 'my-erp' });
  });
  it('rejects anything that would widen to all sites or is not a host', () => {
    for (const h of ['*', '*.*', '*.com', '*.com.cn', '*.co.uk', '*.myshopify.com', '*.github.io', 'a*.example.com', '*.192.168.1.1', '*.localhost']) expect(err({ host: h }), h).toBe('site_rule_too_wide');
    for (const h of ['', ' ', 'exa mple.com', 'example', 'example.123', '-bad.example.com', 'user@example.com', 'a..b.com', 'x'.repeat(300)]) expect(err({ host: h }), h).toBe('site_rule_bad_host');
    expect(err(null)).toBe('site_rule_invalid');
    expect(err('erp.example.com')).toBe('site_rule_invalid');
    expect(err([{ host: 'erp.example.com' }])).toBe('site_rule_invalid');
    expect(err({ host: 42 })).toBe('site_rule_bad_host');
  });
  it('rejects selectors that do not parse', () => {
    for (const s of ['img[', 'div >', '{color:red}', 'a"b', ':not(', '.a; .b', 'img))']) expect(err({ host: 'erp.example.com', selector: s }), s).toBe('site_rule_bad_selector');
    expect(err({ host: 'erp.example.com', selector: 42 })).toBe('site_rule_bad_selector');
    expect(err({ host: 'erp.example.com', selector: '.evidence > img:not(.avatar), [data-kind="proof"] img' })).toBe('ok');
  });
  it('asks for exactly the rule’s origins', () => {
    expect(originPatternsForRule({ host: 'erp.example.com' })).toEqual(['https://erp.example.com/*', 'http://erp.example.com/*']);
    expect(originPatternsForRule({ host: '*.example.com' })).toEqual(['https://*.example.com/*', 'http://*.example.com/*']);
  });
  it('a selector rule offers exactly the selected images; without one the generic heuristic runs', () => {
    document.body.innerHTML = `
      <div class="ticket"><span>订单号：T-20240512-0001</span>
        <div class="evidence"><img data-t="a" src="https://files.example-erp.com/u/a.jpg" width="200" height="200"><img data-t="b" src="data:image/png;base64,xx"></div>
        <img data-t="c" src="https://img.alicdn.com/imgextra/i1/0/O1CN01x_!!0.jpg_80x80.jpg" class="evidence-alicdn" width="80" height="80">
      </div>
      <div class="refund-box">退款凭证 <img data-t="d" src="https://files.example-erp.com/u/d.jpg" width="300" height="200"></div>`;
    const sel = makeRuleAdapter({ host: 'erp.example.com', selector: '.evidence, img.evidence-alicdn' });
    expect(sel.findBuyerPhotos(document).map((i) => i.getAttribute('data-t'))).toEqual(['a', 'c']);
    // A platform CDN image on an ERP page still gets that platform's full-size rewrite.
    expect(sel.photoUrl(document.querySelector('[data-t="c"]')!)).toBe('https://img.alicdn.com/imgextra/i1/0/O1CN01x_!!0.jpg');
    expect(sel.ticketInfo(document, document.querySelector('[data-t="a"]')!)).toEqual({ site: 'rule:erp.example.com', orderId: 'T-20240512-0001' });
    const plain = makeRuleAdapter({ host: 'erp.example.com' });
    expect(plain.findBuyerPhotos(document).map((i) => i.getAttribute('data-t'))).toEqual(['a', 'd']);
    const broken = makeRuleAdapter({ host: '*' });
    expect(broken.appliesTo(new URL('https://example.org/'))).toBe(false);
    expect(broken.findBuyerPhotos(document)).toEqual([]);
  });
});

describe('generic adapter (demo pages, contract)', () => {
  it('keeps the data-refundlens-ticket contract and relative demo sources', () => {
    (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL('http://127.0.0.1:8080/demo.html');
    document.body.innerHTML = `<div data-refundlens-ticket data-order-id="O-1" data-buyer="demo" data-refund-at="2024-05-12T10:00:00+08:00">
      <img data-t="q" src="/photos/q1.jpg" width="400" height="300"><img data-t="i" src="/icon.png" width="16" height="16"></div>`;
    const found = generic.findBuyerPhotos(document);
    expect(found.map((i) => i.getAttribute('data-t'))).toEqual(['q']);
    expect(generic.photoUrl(found[0])).toBe('http://127.0.0.1:8080/photos/q1.jpg');
    expect(generic.ticketInfo(document, found[0])).toEqual({ orderId: 'O-1', buyer: 'demo', refundAt: '2024-05-12T10:00:00+08:00' });
  });
});

describe('dates shown on pages', () => {
  it.each([
    ['2024-05-12 14:03:22', '+08:00', '2024-05-12T14:03:22+08:00'],
    ['2024/5/2 8:05', '+08:00', '2024-05-02T08:05:00+08:00'],
    ['2024年5月1日 20:15', '+08:00', '2024-05-01T20:15:00+08:00'],
    ['2024.05.12', '+08:00', '2024-05-12'],
    ['May 12, 2024', undefined, '2024-05-12'],
    ['Sun, May 12, 2024 10:03 PM PDT', undefined, '2024-05-12T22:03:00'],
    ['May 10, 2024 at 12:30 am', undefined, '2024-05-10T00:30:00'],
    ['12 Sept 2024', undefined, '2024-09-12'],
    ['25/12/2024', undefined, '2024-12-25'],
    ['05/20/2024', undefined, '2024-05-20'],
  ])('%s', (text, tz, iso) => {
    expect(parseShownDate(text, { tz })).toBe(iso);
  });
  it('returns nothing for non-dates and ambiguous numeric dates', () => {
    for (const t of ['', '订单号', '3612345678901234567', '05/06/2024', '2024-13-40', 'Marketplace 12 2024', '1899-01-01']) expect(parseShownDate(t), t).toBeUndefined();
    expect(parseShownDate('05/06/2024', { order: 'dmy' })).toBe('2024-06-05');
  });
});

describe('section labels', () => {
  it.each([
    ['上传凭证', 'evidence'],
    ['退款凭证：', 'evidence'],
    ['买家举证图片', 'evidence'],
    ['售后凭证（3张）', 'evidence'],
    ['Images from customer', 'evidence'],
    ['Photos submitted by the buyer', 'evidence'],
    ['Customer images', 'evidence'],
    ['商家凭证', 'reject'],
    ['卖家上传的图片', 'reject'],
    ['商家：', 'reject'],
    ['Your uploaded images', 'reject'],
    ['Seller photos', 'reject'],
    ['商品信息', 'reject'],
    ['退款商品', 'reject'],
    ['宝贝', 'reject'],
    ['Items ordered', 'reject'],
    ['Product details', 'reject'],
    // A buyer's sentence that mentions the seller or the product is not a section label.
    ['卖家发的货有破损', 'unknown'],
    ['商品破损严重，屏幕裂了', 'unknown'],
    ['退款信息', 'unknown'],
    ['买家', 'unknown'],
  ])('%s → %s', (label, want) => {
    expect(judgeLabel(label, EVIDENCE_HEADINGS)).toBe(want);
  });
});

describe('ticket labels in other layouts', () => {
  it('reads same-node values, label+space values and dl/table pairs, ignoring copy buttons', () => {
    document.body.innerHTML = `<div class="refund">
      <p>订单号 3612345678901234567 <a>复制</a></p>
      <dl><dt>退款编号</dt><dd>198765432101234567<button>复制</button></dd><dt>买家昵称</dt><dd>小李 旺旺联系</dd></dl>
      <p>申请时间：2024-05-12 14:03</p>
      <div class="proof"><img data-t="p" src="https://img.alicdn.com/imgextra/i1/0/O1CN01p_!!0.jpg_120x120.jpg" width="120" height="120"></div></div>`;
    const { taobao } = ADAPTERS_BY_ID;
    expect(taobao.ticketInfo(document, document.querySelector('[data-t="p"]')!)).toEqual({
      site: 'taobao', orderId: '3612345678901234567', refundId: '198765432101234567', buyer: '小李', refundAt: '2024-05-12T14:03:00+08:00',
    });
  });
  it('never throws on odd roots', () => {
    for (const a of [...ADAPTERS, generic]) {
      expect(() => a.ticketInfo(document.createDocumentFragment())).not.toThrow();
      expect(() => a.findBuyerPhotos(document.createDocumentFragment())).not.toThrow();
      expect(a.photoUrl(document.createElement('img'))).toBeUndefined();
    }
  });
});
const ADAPTERS_BY_ID = Object.fromEntries(ADAPTERS.map((a) => [a.id, a]));

describe('evidence rows', () => {
  it('a label before a long row of photos covers all of them; merchant rows next to it stay out', () => {
    const imgs = (p: string, n: number) => Array.from({ length: n }, (_, i) => `<img data-t="${p}${i}" src="https://img.alicdn.com/imgextra/i1/0/O1CN01${p}${i}_!!0.jpg_120x120.jpg" width="120" height="120">`).join('');
    document.body.innerHTML = `<div class="wrap"><div>凭证：${imgs('b', 9)}</div><div>商家凭证：${imgs('m', 3)}</div></div>`;
    expect(ADAPTERS_BY_ID.taobao.findBuyerPhotos(document).map((i) => i.getAttribute('data-t'))).toEqual(Array.from({ length: 9 }, (_, i) => `b${i}`));
  });
  it('honours data-refundlens-skip and data-refundlens-photo', () => {
    document.body.innerHTML = `<div><div>凭证</div><div data-refundlens-skip><img data-t="s" src="https://img.alicdn.com/imgextra/s.jpg" width="120" height="120"></div>
      <div class="goods"><img data-t="forced" data-refundlens-photo src="https://img.alicdn.com/imgextra/f.jpg" width="120" height="120"></div></div>`;
    expect(ADAPTERS_BY_ID.taobao.findBuyerPhotos(document).map((i) => i.getAttribute('data-t'))).toEqual(['forced']);
  });
});

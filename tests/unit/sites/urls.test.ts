import { describe, expect, it } from 'vitest';
import { alicdnFullSize } from '../../../utils/sites/taobao';
import { jdFullSize } from '../../../utils/sites/jd';
import { pddFullSize } from '../../../utils/sites/pinduoduo';
import { douyinFullSize } from '../../../utils/sites/douyin';
import { kuaishouFullSize } from '../../../utils/sites/kuaishou';
import { amazonFullSize } from '../../../utils/sites/amazon';
import { shopifyFullSize } from '../../../utils/sites/shopify';
import { ADAPTERS, generic } from '../../../utils/sites';

const cases: Record<string, { fn: (u: string) => string; rewrites: [string, string][]; unchanged: string[] }> = {
  alicdn: {
    fn: alicdnFullSize,
    rewrites: [
      ['https://img.alicdn.com/bao/uploaded/i1/2200/O1CN01abc_!!2200.jpg_80x80.jpg', 'https://img.alicdn.com/bao/uploaded/i1/2200/O1CN01abc_!!2200.jpg'],
      ['https://img.alicdn.com/imgextra/i1/14703471/TB2wBitl3fH8KJjy1zcXXcTzpXa_!!14703471-0-beehive-scenes.jpg_180x180xzq90.jpg_.webp', 'https://img.alicdn.com/imgextra/i1/14703471/TB2wBitl3fH8KJjy1zcXXcTzpXa_!!14703471-0-beehive-scenes.jpg'],
      ['https://gw.alicdn.com/imgextra/i4/0/O1CN01ev2_!!0-rate.png_q90.jpg', 'https://gw.alicdn.com/imgextra/i4/0/O1CN01ev2_!!0-rate.png'],
      ['https://img.alicdn.com/imgextra/i2/0/O1CN01x_!!0-rate.jpg_.webp', 'https://img.alicdn.com/imgextra/i2/0/O1CN01x_!!0-rate.jpg'],
      ['https://img.alicdn.com/imgextra/i2/0/O1CN01x_!!0-rate.jpg_sum.jpg', 'https://img.alicdn.com/imgextra/i2/0/O1CN01x_!!0-rate.jpg'],
      ['//img.alicdn.com/imgextra/i3/0/O1CN01ev3_!!0.jpg_400x400.jpg', 'https://img.alicdn.com/imgextra/i3/0/O1CN01ev3_!!0.jpg'],
      ['https://img.alicdn.com/imgextra/i3/0/x.jpg?x-oss-process=image/resize,w_100', 'https://img.alicdn.com/imgextra/i3/0/x.jpg'],
      ['https://img01.taobaocdn.com/bao/uploaded/i1/T1abc.jpg_310x310.jpg', 'https://img01.taobaocdn.com/bao/uploaded/i1/T1abc.jpg'],
    ],
    unchanged: ['https://img.alicdn.com/imgextra/i2/0/O1CN01x_!!0-rate.jpg', 'https://gw.alicdn.com/tfs/TB1logo-120-40.png'],
  },
  '360buyimg': {
    fn: jdFullSize,
    rewrites: [
      ['https://img10.360buyimg.com/n5/jfs/t1/1111/2/3333/44444/abc.jpg', 'https://img10.360buyimg.com/n0/jfs/t1/1111/2/3333/44444/abc.jpg'],
      ['https://img14.360buyimg.com/n1/s450x450_jfs/t1/2222/3/4444/55555/def.jpg', 'https://img14.360buyimg.com/n0/jfs/t1/2222/3/4444/55555/def.jpg'],
      ['https://img30.360buyimg.com/n1/s450x450_jfs/t1/2222/3/4444/55555/def.jpg!q70.dpg.webp', 'https://img30.360buyimg.com/n0/jfs/t1/2222/3/4444/55555/def.jpg'],
      ['https://img20.360buyimg.com/cms/s80x80_jfs/t1/9/8/7/6/ghi.png', 'https://img20.360buyimg.com/cms/jfs/t1/9/8/7/6/ghi.png'],
      ['https://img30.360buyimg.com/afs/jfs/t1/3333/4/5555/66666/ghi.png!cc_100x100.png', 'https://img30.360buyimg.com/afs/jfs/t1/3333/4/5555/66666/ghi.png'],
      ['https://img11.360buyimg.com/n7/jfs/t1/5/6/7/8/jkl.jpg.avif', 'https://img11.360buyimg.com/n0/jfs/t1/5/6/7/8/jkl.jpg'],
      ['https://img12.360buyimg.com/shaidan/jfs/t1/5/6/7/8/mno.webp!q80', 'https://img12.360buyimg.com/shaidan/jfs/t1/5/6/7/8/mno.webp'],
    ],
    unchanged: ['https://img10.360buyimg.com/n0/jfs/t1/1111/2/3333/44444/abc.jpg', 'https://img30.360buyimg.com/afs/jfs/t1/3333/4/5555/66666/ghi.png'],
  },
  pddpic: {
    fn: pddFullSize,
    rewrites: [
      ['https://img.pddpic.com/mms-aftersale/2026-09-30/ev1.jpeg?imageMogr2/thumbnail/200x', 'https://img.pddpic.com/mms-aftersale/2026-09-30/ev1.jpeg'],
      ['https://img.pddpic.com/open-gw/2024-05-15/c98022b4.jpeg?imageView2/2/w/300/q/80/format/webp', 'https://img.pddpic.com/open-gw/2024-05-15/c98022b4.jpeg'],
      ['https://img.pddpic.com/mms-material-img/2021-08-18/094e8bb6-74b6.png.a.jpeg', 'https://img.pddpic.com/mms-material-img/2021-08-18/094e8bb6-74b6.png'],
      ['https://t16img.yangkeduo.com/aftersales/2026-09-30/ev2.png.a.jpeg', 'https://t16img.yangkeduo.com/aftersales/2026-09-30/ev2.png'],
      ['https://funimg.pddpic.com/leisure/hp_line.png.slim.png', 'https://funimg.pddpic.com/leisure/hp_line.png'],
      ['https://img.pddpic.com/x/2024/y.jpg?x-oss-process=image/resize,w_100', 'https://img.pddpic.com/x/2024/y.jpg'],
    ],
    unchanged: ['https://img.pddpic.com/goods_mms/2024-03-17/b3a21927.jpeg', 'https://img.pddpic.com/x.jpeg?token=abc'],
  },
  'ecombdimg/byteimg/douyinpic': {
    fn: douyinFullSize,
    rewrites: [
      ['https://p3-aio.ecombdimg.com/img/ecom-aftersale-evidence/abc123~tplv-resize:200:200.jpeg', 'https://p3-aio.ecombdimg.com/obj/ecom-aftersale-evidence/abc123'],
      ['https://p9-aio.ecombdimg.com/img/temai/c79c3356~200x200.jpeg', 'https://p9-aio.ecombdimg.com/obj/temai/c79c3356'],
      ['https://p3-aio.ecombdimg.com/obj/ecom-shop-material/png_m_646be~tplv-noop.image', 'https://p3-aio.ecombdimg.com/obj/ecom-shop-material/png_m_646be'],
      ['https://p3.byteimg.com/tos-cn-i-abc/evidence123~tplv-obj:400:400.image', 'https://p3.byteimg.com/tos-cn-i-abc/evidence123'],
      ['https://p6.douyinpic.com/tos-cn-i-0813/ev9~noop.webp', 'https://p6.douyinpic.com/tos-cn-i-0813/ev9'],
    ],
    unchanged: [
      'https://p3-aio.ecombdimg.com/obj/ecom-shop-material/jliNJeUJ_m_681a8dc2f66cf684d015117798ec2d50_sx_332833_www800-800',
      'https://p26-sign.byteimg.com/tos-cn-i-abc/ev2~tplv-obj.image?x-expires=1718000000&x-signature=abcdEFG%3D',
      'https://p3-sign.douyinpic.com/tos-cn-i-0813/abc~tplv-dy-resize-origshort-autoq-75:330.jpeg?lk3s=138a59ce&x-expires=1',
    ],
  },
  'yximgs/kwaicdn': {
    fn: kuaishouFullSize,
    rewrites: [
      ['https://p4-ec.ecukwai.com/bs2/refund-evidence/ev1.jpg?x-oss-process=image/resize,w_200', 'https://p4-ec.ecukwai.com/bs2/refund-evidence/ev1.jpg'],
      ['https://p1.a.kwimgs.com/bs2/refund-evidence/ev2.jpg.webp?w=200&h=200', 'https://p1.a.kwimgs.com/bs2/refund-evidence/ev2.jpg'],
      ['https://tx2.a.yximgs.com/ufile/atlas/MTI3MjAyMjYyXzc1MTAzNjU0ODA=_0.jpg?imageView2/2/w/300', 'https://tx2.a.yximgs.com/ufile/atlas/MTI3MjAyMjYyXzc1MTAzNjU0ODA=_0.jpg'],
      ['https://p2.a.kwaicdn.com/bs2/x/y.png?width=100&tag=keep', 'https://p2.a.kwaicdn.com/bs2/x/y.png?tag=keep'],
    ],
    unchanged: ['https://ali-ec.static.yximgs.com/ufile/adsocial/04d73b3e-eff2-4c50-83c8-d43124deaeb9-i38951473034.jpg', 'https://p2.a.kwaicdn.com/x.jpg?w=100&sign=abc'],
  },
  amazon: {
    fn: amazonFullSize,
    rewrites: [
      ['https://m.media-amazon.com/images/I/5198TOs+rnL._SL160_.jpg', 'https://m.media-amazon.com/images/I/5198TOs+rnL.jpg'],
      ['https://images-na.ssl-images-amazon.com/images/I/51UMeAAJNRL._SL75_.jpg', 'https://images-na.ssl-images-amazon.com/images/I/51UMeAAJNRL.jpg'],
      ['https://m.media-amazon.com/images/I/81AbCdEfGhL._AC_US40_.jpg', 'https://m.media-amazon.com/images/I/81AbCdEfGhL.jpg'],
      ['https://m.media-amazon.com/images/I/41eTyK5fGVL._AC_SX679_.png', 'https://m.media-amazon.com/images/I/41eTyK5fGVL.png'],
      ['https://m.media-amazon.com/images/I/61phUFMrvSL.jpg_BO30,255,255,255_UF900,850_SR1910,1000,0,C_QL100_.jpg', 'https://m.media-amazon.com/images/I/61phUFMrvSL.jpg'],
      ['https://images-eu.ssl-images-amazon.com/images/I/71abc._SX300_SY300_QL70_ML2_.jpg', 'https://images-eu.ssl-images-amazon.com/images/I/71abc.jpg'],
    ],
    unchanged: ['https://m.media-amazon.com/images/I/5198TOs+rnL.jpg', 'https://m.media-amazon.com/images/G/01/sellercentral/logo._CB485936567_.png'],
  },
  shopify: {
    fn: shopifyFullSize,
    rewrites: [
      ['https://cdn.shopify.com/s/files/1/0262/1234/products/mug_100x100.jpg?v=1699999999', 'https://cdn.shopify.com/s/files/1/0262/1234/products/mug.jpg?v=1699999999'],
      ['https://cdn.shopify.com/s/files/1/0262/1234/files/IMG_4821_400x400@2x.jpg?v=1715330000&width=400', 'https://cdn.shopify.com/s/files/1/0262/1234/files/IMG_4821.jpg?v=1715330000'],
      ['https://cdn.shopify.com/s/files/1/0262/1234/files/crack_photo_large.png?v=1&height=300&crop=center', 'https://cdn.shopify.com/s/files/1/0262/1234/files/crack_photo.png?v=1'],
      ['https://cdn.shopify.com/s/files/1/0262/1234/files/photo_small.jpg', 'https://cdn.shopify.com/s/files/1/0262/1234/files/photo.jpg'],
      ['https://cdn.shopify.com/s/files/1/0262/1234/files/photo_300x.progressive.jpg', 'https://cdn.shopify.com/s/files/1/0262/1234/files/photo.jpg'],
      ['https://cdn.shopify.com/s/files/1/0262/1234/files/photo_x120_crop_center.jpg?width=120', 'https://cdn.shopify.com/s/files/1/0262/1234/files/photo.jpg'],
      ['https://cdn.shopify.com/s/files/1/0262/1234/files/photo@2x.webp', 'https://cdn.shopify.com/s/files/1/0262/1234/files/photo.webp'],
    ],
    unchanged: ['https://cdn.shopify.com/s/files/1/0262/1234/files/IMG_4821.jpg?v=1715330000', 'https://cdn.shopify.com/s/files/1/0262/1234/files/IMG_2024.jpg'],
  },
};

const UNRELATED = [
  'https://example.com/photos/IMG_1234_100x100.jpg?width=100',
  'https://cdn.example.com/images/I/51UMeAAJNRL._SL160_.jpg',
  'https://img.alicdn.com.evil.example/x.jpg_80x80.jpg',
  'http://localhost:3000/demo/q1.jpg',
  'data:image/png;base64,iVBORw0KGgo=',
  'blob:https://fxg.jinritemai.com/6b1f-4c2e',
];
const MALFORMED = ['', ' ', 'not a url', 'http://', '//', 'https://[::1', 'https://img.alicdn.com/%E0%A4%A.jpg_80x80.jpg', 'x'.repeat(10000), 'javascript:alert(1)'];

describe.each(Object.entries(cases))('%s full-size rewrite', (_name, c) => {
  it.each(c.rewrites)('%s', (from, to) => {
    expect(c.fn(from)).toBe(to);
    expect(c.fn(to)).toBe(to); // idempotent
  });
  it('leaves originals unchanged', () => {
    for (const u of c.unchanged) expect(c.fn(u)).toBe(u);
  });
});

describe('every adapter passes other URLs through and never throws', () => {
  const all = [...ADAPTERS, generic];
  it.each(all.map((a) => [a.id, a] as const))('%s', (_id, a) => {
    for (const u of UNRELATED) expect(a.fullSizeUrl(u)).toBe(u);
    for (const u of MALFORMED) expect(() => a.fullSizeUrl(u)).not.toThrow();
    for (const u of MALFORMED) expect(typeof a.fullSizeUrl(u)).toBe('string');
    expect(() => a.fullSizeUrl(undefined as unknown as string)).not.toThrow();
    expect(() => a.fullSizeUrl(42 as unknown as string)).not.toThrow();
  });
});

describe('each platform rewrites only its own CDN', () => {
  it('no adapter rewrites another platform’s URLs', () => {
    const mine: Record<string, string> = {
      taobao: cases.alicdn.rewrites[0][0],
      jd: cases['360buyimg'].rewrites[0][0],
      pinduoduo: cases.pddpic.rewrites[0][0],
      douyin: cases['ecombdimg/byteimg/douyinpic'].rewrites[0][0],
      kuaishou: cases['yximgs/kwaicdn'].rewrites[0][0],
      amazon: cases.amazon.rewrites[0][0],
      shopify: cases.shopify.rewrites[0][0],
    };
    for (const a of ADAPTERS)
      for (const [owner, url] of Object.entries(mine)) {
        if (owner === a.id) expect(a.fullSizeUrl(url), a.id).not.toBe(url);
        else expect(a.fullSizeUrl(url), `${a.id} on ${owner}`).toBe(url);
      }
  });
});

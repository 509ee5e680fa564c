import sharp from 'sharp';
import { productSvg } from '../tests/fixtures/images';
import { toGray } from '../utils/hash/gray';
import { extractFeatures, matchDescriptors } from '../utils/hash/features';
import { fitSimilarity } from '../utils/compare/geometry';
async function raw(s: sharp.Sharp) { const { data, info } = await s.ensureAlpha().raw().toBuffer({ resolveWithObject: true }); return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) }; }
const svg = Buffer.from(productSvg(5, 1000, 750));
const ref = await raw(sharp(svg));
const jpg = await sharp(svg).jpeg({ quality: 90 }).toBuffer();
const tests: [string, sharp.Sharp][] = [
  ['same', sharp(jpg)],
  ['rot10', sharp(jpg).rotate(10, { background: '#fff' }).jpeg({ quality: 40 })],
  ['crop', sharp(jpg).extract({ left: 150, top: 100, width: 600, height: 500 }).resize(400)],
  ['mirror', sharp(jpg).flop()],
  ['rot90', sharp(jpg).rotate(90)],
  ['other', sharp(Buffer.from(productSvg(6, 1000, 750)))],
];
let t = performance.now();
const rf = extractFeatures(toGray(ref));
console.log('ref feats', rf.n, (performance.now() - t).toFixed(1), 'ms');
for (const [name, s] of tests) {
  const q = await raw(sharp(await s.toBuffer()));
  t = performance.now();
  const qf = extractFeatures(toGray(q), { mirror: true });
  const t1 = performance.now();
  const m = matchDescriptors(qf.desc, qf.n, rf.desc, rf.n);
  const mm = matchDescriptors(qf.mdesc!, qf.n, rf.desc, rf.n);
  const t2 = performance.now();
  const f = fitSimilarity(qf, rf, m, false), fm = fitSimilarity(qf, rf, mm, true);
  const t3 = performance.now();
  console.log(name, q.width, q.height, 'feats', qf.n, 'matches', m.n, mm.n, 'fit', f?.inliers, f?.scale.toFixed(3), f?.rotation.toFixed(1), f?.rms.toFixed(2), 'mirror', fm?.inliers, fm?.rotation.toFixed(1), `ms ${(t1 - t).toFixed(1)} ${(t2 - t1).toFixed(1)} ${(t3 - t2).toFixed(1)}`);
}

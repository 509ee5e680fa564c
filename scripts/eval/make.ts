/**
 * `npm run eval:make -- <photos-dir> <out-dir> [--per-ref 6] [--seed 1] [--synthetic N] [--flat N] [--dark N]`
 *
 * Builds a labelled "doctored buyer photo" dataset (format of ../shared/eval/README.md):
 *   references/  70 % of the photos (the merchant's saved photos)
 *   queries/     per reference `--per-ref` copies, cycling through every transformation
 *                (resize 0.25–2×, crop ≥ 60 %, rotate ±2–15°, quarter turns, mirror, phone/chat
 *                screenshot, colour shifts, stickers), half with a painted crack / stain / tear,
 *                re-saved at JPEG quality 30–95; plus transformed copies of the other 30 % of the
 *                photos (not derived from any reference)
 *   masks/       exact edit masks in query pixels
 *   truth.json
 * `--synthetic N` adds N rendered product scenes as references, with re-shot photos of the same
 * products (other camera offset, zoom, tilt, light, background) as hard negatives. With
 * `--synthetic` (or `--flat` / `--dark`) the photos dir may be `-` (no photos).
 * `--flat N` adds N nearly texture-less references (smooth colour gradients, no keypoints), with
 * look-alike backdrops (transitions and glow moved, other light) as hard negatives.
 * `--dark N` adds N very dark, low-contrast references (under-exposed scenes, grey 0..~16), with
 * dark re-shoots of the same products as hard negatives.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, extname, basename } from 'node:path';
import sharp from 'sharp';
import { rng } from '../../tests/fixtures/images';
import { BASE_CAMERA, EDITS, TRANSFORMS, darkSceneJpeg, gradientJpeg, gradientLook, makeQuery, sceneJpeg, type Camera, type QuerySpec } from '../../tests/fixtures/dataset';

const QUALITIES = [30, 35, 50, 70, 85, 95];

interface Opts { perRef: number; seed: number; synthetic: number; flat?: number; dark?: number }

export async function makeDataset(photosDir: string | null, outDir: string, opts: Opts, log = console.log): Promise<void> {
  for (const d of ['references', 'queries', 'masks']) mkdirSync(join(outDir, d), { recursive: true });
  const r = rng(opts.seed);
  const photos = photosDir && photosDir !== '-' && existsSync(photosDir)
    ? readdirSync(photosDir).filter((f) => /\.(jpe?g|png|webp|avif|tiff?)$/i.test(f)).sort()
    : [];
  const refs: { name: string; bytes: Uint8Array }[] = [];
  const others: { name: string; bytes: Uint8Array }[] = [];
  photos.forEach((f, i) => {
    const bytes = new Uint8Array(readFileSync(join(photosDir!, f)));
    (i % 10 < 7 ? refs : others).push({ name: f, bytes });
  });
  const hardNeg: { ref: string; bytes: Uint8Array }[] = [];
  for (let p = 0; p < opts.synthetic; p++) {
    const name = `scene-${String(p + 1).padStart(3, '0')}.jpg`;
    refs.push({ name, bytes: await sceneJpeg(p + 1, BASE_CAMERA, 92) });
    // two re-shoots of the same product: another camera, light and background
    for (let k = 0; k < 2; k++) {
      const cam: Camera = {
        dx: (r() - 0.5) * 160, dy: (r() - 0.5) * 100, zoom: 0.8 + r() * 0.45, tilt: (r() - 0.5) * 16,
        // half the re-shoots in the same room (parallax only), half elsewhere
        light: (r() - 0.5) * 1.6, background: k === 0 ? BASE_CAMERA.background : 100 + p * 7 + k,
        skew: (r() < 0.5 ? -1 : 1) * (3 + r() * 6), squash: 0.85 + r() * 0.1, blur: 0.5 + r() * 0.8,
      };
      hardNeg.push({ ref: name, bytes: await sceneJpeg(p + 1, cam, 85) });
    }
  }
  for (let p = 0; p < (opts.flat ?? 0); p++) {
    const name = `gradient-${String(p + 1).padStart(3, '0')}.jpg`;
    const seed = opts.seed * 1000 + p + 1;
    refs.push({ name, bytes: await gradientJpeg(seed, 92) });
    // look-alike backdrop: the same colours, transitions and glow elsewhere, other light
    const g = rng(seed * 17 + 5);
    const split = gradientLook(seed).split!;
    const look = {
      split: [split[0] + (g() < 0.5 ? -1 : 1) * (0.06 + g() * 0.08), split[1] + (g() < 0.5 ? -1 : 1) * (0.06 + g() * 0.08)] as [number, number],
      glow: [0.2 + g() * 0.6, 0.2 + g() * 0.6] as [number, number],
      light: (g() - 0.5) * 1.2,
    };
    hardNeg.push({ ref: name, bytes: await gradientJpeg(seed, 85, 1200, 800, look) });
    // and an unrelated backdrop (other colours and layout), never in the library
    others.push({ name: `gradient-other-${p + 1}.jpg`, bytes: await gradientJpeg(seed + 500, 90) });
  }
  for (let p = 0; p < (opts.dark ?? 0); p++) {
    const name = `dark-${String(p + 1).padStart(3, '0')}.jpg`;
    const product = 50 + opts.seed * 10 + p;
    refs.push({ name, bytes: await darkSceneJpeg(product, { ...BASE_CAMERA, background: product }, 92, 0.04 + r() * 0.04) });
    const cam: Camera = {
      dx: (r() - 0.5) * 160, dy: (r() - 0.5) * 100, zoom: 0.8 + r() * 0.45, tilt: (r() - 0.5) * 16,
      light: (r() - 0.5) * 1.6, background: product, skew: (r() < 0.5 ? -1 : 1) * (3 + r() * 6), squash: 0.85 + r() * 0.1, blur: 0.5 + r() * 0.8,
    };
    hardNeg.push({ ref: name, bytes: await darkSceneJpeg(product, cam, 85, 0.04 + r() * 0.04) });
  }
  const truth: { references: string[]; queries: Record<string, unknown> } = { references: [], queries: {} };
  for (const ref of refs) {
    const name = extname(ref.name).match(/jpe?g/i) ? ref.name : `${basename(ref.name, extname(ref.name))}.jpg`;
    const bytes = await sharp(ref.bytes).rotate().jpeg({ quality: 92 }).toBuffer();
    writeFileSync(join(outDir, 'references', name), bytes);
    ref.name = name;
    ref.bytes = new Uint8Array(bytes);
    truth.references.push(name);
  }
  let q = 0;
  const qname = () => `q${String(++q).padStart(4, '0')}.jpg`;
  let t = Math.floor(r() * TRANSFORMS.length);
  for (const ref of refs) {
    for (let k = 0; k < opts.perRef; k++) {
      const spec: QuerySpec = {
        transform: TRANSFORMS[t++ % TRANSFORMS.length],
        edit: k % 2 === 1 ? EDITS[Math.floor(r() * EDITS.length)] : null,
        jpegQuality: QUALITIES[Math.floor(r() * QUALITIES.length)],
        seed: opts.seed * 100000 + q,
      };
      const made = await makeQuery(ref.bytes, spec);
      const name = qname();
      writeFileSync(join(outDir, 'queries', name), made.bytes);
      const entry: Record<string, unknown> = { derivedFrom: ref.name, edit: null, transform: spec.transform, jpegQuality: spec.jpegQuality };
      if (spec.edit && made.maskPng && made.box) {
        const m = `masks/${name.replace('.jpg', '.png')}`;
        writeFileSync(join(outDir, m), made.maskPng);
        entry.edit = { kind: spec.edit, box: made.box };
        entry.mask = m;
      }
      truth.queries[name] = entry;
    }
  }
  for (const o of others) {
    for (let k = 0; k < 2; k++) {
      const spec: QuerySpec = { transform: TRANSFORMS[t++ % TRANSFORMS.length], edit: null, jpegQuality: QUALITIES[Math.floor(r() * QUALITIES.length)], seed: opts.seed * 100000 + q };
      const made = await makeQuery(o.bytes, spec);
      const name = qname();
      writeFileSync(join(outDir, 'queries', name), made.bytes);
      truth.queries[name] = { derivedFrom: null, edit: null, transform: spec.transform, jpegQuality: spec.jpegQuality, hardNegative: null };
    }
  }
  for (const h of hardNeg) {
    const spec: QuerySpec = { transform: TRANSFORMS[t++ % TRANSFORMS.length], edit: null, jpegQuality: QUALITIES[Math.floor(r() * QUALITIES.length)], seed: opts.seed * 100000 + q };
    const made = await makeQuery(h.bytes, spec);
    const name = qname();
    writeFileSync(join(outDir, 'queries', name), made.bytes);
    truth.queries[name] = { derivedFrom: null, edit: null, transform: spec.transform, jpegQuality: spec.jpegQuality, hardNegative: h.ref };
  }
  writeFileSync(join(outDir, 'truth.json'), JSON.stringify(truth, null, 1));
  log(`eval:make: ${truth.references.length} references, ${q} queries → ${outDir}`);
}

const isMain = process.argv[1] && /make\.ts$/.test(process.argv[1]);
if (isMain) {
  const args = process.argv.slice(2);
  const flag = (n: string, d: number) => { const i = args.indexOf(n); return i >= 0 ? Number(args[i + 1]) : d; };
  const pos = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  if (pos.length < 2) {
    console.error('usage: npm run eval:make -- <photos-dir|-> <out-dir> [--per-ref 6] [--seed 1] [--synthetic N] [--flat N] [--dark N]');
    process.exit(2);
  }
  await makeDataset(pos[0], pos[1], { perRef: flag('--per-ref', 6), seed: flag('--seed', 1), synthetic: flag('--synthetic', 0), flat: flag('--flat', 0), dark: flag('--dark', 0) });
  console.log(JSON.stringify({ out: pos[1] }));
}

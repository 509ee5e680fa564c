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
 * `--hard` uses the hard mix instead (HARD_TRANSFORMS / HARD_EDITS of tests/fixtures/dataset.ts):
 * perspective (a listing photographed on a screen at an angle, a tilted re-shoot), two-step chains
 * (perspective+rotate, perspective+screenshot, screenshot+perspective, crop+rotate, …), crops down
 * to 55 % of the area, colour shifts; thin branching cracks (2–8 px in query pixels, dark or light,
 * mostly on textured areas; `edit.width`), stains of varied strength, blurred and darkened patches,
 * tears; JPEG quality 35–95. Per transform, every third copy is clean (no edit), from a random start.
 * `--edits2 P`: P % of the edited queries carry two separate edits (`edits: [{kind, box}, …]`,
 * `edit` = the first, the mask = their union); default 25 with `--hard`, else 0.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, extname, basename } from 'node:path';
import sharp from 'sharp';
import { rng } from '../../tests/fixtures/images';
import {
  BASE_CAMERA, EDITS, HARD_EDITS, HARD_TRANSFORMS, TRANSFORMS, darkSceneJpeg, gradientJpeg, gradientLook, makeQuery, sceneJpeg,
  type Camera, type EditKind, type MadeQuery, type QuerySpec, type TransformName,
} from '../../tests/fixtures/dataset';

const QUALITIES = [30, 35, 50, 70, 85, 95];
const HARD_QUALITIES = [35, 45, 55, 65, 75, 85, 95];

interface Opts { perRef: number; seed: number; synthetic: number; flat?: number; dark?: number; hard?: boolean; edits2?: number }

/** The truth entry's edit fields of a made query (`edit`, `edits` when more than one, `mask`). */
function editFields(made: MadeQuery, fallbackKind: EditKind): Record<string, unknown> | null {
  if (!made.maskPng || !made.box) return null;
  const list = made.edits ?? [{ kind: fallbackKind, box: made.box }];
  const clean = list.map((e) => ({ kind: e.kind, box: e.box, ...(e.width !== undefined ? { width: e.width } : {}), ...(e.strength !== undefined ? { strength: e.strength } : {}), ...(e.tone ? { tone: e.tone } : {}) }));
  return { edit: clean[0], ...(clean.length > 1 ? { edits: clean } : {}) };
}

/** Weighted draw. */
function pick<T>(items: [T, number][], r: () => number): T {
  const total = items.reduce((a, [, w]) => a + w, 0);
  let x = r() * total;
  for (const [v, w] of items) { x -= w; if (x < 0) return v; }
  return items[items.length - 1][0];
}

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
  if (opts.hard) {
    await hardQueries(refs, others, hardNeg, outDir, opts, r, qname, truth);
    writeFileSync(join(outDir, 'truth.json'), JSON.stringify(truth, null, 1));
    log(`eval:make: ${truth.references.length} references, ${q} queries → ${outDir}`);
    return;
  }
  const edits2 = opts.edits2 ?? 0;
  let t = Math.floor(r() * TRANSFORMS.length);
  for (const ref of refs) {
    for (let k = 0; k < opts.perRef; k++) {
      const spec: QuerySpec = {
        transform: TRANSFORMS[t++ % TRANSFORMS.length],
        edit: k % 2 === 1 ? EDITS[Math.floor(r() * EDITS.length)] : null,
        jpegQuality: QUALITIES[Math.floor(r() * QUALITIES.length)],
        seed: opts.seed * 100000 + q,
      };
      // (no draw at all without --edits2, so existing seeds give the same set)
      if (spec.edit && edits2 > 0 && r() * 100 < edits2) { spec.style = 'hard'; spec.moreEdits = [EDITS[Math.floor(r() * EDITS.length)]]; }
      const made = await makeQuery(ref.bytes, spec);
      const name = qname();
      writeFileSync(join(outDir, 'queries', name), made.bytes);
      const entry: Record<string, unknown> = { derivedFrom: ref.name, edit: null, transform: spec.transform, jpegQuality: spec.jpegQuality };
      const ef = spec.edit ? editFields(made, spec.edit) : null;
      if (ef) {
        const m = `masks/${name.replace('.jpg', '.png')}`;
        writeFileSync(join(outDir, m), made.maskPng!);
        Object.assign(entry, ef);
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

type Named = { name: string; bytes: Uint8Array };

/** The `--hard` queries: weighted transform deck, every third copy per transform clean. */
async function hardQueries(refs: Named[], others: Named[], hardNeg: { ref: string; bytes: Uint8Array }[], outDir: string, opts: Opts,
  r: () => number, qname: () => string, truth: { queries: Record<string, unknown> }): Promise<void> {
  const edits2 = opts.edits2 ?? 25;
  // a shuffled deck of the weighted transforms, dealt in turn (every kind appears, in its share)
  const deck: TransformName[] = [];
  for (const [k, wgt] of HARD_TRANSFORMS) for (let i = 0; i < wgt; i++) deck.push(k);
  for (let i = deck.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [deck[i], deck[j]] = [deck[j], deck[i]]; }
  let t = 0;
  const uses = new Map<string, number>();
  const quality = () => HARD_QUALITIES[Math.floor(r() * HARD_QUALITIES.length)];
  const seedOf = () => opts.seed * 100000 + Number(Object.keys(truth.queries).length + 1);
  for (const ref of refs) {
    for (let k = 0; k < opts.perRef; k++) {
      const transform = deck[t++ % deck.length];
      // every third use of a transform is clean, from a random start (not all first uses)
      const n = uses.get(transform) ?? Math.floor(r() * 3);
      uses.set(transform, n + 1);
      const edit = n % 3 === 0 ? null : pick(HARD_EDITS, r);
      const spec: QuerySpec = { transform, edit, jpegQuality: quality(), seed: seedOf(), style: 'hard' };
      if (edit && r() * 100 < edits2) spec.moreEdits = [pick(HARD_EDITS, r)];
      const made = await makeQuery(ref.bytes, spec);
      const name = qname();
      writeFileSync(join(outDir, 'queries', name), made.bytes);
      const entry: Record<string, unknown> = { derivedFrom: ref.name, edit: null, transform, jpegQuality: spec.jpegQuality };
      const ef = edit ? editFields(made, edit) : null;
      if (ef) {
        const m = `masks/${name.replace('.jpg', '.png')}`;
        writeFileSync(join(outDir, m), made.maskPng!);
        Object.assign(entry, ef);
        entry.mask = m;
      }
      truth.queries[name] = entry;
    }
  }
  const clean = async (bytes: Uint8Array, extra: Record<string, unknown>) => {
    const transform = deck[t++ % deck.length];
    const spec: QuerySpec = { transform, edit: null, jpegQuality: quality(), seed: seedOf(), style: 'hard' };
    const made = await makeQuery(bytes, spec);
    const name = qname();
    writeFileSync(join(outDir, 'queries', name), made.bytes);
    truth.queries[name] = { derivedFrom: null, edit: null, transform, jpegQuality: spec.jpegQuality, ...extra };
  };
  for (const o of others) for (let k = 0; k < 2; k++) await clean(o.bytes, { hardNegative: null });
  for (const h of hardNeg) await clean(h.bytes, { hardNegative: h.ref });
}

const isMain = process.argv[1] && /make\.ts$/.test(process.argv[1]);
if (isMain) {
  const args = process.argv.slice(2);
  const flag = (n: string, d: number) => { const i = args.indexOf(n); return i >= 0 ? Number(args[i + 1]) : d; };
  const bools = ['--hard'];
  const pos = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && !bools.includes(args[i - 1])));
  if (pos.length < 2) {
    console.error('usage: npm run eval:make -- <photos-dir|-> <out-dir> [--per-ref 6] [--seed 1] [--synthetic N] [--flat N] [--dark N] [--hard] [--edits2 P]');
    process.exit(2);
  }
  const hard = args.includes('--hard');
  await makeDataset(pos[0], pos[1], {
    perRef: flag('--per-ref', 6), seed: flag('--seed', 1), synthetic: flag('--synthetic', 0), flat: flag('--flat', 0), dark: flag('--dark', 0),
    hard, edits2: flag('--edits2', hard ? 25 : 0),
  });
  console.log(JSON.stringify({ out: pos[1] }));
}

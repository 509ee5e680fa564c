/**
 * Generator of photos with and without a visible AI label (GB 45438 explicit label), for tuning
 * the OCR label reader: `npm run eval:make-labels -- <out-dir> [--count N] [--seed S]`.
 *
 * Every picture is rendered here (no outside photo): a textured scene (gradients, shapes, noise),
 * then either a label (「豆包AI生成」, 「AI生成」, 「即梦AI生成」, 「由AI生成」, 「内容由AI生成」,
 * 「人工智能生成」, 「AI合成」, "AI-generated") or ordinary shop/camera text (「正品保障」,
 * 「旗舰店」, 「包邮」, 「实拍图」, dates, file names, a shop watermark) or nothing, at a corner or the
 * bottom edge, 5–10 % of the shorter side high, in Noto Sans/Serif CJK (Debian fonts-noto-cjk),
 * white with shadow / black / semi-transparent / on a dark pill; saved as JPEG/PNG/WebP, some
 * recompressed, resized or "screenshotted" (padded into a larger frame).
 *
 * Writes labels.json in the shared format (`ai` = carries a visible label; `note` = what was
 * drawn) plus `explicit.json`: {"<dir>/<file>": {"label": text|null, "box": [x0,y0,x1,y1]|null}}
 * in the saved file's pixel coordinates (approximate text box).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const LABELS = ['豆包AI生成', 'AI生成', '即梦AI生成', '由AI生成', '内容由AI生成', '人工智能生成', 'AI合成', 'AI-generated', '本内容由AI生成'];
const ORDINARY = ['正品保障', '旗舰店', '包邮', '实拍图', '2026-12-07 14:32', 'IMG_20261207_143201.jpg', '@优选好物旗舰店', '7天无理由退换', '全国包邮 正品保障'];
const FONTS = ['Noto Sans CJK SC', 'Noto Serif CJK SC'];
const STYLES = ['white-shadow', 'black', 'translucent', 'pill'] as const;
const PLACES = ['top-left', 'top-right', 'bottom-left', 'bottom-right', 'bottom'] as const;
const FORMATS = ['jpeg', 'png', 'webp'] as const;

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function esc(t: string) {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A textured scene as raw RGB. */
function scene(w: number, h: number, r: () => number): Buffer {
  const px = Buffer.alloc(w * h * 3);
  const c0 = [r() * 255, r() * 255, r() * 255], c1 = [r() * 255, r() * 255, r() * 255];
  const blobs = Array.from({ length: 6 }, () => ({ x: r() * w, y: r() * h, rad: (0.1 + r() * 0.3) * Math.min(w, h), c: [r() * 255, r() * 255, r() * 255] }));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const t = (x / w + y / h) / 2;
    let c = [c0[0] * (1 - t) + c1[0] * t, c0[1] * (1 - t) + c1[1] * t, c0[2] * (1 - t) + c1[2] * t];
    for (const b of blobs) if ((x - b.x) ** 2 + (y - b.y) ** 2 < b.rad ** 2) c = [(c[0] + b.c[0]) / 2, (c[1] + b.c[1]) / 2, (c[2] + b.c[2]) / 2];
    const n = (r() - 0.5) * 30, i = (y * w + x) * 3;
    px[i] = Math.max(0, Math.min(255, c[0] + n)); px[i + 1] = Math.max(0, Math.min(255, c[1] + n)); px[i + 2] = Math.max(0, Math.min(255, c[2] + n));
  }
  return px;
}

export interface MadeLabel { file: string; label: string | null; text: string | null; box: [number, number, number, number] | null; note: string }

export async function makeLabelSet(out: string, count = 120, seed = 45438): Promise<MadeLabel[]> {
  const r = rng(seed);
  const dir = 'visible';
  mkdirSync(join(out, dir), { recursive: true });
  const made: MadeLabel[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 3 === 2 ? (i % 6 === 2 ? 'none' : 'ordinary') : 'label';
    const w = Math.round(640 + r() * 1400), h = Math.round(480 + r() * 1100);
    const text = kind === 'label' ? LABELS[i % LABELS.length] : kind === 'ordinary' ? ORDINARY[i % ORDINARY.length] : null;
    const font = FONTS[Math.floor(r() * FONTS.length)];
    const style = STYLES[Math.floor(r() * STYLES.length)];
    const place = PLACES[Math.floor(r() * PLACES.length)];
    const fmt = FORMATS[i % FORMATS.length];
    const shorter = Math.min(w, h);
    const size = Math.round(shorter * (0.05 + r() * 0.05));
    let img = sharp(scene(w, h, r), { raw: { width: w, height: h, channels: 3 } });
    let box: [number, number, number, number] | null = null;
    if (text) {
      // advance: CJK glyph ≈ 1 em, Latin/digits ≈ 0.6 em
      const tw = Math.round([...text].reduce((a, c) => a + (/[\u3000-\u9fff\uff00-\uffef]/.test(c) ? 1 : 0.6), 0) * size);
      const m = Math.round(shorter * 0.03);
      const x = place.endsWith('left') ? m : place === 'bottom' ? Math.round((w - tw) / 2) : w - m - tw;
      const yBase = place.startsWith('top') ? m + size : h - m - Math.round(size * 0.25);
      const fill = style === 'black' ? '#111' : style === 'translucent' ? 'rgba(255,255,255,0.6)' : '#fff';
      const pill = style === 'pill' ? `<rect x="${x - size * 0.4}" y="${yBase - size * 1.05}" width="${tw + size * 0.8}" height="${size * 1.4}" rx="${size * 0.7}" fill="rgba(0,0,0,0.55)"/>` : '';
      const shadow = style === 'white-shadow' ? `<text x="${x + 2}" y="${yBase + 2}" font-family="${font}" font-size="${size}" fill="rgba(0,0,0,0.6)">${esc(text)}</text>` : '';
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${pill}${shadow}<text x="${x}" y="${yBase}" font-family="${font}" font-size="${size}" fill="${fill}">${esc(text)}</text></svg>`;
      img = sharp(await img.png().toBuffer()).composite([{ input: Buffer.from(svg) }]);
      box = [x, Math.round(yBase - size * 0.9), x + tw, Math.round(yBase + size * 0.15)];
    }
    // transforms: resize, screenshot padding, recompression
    const tf = ['none', 'resize', 'screenshot', 'recompress'][Math.floor(r() * 4)];
    let buf = await img.png().toBuffer();
    let sx = 1, ox = 0, oy = 0;
    if (tf === 'resize') {
      sx = 0.5 + r() * 0.4;
      buf = await sharp(buf).resize(Math.round(w * sx)).png().toBuffer();
    } else if (tf === 'screenshot') {
      ox = Math.round(20 + r() * 60); oy = Math.round(60 + r() * 80);
      buf = await sharp(buf).extend({ top: oy, bottom: Math.round(40 + r() * 60), left: ox, right: ox, background: '#f4f4f4' }).png().toBuffer();
    }
    const q = tf === 'recompress' ? 40 + Math.floor(r() * 30) : 85;
    if (tf === 'recompress') buf = await sharp(buf).jpeg({ quality: 90 }).toBuffer();
    const s = sharp(buf);
    const outBuf = fmt === 'jpeg' ? await s.jpeg({ quality: q }).toBuffer() : fmt === 'webp' ? await s.webp({ quality: q }).toBuffer() : await s.png().toBuffer();
    const file = `${dir}/v${String(i + 1).padStart(4, '0')}.${fmt === 'jpeg' ? 'jpg' : fmt}`;
    writeFileSync(join(out, file), outBuf);
    const outBox = box ? (box.map((v, k) => Math.round(v * sx + (k % 2 ? oy : ox))) as [number, number, number, number]) : null;
    made.push({ file, label: kind === 'label' ? text : null, text, box: outBox, note: `${kind} ${text ?? ''} ${font} ${style} ${place} ${fmt} ${tf}`.replace(/\s+/g, ' ').trim() });
  }
  const labels: Record<string, unknown> = {};
  const explicit: Record<string, unknown> = {};
  for (const m of made) {
    labels[m.file] = { c2pa: false, ai: m.label !== null, note: m.note };
    explicit[m.file] = { label: m.label, box: m.label ? m.box : null };
  }
  writeFileSync(join(out, 'labels.json'), JSON.stringify(labels, null, 1));
  writeFileSync(join(out, 'explicit.json'), JSON.stringify(explicit, null, 1));
  return made;
}

if (process.argv[1]?.endsWith('make-labels.ts')) {
  const args = process.argv.slice(2);
  const out = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!out) { console.error('usage: npm run eval:make-labels -- <out-dir> [--count N] [--seed S]'); process.exit(2); }
  const num = (k: string, d: number) => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d; };
  const made = await makeLabelSet(out, num('--count', 120), num('--seed', 45438));
  console.log(JSON.stringify({ files: made.length, labelled: made.filter((m) => m.label).length, ordinaryText: made.filter((m) => !m.label && m.text).length, plain: made.filter((m) => !m.text).length }));
}

/**
 * `npx tsx scripts/eval/c2pa-tamper.ts <out-dir> [<signed-files-dir> …]` — a folder of C2PA files
 * for `npm run eval -- <out-dir>`: files signed here with the test chain (tests/fixtures/c2pa.ts),
 * and, for each signed file (ours and every one of the given folders that carries a store),
 * copies tampered after signing:
 *   <name>.pixels.<ext>   scan bytes (JPEG) / IDAT bytes (PNG) flipped    → assertion.dataHash.mismatch
 *   <name>.claim.<ext>    one letter of the claim generator changed        → claimSignature.mismatch (or hashedURI)
 *   <name>.trunc.<ext>    the second half of the JPEG's APP11 store zeroed → cannot be validated
 * The eval's `c2paAgreement` line compares `c2paValid` with the official reader on each.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { sniffFormat } from '../../utils/image/sniff';
import { buildContext } from '../../utils/metadata/read';
import { productJpeg, productPng } from '../../tests/fixtures/images';
import { indexOf, signWithTestCert, tamperClaim, tamperPixels, truncateManifest } from '../../tests/fixtures/c2pa';

const [outDir, ...sources] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: npx tsx scripts/eval/c2pa-tamper.ts <out-dir> [<signed-files-dir> …]');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

/** PNG: flip bytes in the middle of the first IDAT chunk (CRC left as it was). */
function tamperPng(png: Uint8Array): Uint8Array {
  const out = png.slice();
  const at = indexOf(out, new TextEncoder().encode('IDAT'));
  if (at < 0) throw new Error('no IDAT');
  const len = new DataView(out.buffer).getUint32(at - 4);
  const mid = at + 4 + Math.floor(len / 2);
  for (let i = 0; i < Math.min(32, len / 4); i++) out[mid + i] ^= 0x55;
  return out;
}

/** One letter of the claim generator's name swapped in case (same length, inside the signed claim). */
function tamperGenerator(bytes: Uint8Array): Uint8Array | undefined {
  const ctx = buildContext(bytes, sniffFormat(bytes));
  const gen = ctx.c2pa[0]?.store.active?.claimGenerator;
  const name = gen?.split(/[ /]/)[0];
  if (!name || name.length < 3) return undefined;
  const i = [...name].findIndex((c) => /[a-z]/i.test(c));
  if (i < 0) return undefined;
  const swapped = name.slice(0, i) + (name[i] === name[i].toLowerCase() ? name[i].toUpperCase() : name[i].toLowerCase()) + name.slice(i + 1);
  try {
    return tamperClaim(bytes, name, swapped);
  } catch {
    return undefined;
  }
}

let written = 0;
function put(name: string, bytes: Uint8Array | undefined): void {
  if (!bytes) return;
  writeFileSync(join(outDir, name), bytes);
  written++;
}

function tamperAll(stem: string, ext: string, bytes: Uint8Array): void {
  const format = sniffFormat(bytes);
  put(`${stem}${ext}`, bytes);
  try {
    put(`${stem}.pixels${ext}`, format === 'jpeg' ? tamperPixels(bytes) : format === 'png' ? tamperPng(bytes) : undefined);
  } catch {
    /* no scan data found: skip */
  }
  put(`${stem}.claim${ext}`, tamperGenerator(bytes));
  if (format === 'jpeg') put(`${stem}.trunc${ext}`, truncateManifest(bytes));
}

// signed here (a fresh clone has these too)
const IPTC_CAMERA = { generator: { name: 'Test Phone Camera', version: '14' }, sourceType: 'digitalCapture' };
tamperAll('rl-camera', '.jpg', await signWithTestCert(await productJpeg(11, 1600, 1200), IPTC_CAMERA));
tamperAll('rl-firefly', '.jpg', await signWithTestCert(await productJpeg(12, 1024, 1024), { generator: { name: 'Adobe_Firefly', version: '3' }, sourceType: 'trainedAlgorithmicMedia' }));
tamperAll('rl-edited', '.jpg', await signWithTestCert(await productJpeg(13, 800, 600), { ...IPTC_CAMERA, actions: [{ action: 'c2pa.color_adjustments', softwareAgent: 'Photo Editor 2' }] }));
tamperAll('rl-png', '.png', await signWithTestCert(await productPng(14, 640, 480), IPTC_CAMERA, 'image/png'));

for (const dir of sources) {
  for (const f of readdirSync(dir).sort()) {
    const ext = extname(f);
    if (!/\.(jpe?g|png)$/i.test(ext)) continue;
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    if (buildContext(bytes, sniffFormat(bytes)).c2pa.length === 0) continue;
    tamperAll(`${basename(dir)}__${basename(f, ext)}`, ext, bytes);
  }
}
console.log(JSON.stringify({ written, outDir }));

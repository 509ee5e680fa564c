/** Renders the extension icon (a magnifier over a parcel with a check mark) to public/icon/<size>.png. */
import sharp from 'sharp';
import { mkdirSync } from 'node:fs';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128">
  <rect x="4" y="4" width="120" height="120" rx="26" fill="#1565c0"/>
  <path d="M26 46 L60 30 L94 46 L94 86 L60 102 L26 86 Z" fill="#ffcc80" stroke="#fff" stroke-width="5" stroke-linejoin="round"/>
  <path d="M26 46 L60 62 L94 46 M60 62 L60 102" fill="none" stroke="#fff" stroke-width="5" stroke-linejoin="round"/>
  <circle cx="84" cy="80" r="20" fill="#e3f2fd" stroke="#fff" stroke-width="7"/>
  <path d="M98 95 L114 111" stroke="#fff" stroke-width="10" stroke-linecap="round"/>
  <path d="M75 80 L82 87 L94 73" fill="none" stroke="#2e7d32" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;

mkdirSync('public/icon', { recursive: true });
for (const size of [16, 32, 48, 128]) {
  await sharp(Buffer.from(svg)).resize(size, size).png().toFile(`public/icon/${size}.png`);
}

/**
 * Browser side of the exports: loads the bundled CJK font and the translations of the chosen
 * export language from the extension's own files, and renders the long PNG on a canvas.
 * The pure builders live in utils/report/.
 */
import { sha256Hex } from '@/utils/image/sha256';
import { t } from '@/utils/i18n';
import { drawLongImage, planLongImage } from '@/utils/report/canvas';
import { evidenceBytes } from '@/utils/report/evidence';
import { ticketOffset } from '@/utils/report/format';
import type { ImageKey } from '@/utils/report/layout';
import type { ReportImages, ReportModel } from '@/utils/report/model';
import { buildReportPdf } from '@/utils/report/pdf';
import { makeTranslate, type ExportLang, type Messages, type Translate } from '@/utils/report/translate';

export const FONT_URL = '/fonts/refundlens-cjk-sc.ttf';
export const FONT_FAMILY = 'RefundLensCJK';

let fontBytes: Promise<Uint8Array> | undefined;
let fontFace: Promise<void> | undefined;
const messages = new Map<ExportLang, Promise<Translate>>();

export function loadFontBytes(): Promise<Uint8Array> {
  fontBytes ??= fetch(FONT_URL).then(async (r) => {
    if (!r.ok) throw new Error(`font ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  });
  return fontBytes;
}

/** Register the bundled font for canvas drawing (the PNG must not depend on system fonts). */
export function loadFontFace(): Promise<void> {
  fontFace ??= loadFontBytes().then(async (bytes) => {
    const face = new FontFace(FONT_FAMILY, bytes.slice().buffer as ArrayBuffer);
    await face.load();
    document.fonts.add(face);
  });
  return fontFace;
}

export function translatorFor(lang: ExportLang): Promise<Translate> {
  let p = messages.get(lang);
  if (!p) {
    p = fetch(`/_locales/${lang}/messages.json`)
      .then((r) => r.json() as Promise<Messages>)
      .then((m) => makeTranslate(m, t))
      .catch(() => t as Translate);
    messages.set(lang, p);
  }
  return p;
}

export interface ExportFile {
  bytes: Uint8Array;
  name: string;
  type: string;
  sha256: string;
  ms: number;
}

/** The ticket's own time zone (utils/report/format.ts ticketOffset), else the browser's. */
const zoneOf = (model: ReportModel) => ticketOffset(model.ticket, -new Date().getTimezoneOffset());

export async function exportJson(model: ReportModel, lang: ExportLang, stem: string): Promise<ExportFile> {
  const t0 = performance.now();
  const bytes = evidenceBytes(model, await translatorFor(lang), lang, zoneOf(model));
  return { bytes, name: `${stem}.json`, type: 'application/json', sha256: await sha256Hex(bytes), ms: performance.now() - t0 };
}

export async function exportPdf(model: ReportModel, images: ReportImages, lang: ExportLang, stem: string): Promise<ExportFile> {
  const t0 = performance.now();
  const tr = await translatorFor(lang);
  const off = zoneOf(model);
  const bytes = await buildReportPdf(model, images, await loadFontBytes(), tr, {
    offsetMin: off,
    lang,
    evidenceJson: evidenceBytes(model, tr, lang, off),
  });
  return { bytes, name: `${stem}.pdf`, type: 'application/pdf', sha256: await sha256Hex(bytes), ms: performance.now() - t0 };
}

export async function exportPng(model: ReportModel, images: ReportImages, lang: ExportLang, stem: string): Promise<ExportFile> {
  const t0 = performance.now();
  const tr = await translatorFor(lang);
  await loadFontFace();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d')!;
  const measure = (text: string, size: number) => {
    ctx.font = `${size}px ${FONT_FAMILY}`;
    return ctx.measureText(text).width;
  };
  const plan = planLongImage(model, tr, measure, zoneOf(model));
  canvas.width = plan.widthPx;
  canvas.height = plan.heightPx;
  const bitmaps: Partial<Record<ImageKey, ImageBitmap>> = {};
  for (const key of ['buyer', 'reference', 'overlay', 'aligned', 'difference'] as const) {
    const b = images[key];
    const f = model.images[key];
    if (b && f) bitmaps[key] = await createImageBitmap(new Blob([b as Uint8Array<ArrayBuffer>], { type: f.type }));
  }
  drawLongImage(ctx, plan, bitmaps, FONT_FAMILY);
  for (const b of Object.values(bitmaps)) b?.close();
  const blob = await new Promise<Blob>((ok, no) => canvas.toBlob((b) => (b ? ok(b) : no(new Error('toBlob'))), 'image/png'));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  return { bytes, name: `${stem}.png`, type: 'image/png', sha256: await sha256Hex(bytes), ms: performance.now() - t0 };
}

/**
 * The report as an A4 PDF (pdf-lib + fontkit), with the bundled CJK font subset embedded
 * (subset again to the glyphs used, so a report is tens of kB plus its photos).
 * Reproducible: no clock or randomness; dates come from the check; pdf-lib's font-name suffix
 * comes from its seeded generator. Same model, images and font → same bytes.
 */
import { PDFDocument, rgb, type PDFFont, type PDFImage } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import { footerText, reportBlocks } from './document';
import { layoutBlocks, paginate, placeRows, type ImageKey, type Op } from './layout';
import type { ReportImages, ReportModel } from './model';
import type { Translate } from './translate';

export const A4 = { width: 595.28, height: 841.89 } as const;
export const PDF_MARGIN = 42;

function colour(hex: string) {
  const n = parseInt(hex.replace('#', ''), 16);
  return rgb(((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255);
}

/** Replace characters the font cannot draw (rare hanzi, emoji) by '□' so text never vanishes. */
export function coverText(text: string, has: (cp: number) => boolean): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp < 0x20 ? ' ' : has(cp) ? ch : '\u25a1';
  }
  return out;
}

export interface PdfOptions {
  /** Minutes east of UTC for the times printed in the report. */
  offsetMin?: number;
  /** Attach the evidence JSON inside the PDF (as `evidence.json`). */
  evidenceJson?: Uint8Array;
  lang?: string;
}

export async function buildReportPdf(
  model: ReportModel,
  images: ReportImages,
  fontBytes: Uint8Array,
  tr: Translate,
  opts: PdfOptions = {},
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font: PDFFont = await doc.embedFont(fontBytes, { subset: true });
  const charset = new Set(font.getCharacterSet());
  const has = (cp: number) => charset.has(cp);
  const measure = (text: string, size: number) => font.widthOfTextAtSize(coverText(text, has), size);

  const embedded: Partial<Record<ImageKey, PDFImage>> = {};
  for (const key of ['buyer', 'reference', 'overlay', 'aligned', 'difference'] as const) {
    const bytes = images[key];
    const f = model.images[key];
    if (!bytes || !f) continue;
    embedded[key] = f.type === 'image/png' ? await doc.embedPng(bytes) : await doc.embedJpg(bytes);
  }

  const width = A4.width - 2 * PDF_MARGIN;
  const footerH = 24;
  const rows = layoutBlocks(reportBlocks(model, tr, { offsetMin: opts.offsetMin }), width, measure);
  const pages = paginate(rows, A4.height - 2 * PDF_MARGIN - footerH);
  const date = new Date(model.checkedAt);
  const stamp = Number.isFinite(date.getTime()) ? date : new Date(0);

  pages.forEach((pageRows, i) => {
    const page = doc.addPage([A4.width, A4.height]);
    const H = A4.height;
    const draw = (op: Op) => {
      switch (op.t) {
        case 'text':
          page.drawText(coverText(op.text, has), { x: op.x, y: H - op.y, size: op.size, font, color: colour(op.colour) });
          break;
        case 'rect':
          page.drawRectangle({
            x: op.x, y: H - op.y - op.h, width: op.w, height: op.h,
            color: op.fill ? colour(op.fill) : undefined,
            borderColor: op.stroke ? colour(op.stroke) : undefined,
            borderWidth: op.stroke ? op.lineWidth ?? 1 : 0,
            borderDashArray: op.dash ? [op.dash, op.dash] : undefined,
          });
          break;
        case 'image': {
          const img = embedded[op.key];
          if (img) page.drawImage(img, { x: op.x, y: H - op.y - op.h, width: op.w, height: op.h, opacity: op.opacity });
          break;
        }
      }
    };
    for (const op of placeRows(pageRows, PDF_MARGIN, PDF_MARGIN)) draw(op);
    const foot = coverText(footerText(model, tr, { n: i + 1, of: pages.length }, opts.offsetMin), has);
    page.drawRectangle({ x: PDF_MARGIN, y: PDF_MARGIN - 2, width, height: 0.5, color: colour('#bdbdbd') });
    page.drawText(foot, { x: PDF_MARGIN, y: PDF_MARGIN - 14, size: 7, font, color: colour('#757575'), maxWidth: width });
  });

  doc.setTitle(`${tr('rpt_doc_title')} — ${model.ticket?.orderId ?? model.id}`);
  doc.setAuthor('RefundLens');
  doc.setSubject(tr(`level_${model.level.replace(/-/g, '_')}`));
  doc.setKeywords([
    `check:${model.id}`,
    ...(model.file?.sha256 ? [`sha256:${model.file.sha256}`] : []),
    ...(model.reference ? [`reference-sha256:${model.reference.sha256}`] : []),
  ]);
  doc.setCreator(`RefundLens ${model.generator.version}`.trim());
  doc.setProducer('RefundLens (pdf-lib)');
  if (opts.lang) doc.setLanguage(opts.lang.replace('_', '-'));
  doc.setCreationDate(stamp);
  doc.setModificationDate(stamp);
  if (opts.evidenceJson) {
    await doc.attach(opts.evidenceJson, 'evidence.json', {
      mimeType: 'application/json',
      description: 'RefundLens evidence (JSON)',
      creationDate: stamp,
      modificationDate: stamp,
    });
  }
  return doc.save({ useObjectStreams: true });
}

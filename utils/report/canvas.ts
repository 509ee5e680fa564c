/**
 * The report as one long PNG (what merchants paste into chat appeals): the same blocks and
 * layout as the PDF, drawn on a canvas at SCALE pixels per point with the bundled CJK font.
 * Needs a 2D canvas context (page or OffscreenCanvas); the caller decodes the images and encodes
 * the PNG. Deterministic for the same browser build: no clock, fixed font.
 */
import { footerText, reportBlocks } from './document';
import { layoutBlocks, placeRows, rowsHeight, type ImageKey, type Op } from './layout';
import type { ReportModel } from './model';
import type { Translate } from './translate';

/** Logical width in points and pixels per point: 540 pt × 2 = a 1080 px wide image. */
export const LONG_WIDTH = 540;
export const LONG_MARGIN = 20;
export const LONG_SCALE = 2;
/** Chromium refuses canvases taller than this. */
export const MAX_CANVAS_PX = 32_000;

export interface Ctx2D {
  font: string;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  globalAlpha: number;
  textBaseline: CanvasTextBaseline;
  measureText(text: string): { width: number };
  fillText(text: string, x: number, y: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  setLineDash?(segments: number[]): void;
  drawImage(img: CanvasImageSource, x: number, y: number, w: number, h: number): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
}

export interface LongImagePlan {
  widthPx: number;
  heightPx: number;
  ops: Op[];
  footer: string;
}

/** Lay the report out for the long image; `measure` uses the canvas with the bundled font set. */
export function planLongImage(model: ReportModel, tr: Translate, measure: (text: string, size: number) => number, offsetMin = 0): LongImagePlan {
  const width = LONG_WIDTH - 2 * LONG_MARGIN;
  const rows = layoutBlocks(reportBlocks(model, tr, { offsetMin }), width, measure);
  const ops = placeRows(rows, LONG_MARGIN, LONG_MARGIN);
  const contentH = rowsHeight(rows) + 2 * LONG_MARGIN + 24;
  const heightPx = Math.min(MAX_CANVAS_PX, Math.ceil(contentH * LONG_SCALE));
  return { widthPx: LONG_WIDTH * LONG_SCALE, heightPx, ops, footer: footerText(model, tr, undefined, offsetMin) };
}

export function drawLongImage(
  ctx: Ctx2D,
  plan: LongImagePlan,
  images: Partial<Record<ImageKey, CanvasImageSource>>,
  fontFamily: string,
): void {
  const s = LONG_SCALE;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, plan.widthPx, plan.heightPx);
  ctx.setTransform(s, 0, 0, s, 0, 0);
  ctx.textBaseline = 'alphabetic';
  for (const op of plan.ops) {
    switch (op.t) {
      case 'text':
        ctx.font = `${op.size}px ${fontFamily}`;
        ctx.fillStyle = op.colour;
        ctx.fillText(op.text, op.x, op.y);
        break;
      case 'rect':
        if (op.fill) {
          ctx.fillStyle = op.fill;
          ctx.fillRect(op.x, op.y, op.w, op.h);
        }
        if (op.stroke) {
          ctx.strokeStyle = op.stroke;
          ctx.lineWidth = op.lineWidth ?? 1;
          if (op.dash) ctx.setLineDash?.([op.dash, op.dash]);
          ctx.strokeRect(op.x, op.y, op.w, op.h);
          if (op.dash) ctx.setLineDash?.([]);
        }
        break;
      case 'image': {
        const img = images[op.key];
        if (!img) break;
        ctx.globalAlpha = op.opacity ?? 1;
        ctx.drawImage(img, op.x, op.y, op.w, op.h);
        ctx.globalAlpha = 1;
        break;
      }
    }
  }
  const h = plan.heightPx / s;
  ctx.fillStyle = '#bdbdbd';
  ctx.fillRect(LONG_MARGIN, h - LONG_MARGIN - 14, LONG_WIDTH - 2 * LONG_MARGIN, 0.5);
  ctx.font = `7px ${fontFamily}`;
  ctx.fillStyle = '#757575';
  ctx.fillText(plan.footer, LONG_MARGIN, h - LONG_MARGIN - 4);
}

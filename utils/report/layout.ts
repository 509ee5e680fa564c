/**
 * A small flow layout shared by the PDF (paged A4) and the PNG long image (one tall page):
 * blocks → rows of absolutely placed drawing operations. The caller supplies the text measure of
 * its own font (pdf-lib's widthOfTextAtSize, canvas measureText), so line breaks match what is
 * drawn. Units are PDF points; the PNG renders the same layout at a scale factor.
 */
import type { Box } from '../types';

export type ImageKey = 'buyer' | 'reference' | 'overlay' | 'aligned' | 'difference';

export type Block =
  | { t: 'title'; text: string }
  | { t: 'banner'; text: string; colour: string }
  | { t: 'h'; text: string }
  | { t: 'p'; text: string; colour?: string; size?: number; bg?: string }
  | { t: 'list'; items: { text: string; colour?: string }[] }
  | { t: 'kv'; rows: { k: string; v: string }[] }
  | {
    t: 'images';
    items: { key: ImageKey; width: number; height: number; caption: string; boxes?: Box[]; overlay?: ImageKey; labelBox?: Box }[];
  }
  | { t: 'gap'; h: number };

export type Op =
  | { t: 'text'; x: number; y: number; size: number; text: string; colour: string }
  | { t: 'image'; key: ImageKey; x: number; y: number; w: number; h: number; opacity?: number }
  | { t: 'rect'; x: number; y: number; w: number; h: number; fill?: string; stroke?: string; lineWidth?: number; /** dashed outline: dash length */ dash?: number };

/** An unbreakable strip of the page: ops are relative to the row's top-left corner. */
export interface Row {
  h: number;
  ops: Op[];
  /** Keep this row on the same page as the next one (headings). */
  keepWithNext?: boolean;
}

export type Measure = (text: string, size: number) => number;

/** The visible AI label's box (the card and the report page use the same purple). */
export const LABEL_COLOUR = '#aa00ff';

export const STYLE = {
  title: 18,
  h: 12.5,
  p: 10,
  kv: 9,
  caption: 8.5,
  lineGap: 1.45,
  text: '#212121',
  muted: '#616161',
  rule: '#bdbdbd',
  imageMaxH: 250,
  gutter: 12,
} as const;

const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;

/** Split text into break opportunities: CJK characters one by one, other runs by spaces. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (ch === ' ' || CJK.test(ch)) {
      if (cur) out.push(cur);
      out.push(ch);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Greedy line breaking: CJK may break between any two characters, Latin at spaces; a word wider
 * than the line (hashes, URLs) breaks between characters. Explicit '\n' starts a new line.
 */
export function wrapText(text: string, width: number, size: number, measure: Measure): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const tok of tokens(para)) {
      if (measure(line + tok, size) <= width) {
        line += tok;
        continue;
      }
      if (tok === ' ') {
        lines.push(line);
        line = '';
        continue;
      }
      if (line.trim()) lines.push(line.replace(/ +$/, ''));
      line = '';
      if (measure(tok, size) <= width) {
        line = tok;
        continue;
      }
      for (const ch of tok) {
        if (line && measure(line + ch, size) > width) {
          lines.push(line);
          line = '';
        }
        line += ch;
      }
    }
    lines.push(line.replace(/ +$/, ''));
  }
  return lines;
}

function textRows(text: string, x: number, width: number, size: number, colour: string, measure: Measure): Row[] {
  const lh = size * STYLE.lineGap;
  return wrapText(text, width, size, measure).map((line) => ({
    h: lh,
    ops: [{ t: 'text', x, y: size * 1.05, size, text: line, colour }],
  }));
}

/** Lay blocks out in a column `width` wide. */
export function layoutBlocks(blocks: Block[], width: number, measure: Measure): Row[] {
  const rows: Row[] = [];
  for (const b of blocks) {
    switch (b.t) {
      case 'title':
        rows.push(...textRows(b.text, 0, width, STYLE.title, STYLE.text, measure));
        rows.push({ h: 6, ops: [] });
        break;
      case 'banner': {
        const size = 13;
        const lines = wrapText(b.text, width - 16, size, measure);
        const lh = size * STYLE.lineGap;
        const h = lines.length * lh + 12;
        const ops: Op[] = [{ t: 'rect', x: 0, y: 0, w: width, h, fill: b.colour }];
        lines.forEach((line, i) => ops.push({ t: 'text', x: 8, y: 6 + i * lh + size * 1.05, size, text: line, colour: '#ffffff' }));
        rows.push({ h: h + 8, ops });
        break;
      }
      case 'h': {
        const size = STYLE.h;
        const r = textRows(b.text, 0, width, size, STYLE.text, measure);
        rows.push({ h: 8, ops: [], keepWithNext: true });
        r.forEach((row) => (row.keepWithNext = true));
        rows.push(...r);
        rows.push({ h: 5, ops: [{ t: 'rect', x: 0, y: 1, w: width, h: 0.6, fill: STYLE.rule }], keepWithNext: true });
        break;
      }
      case 'p': {
        const size = b.size ?? STYLE.p;
        const r = textRows(b.text, b.bg ? 6 : 0, width - (b.bg ? 12 : 0), size, b.colour ?? STYLE.text, measure);
        if (b.bg) {
          const h = r.reduce((s, x) => s + x.h, 0) + 8;
          const ops: Op[] = [{ t: 'rect', x: 0, y: 0, w: width, h, fill: b.bg }];
          let y = 4;
          for (const row of r) {
            for (const op of row.ops) ops.push({ ...op, y: (op as { y: number }).y + y } as Op);
            y += row.h;
          }
          rows.push({ h: h + 4, ops });
        } else {
          rows.push(...r, { h: 3, ops: [] });
        }
        break;
      }
      case 'list':
        for (const it of b.items) {
          const size = STYLE.p;
          const r = textRows(it.text, 12, width - 12, size, it.colour ?? STYLE.text, measure);
          if (r[0]) r[0].ops.push({ t: 'text', x: 2, y: size * 1.05, size, text: '•', colour: it.colour ?? STYLE.text });
          rows.push(...r, { h: 2, ops: [] });
        }
        break;
      case 'kv': {
        const size = STYLE.kv;
        const lw = Math.min(width * 0.34, Math.max(40, ...b.rows.map((r) => measure(r.k, size) + 10)));
        for (const kv of b.rows) {
          const kl = wrapText(kv.k, lw - 8, size, measure);
          const vl = wrapText(kv.v || '—', width - lw, size, measure);
          const lh = size * STYLE.lineGap;
          const n = Math.max(kl.length, vl.length);
          const ops: Op[] = [];
          kl.forEach((line, i) => ops.push({ t: 'text', x: 0, y: i * lh + size * 1.05, size, text: line, colour: STYLE.muted }));
          vl.forEach((line, i) => ops.push({ t: 'text', x: lw, y: i * lh + size * 1.05, size, text: line, colour: STYLE.text }));
          ops.push({ t: 'rect', x: 0, y: n * lh + 1.5, w: width, h: 0.3, fill: '#e0e0e0' });
          rows.push({ h: n * lh + 3, ops });
        }
        rows.push({ h: 4, ops: [] });
        break;
      }
      case 'images': {
        const n = b.items.length;
        if (!n) break;
        const colW = (width - STYLE.gutter * (n - 1)) / n;
        let imgH = 0;
        const dims = b.items.map((it) => {
          const s = Math.min(colW / it.width, STYLE.imageMaxH / it.height);
          const w = it.width * s, h = it.height * s;
          imgH = Math.max(imgH, h);
          return { w, h, s };
        });
        const ops: Op[] = [];
        let capH = 0;
        b.items.forEach((it, i) => {
          const x0 = i * (colW + STYLE.gutter);
          const { w, h, s } = dims[i];
          const x = x0 + (colW - w) / 2;
          ops.push({ t: 'rect', x: x0, y: 0, w: colW, h: imgH, fill: '#f2f2f2' });
          ops.push({ t: 'image', key: it.key, x, y: 0, w, h });
          if (it.overlay) ops.push({ t: 'image', key: it.overlay, x, y: 0, w, h, opacity: 0.6 });
          for (const bx of it.boxes ?? []) {
            ops.push({ t: 'rect', x: x + bx[0] * s, y: bx[1] * s, w: (bx[2] - bx[0]) * s, h: (bx[3] - bx[1]) * s, stroke: '#ff1744', lineWidth: 1.6 });
          }
          const lb = it.labelBox;
          if (lb) ops.push({ t: 'rect', x: x + lb[0] * s, y: lb[1] * s, w: (lb[2] - lb[0]) * s, h: (lb[3] - lb[1]) * s, stroke: LABEL_COLOUR, lineWidth: 1.6, dash: 3 });
          const cl = wrapText(it.caption, colW, STYLE.caption, measure);
          const lh = STYLE.caption * STYLE.lineGap;
          cl.forEach((line, j) => ops.push({ t: 'text', x: x0, y: imgH + 4 + j * lh + STYLE.caption * 1.05, size: STYLE.caption, text: line, colour: STYLE.muted }));
          capH = Math.max(capH, cl.length * lh);
        });
        rows.push({ h: imgH + 4 + capH + 8, ops });
        break;
      }
      case 'gap':
        rows.push({ h: b.h, ops: [] });
        break;
    }
  }
  return rows;
}

/** Pack rows into pages of `height`; a heading is never left alone at the bottom of a page. */
export function paginate(rows: Row[], height: number): Row[][] {
  const pages: Row[][] = [[]];
  let used = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    let need = row.h;
    if (row.keepWithNext) {
      for (let j = i + 1; j < rows.length; j++) {
        need += rows[j].h;
        if (!rows[j].keepWithNext) break;
      }
    }
    if (used > 0 && used + Math.min(need, height) > height) {
      pages.push([]);
      used = 0;
    }
    // Drop spacing at the top of a page.
    if (used === 0 && !row.ops.length) continue;
    pages[pages.length - 1].push(row);
    used += row.h;
  }
  return pages;
}

/** Absolute ops of a list of rows stacked from `top`, shifted right by `left`. */
export function placeRows(rows: Row[], left: number, top: number): Op[] {
  const out: Op[] = [];
  let y = top;
  for (const r of rows) {
    for (const op of r.ops) out.push({ ...op, x: op.x + left, y: op.y + y } as Op);
    y += r.h;
  }
  return out;
}

export function rowsHeight(rows: Row[]): number {
  return rows.reduce((s, r) => s + r.h, 0);
}

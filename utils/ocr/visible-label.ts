/**
 * The visible-label step of a check: the reader's lines (utils/ocr/remote.ts) → the label rule
 * (label-rule.ts) → a VisibleLabel in the checked file's pixels and, when found, the AI signal that
 * makes the verdict `ai-labelled` (utils/verdict.ts) with the reason
 * 「图片右下角有显著标识「豆包AI生成」」.
 */
import type { Box, Localisation, RGBAImage, Signal, VisibleLabel } from '../types';
import { findExplicitLabel } from './label-rule';
import { OCR_LIMITS, type LabelReader } from './remote';

/** A readable visible label is as strong as a metadata label (≥ AI_LABEL_WEIGHT). */
export const VISIBLE_LABEL_WEIGHT = 0.9;

/**
 * Read the label on `img` (the analysis copy) of a file `full` pixels large. Never throws and
 * never waits past the reader's limit (plus a margin): anything wrong is 'not-checked'.
 */
export async function readVisibleLabel(read: LabelReader, img: RGBAImage, full: { width: number; height: number }, waitMs = OCR_LIMITS.timeoutMs + 1000): Promise<VisibleLabel> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), waitMs)));
    const out = await Promise.race([read(img), late]);
    if (out === 'late') return { status: 'not-checked', reason: 'timeout', ms: Math.round(performance.now() - t0) };
    if (!out.ok) return { status: 'not-checked', reason: out.error, ms: out.ms };
    const found = findExplicitLabel(out.lines, img.width, img.height);
    const ms = Math.round(performance.now() - t0);
    if (!found) return { status: 'none', ms };
    const kx = full.width / img.width, ky = full.height / img.height;
    const [x0, y0, x1, y1] = found.box;
    return {
      status: 'found',
      text: found.text,
      box: [Math.floor(x0 * kx), Math.floor(y0 * ky), Math.min(full.width, Math.ceil(x1 * kx)), Math.min(full.height, Math.ceil(y1 * ky))],
      position: found.position.replace('-', '_'),
      ms,
    };
  } catch {
    return { status: 'not-checked', reason: 'crashed', ms: Math.round(performance.now() - t0) };
  } finally {
    clearTimeout(timer);
  }
}

/** The evidence a found label gives; an info line when the label could not be checked. */
export function visibleLabelSignal(v: VisibleLabel): Signal | undefined {
  if (v.status === 'found' && v.text) {
    return {
      source: 'visible-label',
      kind: 'ai',
      weight: VISIBLE_LABEL_WEIGHT,
      code: 'sig_visible_label',
      params: { position: v.position ?? 'edge', text: v.text },
      raw: [{ field: 'visible label (read on the pixels)', value: `${v.text} @ [${(v.box ?? []).join(', ')}]` }],
    };
  }
  if (v.status === 'not-checked') return { source: 'visible-label', kind: 'info', weight: 0, code: 'sig_visible_label_not_checked' };
  return undefined;
}

/**
 * The change map also sees a label the AI tool stamped on the merchant's photo. It is shown as the
 * label (its own box and reason), so the edit regions that lie mostly on it are not counted as edits.
 */
export function withoutLabelRegions(loc: Localisation, label: Box): Localisation {
  const pad = (label[3] - label[1]) * 0.3;
  const [lx0, ly0, lx1, ly1] = [label[0] - pad, label[1] - pad, label[2] + pad, label[3] + pad];
  const regions = loc.regions.filter((r) => {
    const area = Math.max(1, (r[2] - r[0]) * (r[3] - r[1]));
    const ix = Math.max(0, Math.min(r[2], lx1) - Math.max(r[0], lx0));
    const iy = Math.max(0, Math.min(r[3], ly1) - Math.max(r[1], ly0));
    return (ix * iy) / area < 0.5;
  });
  if (regions.length === loc.regions.length) return loc;
  return { ...loc, regions, edited: loc.edited && regions.length > 0 };
}

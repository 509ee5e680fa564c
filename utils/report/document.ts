/**
 * The words of the report: the verdict sentence a platform reviewer understands, the frame
 * description for packing-video references and the blocks the PDF and PNG exports lay out.
 * Same words as the report page (both use message keys from locales/report.json).
 */
import { formatTimestamp } from '../video/timecode';
import { formatBytes, formatDate, formatPercent, formatTime } from './format';
import type { Block } from './layout';
import { frameOf, labelOnImage, regionsOnImage, type ReportModel } from './model';
import type { Translate } from './translate';
import type { Reason } from '../types';
import { displayRegions } from './model';

import { LEVEL_COLOUR as LEVEL_COLOURS, LEVEL_KEY as LEVEL_KEYS } from '../levels';
export { LEVEL_COLOURS, LEVEL_KEYS };

/**
 * The reasons as the platform reviewer reads them: the card speaks to the merchant (「您的商品图」),
 * the report about the merchant (「商家的商品图」). Same codes, reviewer's sentence where it differs.
 */
const REVIEWER_KEY: Record<string, string> = {
  why_derived: 'rpt_why_derived',
  why_no_local_edit: 'rpt_why_no_local_edit',
  why_nothing_found: 'rpt_why_nothing_found',
  level_derived: 'rpt_level_derived',
  level_derived_edited: 'rpt_level_derived_edited',
};

export function reviewerText(code: string, params: Reason['params'], tr: Translate): string {
  return tr(REVIEWER_KEY[code] ?? code, params);
}

/** The verdict level's words for the reviewer. */
export function levelText(model: Pick<ReportModel, 'level'>, tr: Translate): string {
  return reviewerText(LEVEL_KEYS[model.level], undefined, tr);
}

/** "frame at 00:12 of packing video “X” (recorded 2026-11-20)", or undefined for photos. */
export function frameText(model: Pick<ReportModel, 'reference'>, tr: Translate, offsetMin = 0): string | undefined {
  const f = frameOf(model);
  if (!f) return undefined;
  const time = formatTimestamp(f.timeMs);
  return f.recordedAt
    ? tr('rpt_frame', { time, video: f.video, date: formatTime(f.recordedAt, offsetMin) })
    : tr('rpt_frame_undated', { time, video: f.video });
}

/** The conclusion in plain words, one or two sentences. */
export function verdictSentences(model: ReportModel, tr: Translate, offsetMin = 0): string[] {
  const name = model.match?.referenceName ?? model.reference?.name ?? '';
  const out: string[] = [];
  const label = model.visibleLabel?.status === 'found' ? model.visibleLabel : undefined;
  switch (model.level) {
    case 'derived':
      out.push(tr('rpt_summary_derived', { name }));
      break;
    case 'derived-edited':
      out.push(tr('rpt_summary_derived_edited', {
        name,
        count: Math.max(1, displayRegions(model).length),
        percent: Math.max(1, Math.round((model.localisation?.changedShare ?? 0) * 100)),
      }));
      break;
    case 'ai-labelled':
      // the visible label says it in words the reviewer can see on the picture itself
      if (!label) out.push(tr('rpt_summary_ai_labelled'));
      break;
    case 'edited':
      out.push(tr('rpt_summary_edited'));
      break;
    case 'no-evidence':
      out.push(tr('rpt_summary_no_evidence'));
      break;
    case 'error':
      out.push(tr('rpt_summary_error', { reason: model.error ? tr(model.error.code, model.error.params) : '' }));
      break;
  }
  if (label) out.push(tr('rpt_summary_visible_label', { text: label.text ?? '', position: label.position ?? 'edge' }));
  const frame = frameText(model, tr, offsetMin);
  if (frame && model.match) out.push(tr('rpt_summary_frame', { frame }));
  const tk = model.ticket;
  if (tk?.orderId) out.push(tr('rpt_summary_ticket', { order: tk.orderId, buyer: tk.buyer, refundAt: tk.refundAt ? formatTime(tk.refundAt, offsetMin) : undefined }));
  if (model.repeatBuyer) out.push(tr('why_repeat_buyer', { buyer: model.repeatBuyer.buyer, count: model.repeatBuyer.count }));
  return out;
}

export interface BlockOptions {
  offsetMin?: number;
}

/** The visible-label line: 「豆包AI生成」 (bottom right) / none / not checked; '' for checks made before labels were read. */
export function visibleLabelText(model: Pick<ReportModel, 'visibleLabel'>, tr: Translate): string {
  const v = model.visibleLabel;
  if (!v) return '';
  if (v.status === 'found') return `「${v.text ?? ''}」${v.position ? ` · ${tr(`pos_${v.position}`)}` : ''}`;
  return tr(v.status === 'none' ? 'rpt_visible_label_none' : 'rpt_visible_label_not_checked');
}

/** File facts rows, also used by the report page. */
export function fileRows(model: ReportModel, tr: Translate, offsetMin = 0): { k: string; v: string }[] {
  const f = model.file;
  const s = model.summary;
  const rows: { k: string; v: string }[] = [
    { k: tr('rpt_file_sha256'), v: f?.sha256 || '—' },
    { k: tr('rpt_file_size'), v: formatBytes(f?.bytes) },
    { k: tr('rpt_file_format'), v: (f?.format ?? s?.format ?? '').toUpperCase() },
    { k: tr('rpt_file_dimensions'), v: f?.width && f.height ? `${f.width} × ${f.height}` : '' },
    { k: tr('rpt_file_source'), v: f?.sourceUrl ?? '' },
    { k: tr('rpt_file_page'), v: f?.pageUrl ?? '' },
    { k: tr('rpt_checked_at'), v: formatTime(model.checkedAt, offsetMin) },
    { k: tr('rpt_check_id'), v: model.id },
  ];
  const label = visibleLabelText(model, tr);
  if (label) rows.push({ k: tr('rpt_visible_label'), v: label });
  if (s) {
    rows.push(
      { k: tr('meta_camera'), v: [s.make, s.model].filter(Boolean).join(' ') || tr('meta_none') },
      { k: tr('meta_capture_time'), v: s.captureTime ?? tr('meta_none') },
      { k: tr('meta_software'), v: s.software ?? tr('meta_none') },
    );
  }
  return rows;
}

export function ticketRows(model: ReportModel, tr: Translate, offsetMin = 0): { k: string; v: string }[] {
  const tk = model.ticket;
  if (!tk) return [];
  const rows = [
    { k: tr('rpt_ticket_site'), v: tk.site ?? '' },
    { k: tr('rpt_ticket_order'), v: tk.orderId ?? '' },
    { k: tr('rpt_ticket_refund'), v: tk.refundId ?? '' },
    { k: tr('rpt_ticket_buyer'), v: tk.buyer ?? '' },
    { k: tr('rpt_ticket_ordered'), v: formatTime(tk.orderedAt, offsetMin) },
    { k: tr('rpt_ticket_refund_at'), v: formatTime(tk.refundAt, offsetMin) },
  ];
  return rows.filter((r) => r.v);
}

export function matchRows(model: ReportModel, tr: Translate, offsetMin = 0): { k: string; v: string }[] {
  const m = model.match;
  if (!m) return [];
  const ref = model.reference;
  const rows = [
    { k: tr('rpt_match_name'), v: m.referenceName },
    { k: tr('rpt_match_source'), v: frameText(model, tr, offsetMin) ?? tr('rpt_source_photo') },
    { k: tr('rpt_match_library'), v: ref?.libraryName ?? '' },
    { k: tr('rpt_match_added'), v: ref ? formatTime(ref.addedAt, offsetMin) : tr('rpt_reference_deleted') },
    { k: tr('rpt_match_sha'), v: ref?.sha256 ?? '' },
    { k: tr('rpt_match_size'), v: ref ? `${ref.width} × ${ref.height}, ${formatBytes(ref.originalBytes)}` : '' },
    { k: tr('rpt_match_confidence'), v: formatPercent(m.confidence) },
    { k: tr('rpt_match_method'), v: tr('rpt_word', { method: m.method }) },
    { k: tr('rpt_match_variant'), v: m.variant ? tr('rpt_word', { variant: m.variant }) : '' },
  ];
  if (model.localisation?.edited) {
    rows.push(
      { k: tr('rpt_edit_count'), v: String(displayRegions(model).length) },
      { k: tr('rpt_changed_share'), v: formatPercent(model.localisation.changedShare) },
    );
  }
  return rows.filter((r) => r.v);
}

/** Raw values for the collapsed "technical details": codes, distances, coordinates, file fields. */
export function techRows(model: ReportModel, tr: Translate): { title: string; rows: { k: string; v: string }[] }[] {
  const out: { title: string; rows: { k: string; v: string }[] }[] = [];
  const m = model.match;
  if (m) {
    const rows = [
      { k: tr('rpt_tech_method'), v: m.method },
      { k: tr('rpt_tech_variant'), v: m.variant ?? '' },
      { k: tr('rpt_tech_distance'), v: `${m.distance} / 256` },
    ];
    const regions = displayRegions(model);
    if (regions.length) rows.push({ k: tr('rpt_tech_regions'), v: regions.map((b) => `[${b.map((x) => Math.round(x)).join(', ')}]`).join(' ') });
    out.push({ title: tr('rpt_section_match'), rows: rows.filter((r) => r.v) });
  }
  for (const sg of model.signals) {
    if (sg.raw?.length) out.push({ title: tr('rpt_tech_signal', { source: sg.source }), rows: sg.raw.map((r) => ({ k: r.field, v: r.value })) });
  }
  return out;
}

export function imageHashRows(model: ReportModel, tr: Translate): { k: string; v: string }[] {
  const rows: { k: string; v: string }[] = [];
  const add = (key: string, f?: { sha256: string; width: number; height: number; bytes: number }) => {
    if (f) rows.push({ k: tr(key), v: `${f.sha256} (${f.width} × ${f.height}, ${f.bytes} B)` });
  };
  add('rpt_img_buyer', model.images.buyer);
  add('rpt_img_reference', model.images.reference);
  add('rpt_img_overlay', model.images.overlay);
  add('rpt_img_aligned', model.images.aligned);
  add('rpt_img_difference', model.images.difference);
  return rows;
}

/** Everything the PDF and the long image show, in reading order. */
export function reportBlocks(model: ReportModel, tr: Translate, opts: BlockOptions = {}): Block[] {
  const off = opts.offsetMin ?? 0;
  const blocks: Block[] = [];
  blocks.push({ t: 'title', text: tr('rpt_doc_title') });
  blocks.push({ t: 'p', text: tr('rpt_subtitle', { version: model.generator.version }), colour: '#616161', size: 8.5 });
  blocks.push({ t: 'banner', text: tr('rpt_banner', { verdict: levelText(model, tr) }), colour: LEVEL_COLOURS[model.level] });
  // the ten-second summary: one paragraph
  blocks.push({ t: 'p', text: verdictSentences(model, tr, off).join(' '), size: 10.5 });

  const { buyer, reference, overlay, aligned, difference } = model.images;
  if (buyer || reference) {
    blocks.push({ t: 'h', text: tr('rpt_section_photos') });
    const boxes = buyer ? regionsOnImage(model, buyer) : [];
    const labelBox = buyer ? labelOnImage(model, buyer) : undefined;
    const items: Extract<Block, { t: 'images' }>['items'] = [];
    if (buyer) {
      items.push({
        key: 'buyer', width: buyer.width, height: buyer.height,
        caption: tr(boxes.length ? 'rpt_buyer_caption' : 'rpt_buyer_caption_plain', { width: model.file?.width ?? buyer.width, height: model.file?.height ?? buyer.height }),
        boxes,
        labelBox,
      });
    }
    if (reference) {
      items.push({
        key: 'reference', width: reference.width, height: reference.height,
        caption: frameText(model, tr, off) ?? tr('rpt_reference_caption', { name: model.match?.referenceName ?? '' }),
      });
    }
    blocks.push({ t: 'images', items });
    // The same boxes on the reference aligned to the buyer photo and on the difference picture.
    const second: Extract<Block, { t: 'images' }>['items'] = [];
    if (aligned) second.push({ key: 'aligned', width: aligned.width, height: aligned.height, caption: tr('rpt_aligned_caption'), boxes });
    if (difference) second.push({ key: 'difference', width: difference.width, height: difference.height, caption: tr('rpt_difference_caption'), boxes });
    else if (buyer && overlay) second.push({ key: 'buyer', width: buyer.width, height: buyer.height, caption: tr('rpt_overlay_caption'), overlay: 'overlay', boxes });
    if (second.length) blocks.push({ t: 'images', items: second });
    if (boxes.length) blocks.push({ t: 'p', text: tr('rpt_boxes_note'), colour: '#616161', size: 8.5 });
    if (labelBox) blocks.push({ t: 'p', text: tr('rpt_label_box_note'), colour: '#616161', size: 8.5 });
  }

  blocks.push({ t: 'h', text: tr('rpt_section_reasons') });
  blocks.push({
    t: 'list',
    items: model.reasons.map((r) => ({ text: reviewerText(r.code, r.params, tr), colour: r.weight >= 0.8 ? '#b71c1c' : r.weight >= 0.5 ? '#212121' : '#616161' })),
  });

  const tk = ticketRows(model, tr, off);
  if (tk.length) {
    blocks.push({ t: 'h', text: tr('rpt_section_ticket') });
    blocks.push({ t: 'kv', rows: tk });
  }

  const mr = matchRows(model, tr, off);
  if (mr.length) {
    blocks.push({ t: 'h', text: tr('rpt_section_match') });
    blocks.push({ t: 'kv', rows: mr });
  }

  blocks.push({ t: 'h', text: tr('rpt_section_signals') });
  if (!model.signals.length) blocks.push({ t: 'p', text: tr('rpt_no_signals'), colour: '#616161' });
  for (const s of model.signals) {
    blocks.push({ t: 'p', text: tr(s.code, s.params), colour: s.weight >= 0.8 ? '#b71c1c' : '#212121' });
  }

  blocks.push({ t: 'h', text: tr('rpt_section_file') });
  blocks.push({ t: 'kv', rows: fileRows(model, tr, off) });

  blocks.push({ t: 'h', text: tr('rpt_section_verify') });
  blocks.push({ t: 'p', text: tr('rpt_verify_text'), size: 9 });
  if (displayRegions(model).length) blocks.push({ t: 'p', text: tr('rpt_verify_boxes'), size: 9 });
  const ih = imageHashRows(model, tr);
  if (ih.length) blocks.push({ t: 'kv', rows: ih });

  const tech = techRows(model, tr);
  if (tech.length) {
    blocks.push({ t: 'h', text: tr('rpt_section_tech') });
    blocks.push({ t: 'p', text: tr('rpt_tech_note'), colour: '#616161', size: 8.5 });
    for (const g of tech) {
      blocks.push({ t: 'p', text: g.title, size: 9 });
      blocks.push({ t: 'kv', rows: g.rows });
    }
  }
  return blocks;
}

/** Footer line of each PDF page / the end of the long image. */
export function footerText(model: ReportModel, tr: Translate, page?: { n: number; of: number }, offsetMin = 0): string {
  const base = tr('rpt_footer', { version: model.generator.version, id: model.id, date: formatDate(model.checkedAt, offsetMin) });
  return page ? `${base} · ${page.n}/${page.of}` : base;
}

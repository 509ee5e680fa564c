/**
 * The in-page verdict in plain DOM (no React in the seller page: the content script stays small).
 * Every text goes in with `textContent` and every URL as a property, never as HTML.
 * Same DOM, classes and CSS as the card always had: badge ('chip'), full card, summary panel.
 */
import { t } from '@/utils/i18n';
import type { CardResult } from '@/utils/messages';
import { LEVEL_COLOUR, LEVEL_KEY } from '@/utils/levels';
import type { Box } from '@/utils/types';

export interface ResultCardProps {
  state: 'pending' | 'done';
  result?: CardResult;
  /** URL of the buyer photo as shown on the page (set as a property, never as HTML). */
  buyerSrc: string;
  /** 'chip': the verdict as a small badge on the photo's corner; 'card': the full popover. */
  mode?: 'chip' | 'card';
  /** Dark colours (the page is dark, or it cannot be read and the system is). */
  dark?: boolean;
  /** Move the keyboard focus into the card when it opens. */
  focus?: boolean;
  onClose: () => void;
  onExpand?: () => void;
  onOpenReport?: (id: string) => void;
  onRetry?: () => void;
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** `<tag class=…>` with attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | false | null | undefined)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== false && c !== null && c !== undefined) e.append(c);
  return e;
}

/** The changed regions drawn over a picture; `size` is the frame the boxes are in. */
export function regionBoxes(regions: Box[], size: { width: number; height: number }): HTMLElement[] {
  return regions.map((b, i) => {
    const span = el('span', { class: 'region', 'data-region': i + 1 });
    span.style.left = `${(b[0] / size.width) * 100}%`;
    span.style.top = `${(b[1] / size.height) * 100}%`;
    span.style.width = `${(Math.max(1, b[2] - b[0]) / size.width) * 100}%`;
    span.style.height = `${(Math.max(1, b[3] - b[1]) / size.height) * 100}%`;
    if (regions.length > 1 && regions.length <= 9) span.append(el('em', {}, String(i + 1)));
    return span;
  });
}

/** The visible AI label read on the pixels, boxed in its own colour (always shown: it is the evidence). */
export function labelBox(label: { box: Box; text: string }, size: { width: number; height: number }): HTMLElement {
  const b = label.box;
  const span = el('span', { class: 'ai-label', 'data-ai-label': '', title: `${t('card_ai_label_box')}: 「${label.text}」` }, el('em', {}, t('card_ai_label_box')));
  span.style.left = `${(b[0] / size.width) * 100}%`;
  span.style.top = `${(b[1] / size.height) * 100}%`;
  span.style.width = `${(Math.max(1, b[2] - b[0]) / size.width) * 100}%`;
  span.style.height = `${(Math.max(1, b[3] - b[1]) / size.height) * 100}%`;
  return span;
}

function button(label: string | (Node | string)[], onClick: (() => void) | undefined, attrs: Attrs = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, ...(typeof label === 'string' ? [label] : label));
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

const escCloses = (node: HTMLElement, onClose: () => void) =>
  node.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    }
  });

/**
 * Draw the badge or the card into `mount` (replacing what was there). `view` keeps what the
 * merchant chose between draws (the region-box toggle).
 */
export function renderResultCard(mount: HTMLElement, p: ResultCardProps, view: { showMarks: boolean }): void {
  const { state, result, mode = 'card', dark } = p;
  const level = state === 'pending' || !result ? 'pending' : result.level;
  const cls = dark ? 'dark' : 'light';

  if (mode === 'chip') {
    const chip = button(t(LEVEL_KEY[level]), p.onExpand, { class: `chip ${cls}`, 'aria-label': `${t(LEVEL_KEY[level])} — ${t('card_open')}`, title: t('card_open') });
    chip.style.background = LEVEL_COLOUR[level];
    swap(mount, chip);
    return;
  }

  const section = el('section', { tabindex: -1, class: `card ${cls}`, role: 'dialog', 'aria-label': `${t('card_title')}: ${t(LEVEL_KEY[level])}` });
  section.style.borderColor = LEVEL_COLOUR[level];
  escCloses(section, p.onClose);
  const header = el('header', {}, el('strong', { class: 'verdict' }, t(LEVEL_KEY[level])), button('×', p.onClose, { class: 'close', 'aria-label': t('btn_close'), title: t('btn_close'), 'data-key': 'close' }));
  header.style.background = LEVEL_COLOUR[level];
  section.append(header);
  if (state === 'pending') section.append(el('progress', { class: 'busy', 'aria-label': t('btn_checking') }));
  if (result && state === 'done') section.append(cardBody(result, p, view));
  swap(mount, section);
  if (p.focus) section.focus({ preventScroll: true });
}

function cardBody(result: CardResult, p: ResultCardProps, view: { showMarks: boolean }): HTMLElement {
  const body = el('div', { class: 'body' });
  const regions = result.regions ?? [];
  const size = result.size;
  if (result.repeatBuyer) body.append(el('p', { class: 'repeat' }, `⚠ ${t('why_repeat_buyer', { buyer: result.repeatBuyer.buyer, count: result.repeatBuyer.count })}`));
  let boxes: HTMLElement[] = [];
  if (result.match || result.level !== 'error') {
    const buyerImg = el('img', { alt: t('card_buyer_photo'), referrerpolicy: 'no-referrer' });
    buyerImg.src = p.buyerSrc;
    const pic = el('div', { class: 'pic' }, buyerImg);
    if (size) {
      boxes = regionBoxes(regions, size);
      if (view.showMarks) pic.append(...boxes);
      if (result.label) pic.append(labelBox(result.label, size));
    }
    const pair = el('div', { class: 'pair' }, el('figure', {}, el('div', { class: 'frame' }, pic), el('figcaption', {}, t('card_buyer_photo'))));
    if (result.match) {
      const refPic = el('div', { class: 'pic' });
      if (result.match.thumb) {
        const img = el('img', { alt: result.match.referenceName });
        img.src = result.match.thumb;
        refPic.append(img);
      }
      pair.append(el('figure', {}, el('div', { class: 'frame' }, refPic), el('figcaption', { title: result.match.referenceName }, `${t('card_your_photo')}: ${result.match.referenceName}`)));
    }
    body.append(pair);
    if (regions.length > 0 && size) {
      const box = el('input', { type: 'checkbox', 'data-key': 'marks' });
      box.checked = view.showMarks;
      box.addEventListener('change', () => {
        view.showMarks = box.checked;
        if (box.checked) pic.append(...boxes);
        else for (const b of boxes) b.remove();
      });
      body.append(el('label', { class: 'toggle' }, box, ` ${t('card_show_changes')}`));
    }
  }
  body.append(el('h4', {}, t('card_reasons')));
  body.append(el('ul', { class: 'reasons' }, ...result.reasons.map((r) => el('li', { class: r.weight >= 0.8 ? 'strong' : r.weight >= 0.5 ? 'medium' : 'weak' }, t(r.code, r.params)))));
  if (result.summary) {
    const s = result.summary;
    const fact = (k: string, v: string) => [el('dt', {}, t(k)), el('dd', {}, v)];
    body.append(
      el(
        'dl',
        { class: 'facts' },
        ...fact('meta_format', `${s.format.toUpperCase()}${result.size ? ` · ${result.size.width}×${result.size.height}` : ''}`),
        ...fact('meta_camera', [s.make, s.model].filter(Boolean).join(' ') || t('meta_none')),
        ...fact('meta_capture_time', s.captureTime ?? t('meta_none')),
        ...fact('meta_software', s.software ?? t('meta_none')),
      ),
    );
  }
  const footer = el('footer');
  if (result.id && p.onOpenReport) footer.append(button(t('btn_open_report'), () => p.onOpenReport!(result.id), { 'data-key': 'report' }));
  if (result.level === 'error' && p.onRetry) footer.append(button(t('btn_retry'), p.onRetry, { 'data-key': 'retry' }));
  body.append(footer);
  return body;
}

/** One line per photo of the ticket: the summary of 「检测本工单全部图片」. */
export interface SummaryItem {
  n: number;
  state: 'pending' | 'done';
  level?: CardResult['level'];
}

export function renderSummary(mount: HTMLElement, p: { items: SummaryItem[]; dark?: boolean; onOpen: (n: number) => void; onClose: () => void }): void {
  const done = p.items.filter((i) => i.state === 'done').length;
  const section = el('section', { class: `summary ${p.dark ? 'dark' : 'light'}`, role: 'region', 'aria-label': t('summary_title') });
  escCloses(section, p.onClose);
  const list = el('ol', { class: 'summary-list' });
  for (const i of p.items) {
    const level = i.state === 'done' && i.level ? i.level : 'pending';
    const dot = el('span', { class: 'dot' });
    dot.style.background = LEVEL_COLOUR[level];
    const b = button([dot, `${t('summary_photo', { n: i.n })} · ${t(LEVEL_KEY[level])}`], () => p.onOpen(i.n), { 'data-key': `photo-${i.n}` });
    b.style.borderColor = LEVEL_COLOUR[level];
    list.append(el('li', {}, b));
  }
  section.append(
    el('strong', {}, t('summary_title')),
    el('span', { class: 'muted' }, t('summary_progress', { done, count: p.items.length })),
    list,
    button('×', p.onClose, { class: 'close', 'aria-label': t('btn_close'), title: t('btn_close'), 'data-key': 'close' }),
  );
  swap(mount, section);
}

/** Replace `mount`'s content; a focused control keeps the focus across the redraw (matched by data-key). */
function swap(mount: HTMLElement, node: HTMLElement): void {
  const root = mount.getRootNode() as ShadowRoot | Document;
  const active = root.activeElement as HTMLElement | null;
  const key = active && mount.contains(active) ? active.getAttribute('data-key') : null;
  mount.replaceChildren(node);
  if (key) (node.querySelector(`[data-key="${key}"]`) as HTMLElement | null)?.focus({ preventScroll: true });
}

export const CARD_CSS = `
:host { all: initial; }
.card, .summary, .chip { font: 13px/1.45 system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; text-align: left; }
.light { --bg: #fff; --fg: #222; --muted: #555; --soft: #666; --frame: #f3f3f3; --btn-bg: #fff; --btn-fg: #1565c0; --repeat-bg: #fff3e0; --repeat-fg: #bf360c; --shadow: rgba(0,0,0,.22); }
.dark { --bg: #1f2227; --fg: #e8eaed; --muted: #b0b5bb; --soft: #9aa0a6; --frame: #2b2f35; --btn-bg: #1f2227; --btn-fg: #8ab4f8; --repeat-bg: #3e2a17; --repeat-fg: #ffb74d; --shadow: rgba(0,0,0,.6); }
.card { color: var(--fg); background: var(--bg); border: 2px solid; border-radius: 8px; width: 340px; box-sizing: border-box;
  max-width: calc(100vw - 16px); max-height: calc(100vh - 16px); overflow: auto; box-shadow: 0 6px 24px var(--shadow); outline: none; }
.card:focus { outline: none; }
header { display: flex; align-items: center; justify-content: space-between; color: #fff; padding: 6px 10px; position: sticky; top: 0; }
.verdict { font-size: 14px; }
.close { background: transparent; color: inherit; border: 0; font-size: 18px; cursor: pointer; line-height: 1; padding: 0 4px; }
header .close { color: #fff; }
.busy { width: calc(100% - 20px); margin: 10px; }
.pair { display: flex; gap: 8px; padding: 8px 10px 0; }
figure { margin: 0; flex: 1; min-width: 0; }
.frame { background: var(--frame); border-radius: 4px; overflow: hidden; display: flex; justify-content: center; align-items: center; min-height: 60px; }
.pic { position: relative; display: inline-block; max-width: 100%; line-height: 0; }
.pic img { display: block; max-width: 100%; max-height: 160px; width: auto; height: auto; }
.region { position: absolute; box-sizing: border-box; border: 2px solid #ff1744; box-shadow: 0 0 0 1px #fff; min-width: 4px; min-height: 4px; }
.ai-label { position: absolute; box-sizing: border-box; border: 2px dashed #aa00ff; box-shadow: 0 0 0 1px #fff; min-width: 4px; min-height: 4px; }
.ai-label em { position: absolute; bottom: 100%; right: -2px; background: #aa00ff; color: #fff; font: 600 10px/1.2 system-ui, sans-serif; padding: 0 3px; font-style: normal; white-space: nowrap; }
.region em { position: absolute; top: -2px; left: -2px; transform: translateY(-100%); background: #ff1744; color: #fff; font: 600 10px/1.2 system-ui, sans-serif; padding: 0 3px; font-style: normal; }
figcaption { font-size: 11px; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.toggle { display: inline-block; margin: 4px 10px 0; font-size: 12px; }
h4 { margin: 8px 10px 2px; font-size: 12px; color: var(--muted); }
.reasons { margin: 0; padding: 0 10px 0 28px; }
.reasons li.strong { font-weight: 600; }
.reasons li.weak { color: var(--soft); }
.repeat { background: var(--repeat-bg); color: var(--repeat-fg); margin: 0; padding: 6px 10px; font-weight: 600; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 0 8px; margin: 6px 10px; font-size: 12px; }
.facts dt { color: var(--soft); } .facts dd { margin: 0; overflow-wrap: anywhere; }
footer { display: flex; gap: 8px; padding: 8px 10px 10px; }
footer button, .summary-list button { font: inherit; padding: 4px 10px; border: 1px solid var(--btn-fg); color: var(--btn-fg); background: var(--btn-bg); border-radius: 4px; cursor: pointer; }
button:focus-visible { outline: 3px solid #ffab00; outline-offset: 1px; }
.chip { display: block; color: #fff; border: 1px solid rgba(255,255,255,.85); border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600;
  cursor: pointer; box-shadow: 0 1px 4px rgba(0,0,0,.35); white-space: nowrap; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
.summary { display: grid; grid-template-columns: auto 1fr auto; align-items: center; gap: 2px 10px; color: var(--fg); background: var(--bg); border: 1px solid var(--soft); border-radius: 8px;
  box-shadow: 0 4px 16px var(--shadow); padding: 3px 6px 3px 10px; max-width: min(920px, calc(100vw - 16px)); box-sizing: border-box; }
.summary > strong { grid-column: 1; grid-row: 1; } .summary > .muted { grid-column: 1; grid-row: 2; }
.summary-list { grid-column: 2; grid-row: 1 / span 2; } .summary > .close { grid-column: 3; grid-row: 1 / span 2; align-self: start; }
.muted { color: var(--muted); font-size: 12px; }
.summary-list { display: flex; flex-wrap: wrap; gap: 4px 6px; list-style: none; margin: 0; padding: 0; }
.summary-list button { font-size: 12px; padding: 2px 8px; color: var(--fg); }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 5px; }
`;

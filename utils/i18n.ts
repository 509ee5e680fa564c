import type { ParamValue } from './types';

/**
 * Translate a message key with named `{param}` tokens. Uses the browser's i18n (which follows
 * the browser language) when present; falls back to the key so nothing ever shows blank.
 * Params are inserted as text by React, never as HTML.
 */
export type Lookup = (key: string) => string;

let lookup: Lookup = (key) => {
  try {
    const g = (globalThis as { chrome?: { i18n?: { getMessage(k: string): string } } }).chrome;
    return g?.i18n?.getMessage(key) ?? '';
  } catch {
    return '';
  }
};

/** For tests and Node tools. */
export function setLookup(fn: Lookup): void {
  lookup = fn;
}

/**
 * Params that carry machine words (the transform a match found, the stage that decided) and are
 * shown in the reader's language: 'resize+crop' → 「缩放 + 裁剪」 via variant_resize, variant_crop;
 * a visible label's position 'bottom_right' → 「右下角」 via pos_bottom_right.
 */
const WORD_PARAMS: Record<string, string> = { variant: 'variant_', method: 'method_', position: 'pos_' };

/** A value that stands for "nothing here" (signals write a dash for missing values). */
const isEmpty = (v: ParamValue | undefined) => v === undefined || v === '' || v === '—' || v === '-';

/**
 * The one way every view (card, pages, PDF, PNG, JSON) fills a message:
 *  - plurals: with a numeric `count` of 1, the key `<key>_one` is used when it exists
 *    (English "1 region was changed" / "3 regions were changed");
 *  - optional parts: a `[[ … ]]` segment is dropped when a `{param}` inside it is missing or a
 *    dash, so no sentence shows 「传播服务提供者：—」 or "(—)";
 *  - word params (variant, method) are translated part by part.
 */
export function fillMessage(key: string, params: Record<string, ParamValue | undefined> | undefined, lookup: Lookup): string {
  const one = params && params.count === 1 ? lookup(key + '_one') : '';
  const text = one || lookup(key) || key;
  if (!params) return text.replace(/\[\[|\]\]/g, '');
  const show = (name: string, v: ParamValue): string => {
    const prefix = WORD_PARAMS[name];
    if (!prefix || typeof v !== 'string') return String(v);
    return v.split('+').map((w) => lookup(prefix + w) || w).join(' + ');
  };
  const fill = (part: string) => part.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    return v === undefined ? m : show(name, v);
  });
  return text
    .replace(/\[\[([\s\S]*?)\]\]/g, (_all, seg: string) => {
      const names = [...seg.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      return names.some((n) => isEmpty(params[n])) ? '' : fill(seg);
    })
    .replace(/\{(\w+)\}/g, (m) => fill(m));
}

export function t(key: string, params?: Record<string, ParamValue | undefined>): string {
  return fillMessage(key, params, lookup);
}

export function uiLanguage(): string {
  try {
    const g = (globalThis as { chrome?: { i18n?: { getUILanguage(): string } } }).chrome;
    return g?.i18n?.getUILanguage() ?? 'en';
  } catch {
    return 'en';
  }
}

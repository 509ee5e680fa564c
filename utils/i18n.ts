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
 * shown in the reader's language: 'resize+crop' → 「缩放 + 裁剪」 via variant_resize, variant_crop.
 */
const WORD_PARAMS: Record<string, string> = { variant: 'variant_', method: 'method_' };

function showParam(name: string, v: ParamValue): string {
  const prefix = WORD_PARAMS[name];
  if (!prefix || typeof v !== 'string') return String(v);
  return v.split('+').map((w) => lookup(prefix + w) || w).join(' + ');
}

export function t(key: string, params?: Record<string, ParamValue | undefined>): string {
  const text = lookup(key) || key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    return v === undefined ? m : showParam(name, v);
  });
}

export function uiLanguage(): string {
  try {
    const g = (globalThis as { chrome?: { i18n?: { getUILanguage(): string } } }).chrome;
    return g?.i18n?.getUILanguage() ?? 'en';
  } catch {
    return 'en';
  }
}

import { fillMessage } from '../i18n';
import type { ParamValue } from '../types';

/** A translate function with the same contract as utils/i18n.ts `t()`. */
export type Translate = (key: string, params?: Record<string, ParamValue | undefined>) => string;

/** Contents of a public/_locales/<lang>/messages.json. */
export type Messages = Record<string, { message: string }>;

export type ExportLang = 'zh_CN' | 'en';

/**
 * Translator over one language's messages.json, so exports can be written in the language the
 * platform reviewer reads (usually Chinese) whatever the merchant's browser language is.
 * Chrome un-escapes `$$` to `$` in getMessage; we do the same. Unknown keys fall back to
 * `fallback` (e.g. the browser's t()) and then to the key itself, as t() does.
 */
export function makeTranslate(messages: Messages, fallback?: Translate): Translate {
  const lookup = (k: string) => messages[k]?.message.replace(/\$\$/g, '$') ?? '';
  return (key, params) => {
    if (messages[key] === undefined) return fallback ? fallback(key, params) : key;
    return fillMessage(key, params, lookup);
  };
}

/** Pick the export language from a UI language tag ("zh-CN", "zh", "en-US", …). */
export function exportLangFor(uiLang: string): ExportLang {
  return /^zh/i.test(uiLang) ? 'zh_CN' : 'en';
}

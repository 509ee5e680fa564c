/**
 * IPTC Digital Source Type in XMP (Iptc4xmpExt:DigitalSourceType, a NewsCodes URL) and the
 * credit lines platforms write on AI images ("Made with Google AI", "Edited with Google AI",
 * "Apple Image Playground").
 */
import type { Signal } from '../../types';
import type { MetaContext } from '../context';
import { sourceTypeCode } from '../jumbf';
import { NS, xmpValues } from '../xmp';
import { AI_SOURCE_TYPES } from './c2pa';
import { descriptiveFields, signal, type SignalModule } from './util';

const CREDIT_LINES: { re: RegExp; weight: number; code: string; type: string; fields?: RegExp }[] = [
  { re: /Made with Google AI/i, weight: 1, code: 'sig_credit_ai_made', type: 'Google AI' },
  { re: /Edited with Google AI/i, weight: 0.9, code: 'sig_credit_ai_edited', type: 'Google AI' },
  { re: /Image Playground/i, weight: 1, code: 'sig_credit_ai_made', type: 'Apple Image Playground' },
  // Generic wording only counts in credit/title/tool fields, never in a free-text caption.
  { re: /^(Made with AI|AI[- ]generated(?: image)?|Generated (?:with|by) AI)$/i, weight: 0.9, code: 'sig_credit_ai_made', type: 'AI', fields: /(Credit|Title|Software|CreatorTool)$/ },
];

export const iptcSourceType: SignalModule = {
  id: 'iptc-source-type',
  run(ctx: MetaContext): Signal[] {
    const out: Signal[] = [];
    const seen = new Set<string>();
    for (const doc of ctx.xmp) {
      for (const v of xmpValues(doc, NS.iptcExt, 'DigitalSourceType')) {
        const type = sourceTypeCode(v);
        if (seen.has(type)) continue;
        seen.add(type);
        const w = AI_SOURCE_TYPES[type];
        const raw = [{ field: `${doc.where} Iptc4xmpExt:DigitalSourceType`, value: v }];
        if (w !== undefined) {
          out.push(signal('iptc-source-type', 'ai', w, w >= 1 ? 'sig_iptc_ai_generated' : 'sig_iptc_ai_composite', { type }, raw));
        } else if (type === 'digitalCapture' || type === 'negativeFilm' || type === 'positiveFilm' || type === 'print') {
          out.push(signal('iptc-source-type', 'camera', 0, 'sig_iptc_capture', { type }, raw));
        } else if (type === 'algorithmicallyEnhanced' || type === 'minorHumanEdits' || type === 'humanEdits' || type === 'composite' || type === 'compositeCapture') {
          out.push(signal('iptc-source-type', 'edit', type === 'minorHumanEdits' ? 0.3 : 0.5, 'sig_iptc_edited', { type }, raw));
        } else {
          out.push(signal('iptc-source-type', 'info', 0, 'sig_iptc_source_other', { type }, raw));
        }
      }
    }
    for (const f of descriptiveFields(ctx)) {
      if (f.value.length > 300) continue;
      for (const c of CREDIT_LINES) {
        if (!c.re.test(f.value.trim()) || (c.fields && !c.fields.test(f.field))) continue;
        const key = `${c.code}|${c.type}`;
        if (seen.has(key)) break;
        seen.add(key);
        out.push(signal('iptc-source-type', 'ai', c.weight, c.code, { text: f.value, tool: c.type }, [f]));
        break;
      }
    }
    return out;
  },
};

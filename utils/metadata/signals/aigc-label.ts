/**
 * China GB 45438-2025 implicit label (TC260:AIGC). The label is a JSON object with keys Label
 * ("1" AI-generated, "2" possibly, "3" suspected), ContentProducer, ProduceID, ReservedCode1,
 * ContentPropagator, PropagateID, ReservedCode2. It appears as:
 *  - XMP property TC260:AIGC (namespace http://www.tc260.org.cn/ns/AIGC/1.0/), element or attribute
 *    form, its JSON XML-escaped (&quot;);
 *  - PNG tEXt/iTXt/zTXt keyword "AIGC" holding the raw JSON;
 *  - JSON {"AIGC":{…}} in EXIF UserComment / ImageDescription (or any text block).
 */
import type { Signal } from '../../types';
import type { MetaContext } from '../context';
import { decodeEntities, walk } from '../xmp';
import { descriptiveFields, signal, tryJson, type SignalModule } from './util';

export interface AigcLabel {
  Label?: string;
  ContentProducer?: string;
  ProduceID?: string;
  ContentPropagator?: string;
  PropagateID?: string;
  ReservedCode1?: string;
  ReservedCode2?: string;
}

const KEYS = ['Label', 'ContentProducer', 'ProduceID', 'ReservedCode1', 'ContentPropagator', 'PropagateID', 'ReservedCode2'];

/** Parse a label value: the bare object, {"AIGC":{…}}, escaped or double-encoded JSON. */
export function parseAigc(value: string, depth = 0): AigcLabel | undefined {
  if (depth > 3) return undefined;
  let s = value.trim();
  if (s.includes('&quot;') || s.includes('&#34;')) s = decodeEntities(s);
  const j = tryJson(s) ?? (s.startsWith('"') ? (() => { try { const x = JSON.parse(s); return typeof x === 'string' ? x : undefined; } catch { return undefined; } })() : undefined);
  if (typeof j === 'string') return parseAigc(j, depth + 1);
  if (!j || typeof j !== 'object' || Array.isArray(j)) return undefined;
  const o = j as Record<string, unknown>;
  const inner = o.AIGC ?? o.aigc;
  if (inner !== undefined) {
    if (typeof inner === 'string') return parseAigc(inner, depth + 1);
    if (inner && typeof inner === 'object') return pick(inner as Record<string, unknown>);
  }
  if (KEYS.some((k) => k in o)) return pick(o);
  return undefined;
}

function pick(o: Record<string, unknown>): AigcLabel | undefined {
  const out: Record<string, string> = {};
  for (const k of KEYS) {
    const v = o[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v).trim();
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Decode a service-provider code of the 27-character "001…" form seen in the wild:
 * "001" (code scheme), one subject-type digit ("1" = organisation), an 18-character identifier
 * (for organisations the GB 32100 unified social credit code, checked here), then a 5-character
 * service segment ("00000" when no service/model code is given).
 */
export function decodeProviderCode(code: string): { scheme: string; subject: string; id: string; idValid?: boolean; service: string } | undefined {
  const c = code.trim().toUpperCase();
  if (!/^001[0-9][0-9A-Z]{18}[0-9A-Z]{5}$/.test(c)) return undefined;
  const id = c.slice(4, 22);
  const subject = c[3];
  return { scheme: '001', subject, id, idValid: subject === '1' ? usccValid(id) : undefined, service: c.slice(22) };
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100-2015 check character of a unified social credit code. */
export function usccValid(id: string): boolean {
  if (id.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARS.indexOf(id[i]);
    if (v < 0) return false;
    sum += v * USCC_W[i];
  }
  const check = (31 - (sum % 31)) % 31;
  return USCC_CHARS[check] === id[17];
}

/**
 * The provider as a reviewer reads it: the organisation's code (a unified social credit code for
 * companies) decoded from the label's provider code. The full code, its subject type, service
 * number and check digit stay in the signal's raw value (technical details and JSON).
 */
export function describeProvider(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const d = decodeProviderCode(code);
  return d ? d.id : code;
}

export function aigcSignal(label: AigcLabel, field: string, raw: string): Signal {
  const l = (label.Label ?? '').trim();
  const weight = l === '1' ? 1 : l === '2' ? 0.85 : l === '3' ? 0.6 : 0.8;
  const code = l === '1' || l === '2' || l === '3' ? `sig_aigc_label_${l}` : 'sig_aigc_label_other';
  return signal(
    'aigc-label',
    'ai',
    weight,
    code,
    {
      label: l || '?',
      producer: describeProvider(label.ContentProducer),
      produceId: label.ProduceID,
      propagator: describeProvider(label.ContentPropagator),
      propagateId: label.PropagateID,
      where: field,
    },
    [{ field, value: raw }],
  );
}

export const aigcLabel: SignalModule = {
  id: 'aigc-label',
  run(ctx: MetaContext): Signal[] {
    const found: { label: AigcLabel; field: string; raw: string }[] = [];
    // XMP, any prefix bound to the TC260 namespace (tolerating a missing trailing slash or case).
    for (const doc of ctx.xmp) {
      for (const node of walk(doc.root)) {
        for (const a of node.attrs) {
          if (a.local.toUpperCase() === 'AIGC' && /tc260/i.test(a.ns)) {
            const label = parseAigc(a.value);
            if (label) found.push({ label, field: `${doc.where} ${a.name}`, raw: a.value });
          }
        }
        if (node.local.toUpperCase() === 'AIGC' && /tc260/i.test(node.ns)) {
          const label = parseAigc(node.text);
          if (label) found.push({ label, field: `${doc.where} ${node.name}`, raw: node.text.trim() });
        }
      }
    }
    // PNG text keyword AIGC (any chunk type).
    for (const t of ctx.texts) {
      if (t.key.trim().toUpperCase() === 'AIGC') {
        const label = parseAigc(t.value);
        if (label) found.push({ label, field: `${t.where} ${t.key}`, raw: t.value });
      }
    }
    // {"AIGC":{…}} JSON in EXIF text tags and other text blocks.
    for (const f of descriptiveFields(ctx)) {
      if (!/AIGC/i.test(f.value) || found.some((x) => x.field === f.field)) continue;
      const label = parseAigc(f.value) ?? parseAigc(extractJson(f.value) ?? '');
      if (label) found.push({ label, field: f.field, raw: f.value });
    }
    const seen = new Set<string>();
    return found
      .filter((x) => {
        const k = JSON.stringify(x.label);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .map((x) => aigcSignal(x.label, x.field, x.raw));
  },
};

/** The first balanced {...} in a longer string. */
function extractJson(s: string): string | undefined {
  const i = s.indexOf('{');
  if (i < 0) return undefined;
  let depth = 0;
  let inStr = false;
  for (let k = i; k < s.length && k < i + 100_000; k++) {
    const c = s[k];
    if (inStr) {
      if (c === '\\') k++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return s.slice(i, k + 1);
  }
  return undefined;
}

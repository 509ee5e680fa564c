import type { ParamValue, Signal } from '../../types';
import { clip } from '../bytes';
import type { MetaContext } from '../context';
import { NS, xmpStructs, xmpValues } from '../xmp';

export interface SignalModule {
  /** Signal source name, e.g. 'aigc-label'. */
  id: string;
  run(ctx: MetaContext): Signal[];
}

export function signal(
  source: string,
  kind: Signal['kind'],
  weight: number,
  code: string,
  params: Record<string, ParamValue | undefined>,
  raw: { field: string; value: string }[],
): Signal {
  const p: Record<string, ParamValue> = {};
  // Missing values show as a dash, so a translated sentence never keeps a raw {token}.
  for (const [k, v] of Object.entries(params)) p[k] = v === undefined || v === '' ? '—' : typeof v === 'string' ? clip(v, 200) : v;
  return { source, kind, weight, code, params: p, raw: raw.map((r) => ({ field: r.field, value: clip(r.value) })) };
}

/** A named string field of the file, for modules that look for tool names anywhere. */
export interface Field {
  field: string;
  value: string;
}

/** Every short descriptive string field (software, creator, description, credit …) with its location. */
export function descriptiveFields(ctx: MetaContext): Field[] {
  const out: Field[] = [];
  const e = ctx.exif;
  const w = ctx.exifWhere ?? 'EXIF';
  const add = (field: string, v: string | undefined) => {
    if (v && v.trim()) out.push({ field, value: v.trim() });
  };
  add(`${w} Software`, e.Software);
  add(`${w} Make`, e.Make);
  add(`${w} Model`, e.Model);
  add(`${w} Artist`, e.Artist);
  add(`${w} HostComputer`, e.HostComputer);
  add(`${w} ImageDescription`, e.ImageDescription);
  add(`${w} UserComment`, e.UserComment);
  add(`${w} XPComment`, e.XPComment);
  add(`${w} Copyright`, e.Copyright);
  for (const doc of ctx.xmp) {
    for (const v of xmpValues(doc, NS.xmp, 'CreatorTool')) add(`${doc.where} xmp:CreatorTool`, v);
    for (const h of xmpStructs(doc, NS.xmpMM, 'History')) add(`${doc.where} xmpMM:History softwareAgent`, h.softwareAgent);
    for (const v of xmpValues(doc, NS.photoshop, 'Credit')) add(`${doc.where} photoshop:Credit`, v);
    for (const v of xmpValues(doc, NS.dc, 'creator')) add(`${doc.where} dc:creator`, v);
    for (const v of xmpValues(doc, NS.dc, 'description')) add(`${doc.where} dc:description`, v);
    for (const v of xmpValues(doc, NS.tiff, 'Software')) add(`${doc.where} tiff:Software`, v);
    for (const v of xmpValues(doc, NS.tiff, 'Make')) add(`${doc.where} tiff:Make`, v);
  }
  for (const [k, vs] of Object.entries(ctx.iptc)) {
    if (k === 'OriginatingProgram' || k === 'Credit' || k === 'Source' || k === 'Caption-Abstract' || k === 'By-line') for (const v of vs) add(`IPTC ${k}`, v);
  }
  for (const t of ctx.texts) {
    if (t.value.length <= 2000) add(`${t.where} ${t.key}`, t.value);
  }
  return out;
}

/** Parse JSON leniently: undefined unless it is an object or array. */
export function tryJson(s: string): unknown {
  const t = s.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    const v = JSON.parse(t);
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

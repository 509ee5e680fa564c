/**
 * Byte-level writers for metadata test files, following the specs the real tools follow:
 * JPEG segments (T.81), TIFF/EXIF IFDs (CIPA DC-008), PNG chunks (PNG spec, with CRC),
 * WebP RIFF chunks, ISOBMFF boxes (ISO/IEC 14496-12, HEIF iinf/iloc), JUMBF (ISO/IEC 19566-5),
 * CBOR (RFC 8949), DER certificates (X.509 structure only). No file is copied from anywhere.
 */
import { zlibSync, gzipSync } from 'fflate';
import sharp from 'sharp';
import { crc32 } from '../../fixtures/formats';

export const enc = (s: string) => new TextEncoder().encode(s);
export const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 255);

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrs = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrs.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of arrs) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
export const be16 = (v: number) => [(v >> 8) & 255, v & 255];
export const be32 = (v: number) => [(v >>> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255];
export const le16 = (v: number) => [v & 255, (v >> 8) & 255];
export const le32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];

// ---------- JPEG ----------
export function segment(marker: number, payload: Uint8Array): Uint8Array {
  return concat([0xff, marker], be16(payload.length + 2), payload);
}
/** A real small JPEG (sharp) with our segments inserted right after SOI. */
export async function jpegWith(segments: Uint8Array[], opts: { width?: number; height?: number; quality?: number; color?: string } = {}): Promise<Uint8Array> {
  const base = await plainJpeg(opts);
  return concat(base.subarray(0, 2), ...segments, base.subarray(2));
}
export async function plainJpeg(opts: { width?: number; height?: number; quality?: number; color?: string } = {}): Promise<Uint8Array> {
  const w = opts.width ?? 32, h = opts.height ?? 24;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" fill="${opts.color ?? '#c84'}"/><circle cx="${w / 3}" cy="${h / 2}" r="${h / 4}" fill="#248"/></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: opts.quality ?? 85 }).toBuffer());
}
export const app1Exif = (tiff: Uint8Array) => segment(0xe1, concat(latin1('Exif\0\0'), tiff));
export const app1Xmp = (xml: string) => segment(0xe1, concat(latin1('http://ns.adobe.com/xap/1.0/\0'), enc(xml)));
/** Extended XMP split into chunks (Adobe XMP spec part 3: GUID, full length, offset per chunk). */
export function app1ExtendedXmp(xml: string, guid: string, chunk: number): Uint8Array[] {
  const data = enc(xml);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += chunk) {
    out.push(segment(0xe1, concat(latin1('http://ns.adobe.com/xmp/extension/\0'), latin1(guid), be32(data.length), be32(off), data.subarray(off, off + chunk))));
  }
  return out;
}
/** JUMBF split into APP11 segments: CI 'JP', En, Z, and the superbox header repeated in each. */
export function app11Jumbf(jumbf: Uint8Array, maxPayload = 65000, en = 1): Uint8Array[] {
  const header = jumbf.subarray(0, 8);
  const body = jumbf.subarray(8);
  const out: Uint8Array[] = [];
  let z = 1;
  for (let off = 0; off < body.length || off === 0; off += maxPayload) {
    out.push(segment(0xeb, concat(latin1('JP'), be16(en), be32(z++), header, body.subarray(off, off + maxPayload))));
    if (body.length === 0) break;
  }
  return out;
}
export const com = (text: string) => segment(0xfe, enc(text));

// ---------- TIFF / EXIF ----------
export type TiffValue = { type: 'ascii'; value: string } | { type: 'short' | 'long'; value: number } | { type: 'undefined'; value: Uint8Array } | { type: 'byte'; value: Uint8Array } | { type: 'rational'; value: [number, number][] };
export interface TiffSpec {
  ifd0?: Record<number, TiffValue>;
  exif?: Record<number, TiffValue>;
  gps?: Record<number, TiffValue>;
  thumbnail?: Uint8Array;
  littleEndian?: boolean;
}
export const ascii = (value: string): TiffValue => ({ type: 'ascii', value });
export const short = (value: number): TiffValue => ({ type: 'short', value });
export const undef = (value: Uint8Array): TiffValue => ({ type: 'undefined', value });

/** Write a TIFF block: header, IFD0 (+ pointers), Exif IFD, GPS IFD, IFD1 with a JPEG thumbnail. */
export function tiff(spec: TiffSpec): Uint8Array {
  const le = spec.littleEndian ?? false;
  const w16 = (v: number) => (le ? le16(v) : be16(v));
  const w32 = (v: number) => (le ? le32(v) : be32(v));
  const typeCode = { byte: 1, ascii: 2, short: 3, long: 4, rational: 5, undefined: 7 } as const;
  const bytesOf = (v: TiffValue): number[] => {
    switch (v.type) {
      case 'ascii': return [...latin1(v.value), 0];
      case 'short': return w16(v.value);
      case 'long': return w32(v.value);
      case 'rational': return v.value.flatMap(([a, b]) => [...w32(a), ...w32(b)]);
      default: return [...v.value];
    }
  };
  const countOf = (v: TiffValue): number => {
    if (v.type === 'ascii') return v.value.length + 1;
    if (v.type === 'rational') return v.value.length;
    if (v.type === 'undefined' || v.type === 'byte') return v.value.length;
    return 1;
  };
  const out: number[] = [...(le ? [0x49, 0x49, 0x2a, 0] : [0x4d, 0x4d, 0, 0x2a]), ...w32(8)];
  // Layout: IFD0, IFD1, Exif IFD, GPS IFD, then data area.
  const ifd0 = { ...(spec.ifd0 ?? {}) };
  const layout: { entries: Record<number, TiffValue> }[] = [];
  const ifdSize = (n: number) => 2 + n * 12 + 4;
  if (spec.exif) ifd0[0x8769] = { type: 'long', value: 0 };
  if (spec.gps) ifd0[0x8825] = { type: 'long', value: 0 };
  const ifd1: Record<number, TiffValue> | undefined = spec.thumbnail ? { 0x0103: short(6), 0x0201: { type: 'long', value: 0 }, 0x0202: { type: 'long', value: spec.thumbnail.length } } : undefined;
  layout.push({ entries: ifd0 });
  if (ifd1) layout.push({ entries: ifd1 });
  if (spec.exif) layout.push({ entries: spec.exif });
  if (spec.gps) layout.push({ entries: spec.gps });
  const offsets: number[] = [];
  let o = 8;
  for (const l of layout) {
    offsets.push(o);
    o += ifdSize(Object.keys(l.entries).length);
  }
  let dataAt = o;
  const ifd1At = ifd1 ? offsets[1] : 0;
  const exifAt = spec.exif ? offsets[ifd1 ? 2 : 1] : 0;
  const gpsAt = spec.gps ? offsets[layout.length - 1] : 0;
  if (spec.exif) ifd0[0x8769] = { type: 'long', value: exifAt };
  if (spec.gps) ifd0[0x8825] = { type: 'long', value: gpsAt };
  const data: number[] = [];
  // Thumbnail data goes first in the data area so its offset is known.
  let thumbAt = 0;
  if (spec.thumbnail && ifd1) {
    thumbAt = dataAt;
    data.push(...spec.thumbnail);
    ifd1[0x0201] = { type: 'long', value: thumbAt };
  }
  const ifdBytes: number[] = [];
  layout.forEach((l, i) => {
    const tags = Object.keys(l.entries).map(Number).sort((a, b) => a - b);
    ifdBytes.push(...w16(tags.length));
    for (const t of tags) {
      const v = l.entries[t];
      const b = bytesOf(v);
      ifdBytes.push(...w16(t), ...w16(typeCode[v.type]), ...w32(countOf(v)));
      if (b.length <= 4) ifdBytes.push(...b, ...new Array(4 - b.length).fill(0));
      else {
        ifdBytes.push(...w32(dataAt + data.length));
        data.push(...b);
        if (data.length % 2) data.push(0);
      }
    }
    ifdBytes.push(...w32(i === 0 && ifd1 ? ifd1At : 0));
  });
  return Uint8Array.from([...out, ...ifdBytes, ...data]);
}
/** EXIF UserComment with an 8-byte character-code prefix. */
export function userComment(text: string, code: 'UNICODE-BE' | 'UNICODE-LE' | 'ASCII'): Uint8Array {
  if (code === 'ASCII') return concat(latin1('ASCII\0\0\0'), latin1(text));
  const u = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (code === 'UNICODE-BE') { u[i * 2] = c >> 8; u[i * 2 + 1] = c & 255; } else { u[i * 2] = c & 255; u[i * 2 + 1] = c >> 8; }
  }
  return concat(latin1('UNICODE\0'), u);
}

// ---------- PNG ----------

export function chunk(type: string, data: Uint8Array): Uint8Array {
  const td = concat(latin1(type), data);
  return concat(be32(data.length), td, be32(crc32(td)));
}
export const tEXt = (key: string, text: string) => chunk('tEXt', concat(latin1(key), [0], latin1(text)));
export const zTXt = (key: string, text: string) => chunk('zTXt', concat(latin1(key), [0, 0], zlibSync(latin1(text))));
export function iTXt(key: string, text: string, compressed = false, lang = '', translated = ''): Uint8Array {
  const body = compressed ? zlibSync(enc(text)) : enc(text);
  return chunk('iTXt', concat(latin1(key), [0, compressed ? 1 : 0, 0], latin1(lang), [0], enc(translated), [0], body));
}
export async function plainPng(w = 16, h = 12, alpha = false): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" fill="#4a8" ${alpha ? 'fill-opacity="0.5"' : ''}/></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
/** Insert chunks after IHDR (before IDAT) and/or before IEND (after IDAT). */
export function pngWith(base: Uint8Array, before: Uint8Array[], after: Uint8Array[] = []): Uint8Array {
  const ihdrEnd = 8 + 8 + 13 + 4;
  const iend = base.length - 12;
  return concat(base.subarray(0, ihdrEnd), ...before, base.subarray(ihdrEnd, iend), ...after, base.subarray(iend));
}

// ---------- WebP ----------
export function webp(chunks: { type: string; data: Uint8Array }[]): Uint8Array {
  const body = concat(...chunks.map((c) => concat(latin1(c.type), le32(c.data.length), c.data, c.data.length % 2 ? [0] : [])));
  return concat(latin1('RIFF'), le32(body.length + 4), latin1('WEBP'), body);
}
export function vp8x(w: number, h: number, flags = 0x0c): Uint8Array {
  return concat([flags, 0, 0, 0], [(w - 1) & 255, ((w - 1) >> 8) & 255, (w - 1) >> 16], [(h - 1) & 255, ((h - 1) >> 8) & 255, (h - 1) >> 16]);
}

// ---------- ISOBMFF ----------
export const box = (type: string, ...payload: Uint8Array[]) => {
  const p = concat(...payload);
  return concat(be32(p.length + 8), latin1(type), p);
};
export const fullBox = (type: string, version: number, flags: number, ...payload: Uint8Array[]) => box(type, Uint8Array.from([version, (flags >> 16) & 255, (flags >> 8) & 255, flags & 255]), ...payload);
export function infe(id: number, type: string, name: string, mime?: string): Uint8Array {
  return fullBox('infe', 2, 0, Uint8Array.from([...be16(id), 0, 0]), latin1(type), latin1(name + '\0'), mime ? latin1(mime + '\0') : new Uint8Array());
}
/** HEIF file with an Exif item and an XMP item; iloc v1 with base_offset (4 bytes) and offsets relative to it. */
export function heif(opts: { exifTiff?: Uint8Array; xmp?: string; brand?: string; idatXmp?: boolean; c2pa?: Uint8Array }): Uint8Array {
  const exifPayload = opts.exifTiff ? concat(be32(6), latin1('Exif\0\0'), opts.exifTiff) : new Uint8Array();
  const xmpPayload = opts.xmp ? enc(opts.xmp) : new Uint8Array();
  const ftyp = box('ftyp', latin1(opts.brand ?? 'heic'), Uint8Array.from(be32(0)), latin1('mif1heic'));
  const items: Uint8Array[] = [];
  if (opts.exifTiff) items.push(infe(1, 'Exif', 'Exif'));
  if (opts.xmp) items.push(infe(2, 'mime', 'XMP', 'application/rdf+xml'));
  const iinf = fullBox('iinf', 0, 0, Uint8Array.from(be16(items.length)), ...items);
  const hdlr = fullBox('hdlr', 0, 0, Uint8Array.from(be32(0)), latin1('pict'), new Uint8Array(12), latin1('\0'));
  const ispe = fullBox('ispe', 0, 0, Uint8Array.from([...be32(640), ...be32(480)]));
  const iprp = box('iprp', box('ipco', ispe));
  const idat = opts.idatXmp && opts.xmp ? box('idat', xmpPayload) : new Uint8Array();
  // iloc needs the final mdat offset: compute sizes with a placeholder, then fill in.
  const mkIloc = (mdatDataAt: number) => {
    const entries: number[] = [];
    let n = 0;
    // offset_size 4, length_size 4, base_offset_size 4, index_size 0
    if (opts.exifTiff) {
      n++;
      entries.push(...be16(1), ...be16(0), ...be16(0), ...be32(mdatDataAt), ...be16(1), ...be32(0), ...be32(exifPayload.length));
    }
    if (opts.xmp) {
      n++;
      if (opts.idatXmp) entries.push(...be16(2), ...be16(1), ...be16(0), ...be32(0), ...be16(1), ...be32(0), ...be32(xmpPayload.length));
      else entries.push(...be16(2), ...be16(0), ...be16(0), ...be32(mdatDataAt + exifPayload.length), ...be16(1), ...be32(0), ...be32(xmpPayload.length));
    }
    return fullBox('iloc', 1, 0, Uint8Array.from([0x44, 0x40, ...be16(n), ...entries]));
  };
  const c2paBox = opts.c2pa
    ? box('uuid', Uint8Array.from([0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81]), Uint8Array.from([0, 0, 0, 0]), latin1('manifest\0'), Uint8Array.from(be32(0)), Uint8Array.from(be32(0)), opts.c2pa)
    : new Uint8Array();
  const metaFor = (at: number) => fullBox('meta', 0, 0, hdlr, iinf, mkIloc(at), iprp, idat);
  const prefix = ftyp.length + metaFor(0).length + c2paBox.length;
  const mdatPayload = concat(exifPayload, opts.idatXmp ? new Uint8Array() : xmpPayload, new Uint8Array(16));
  return concat(ftyp, metaFor(prefix + 8), c2paBox, box('mdat', mdatPayload));
}

// ---------- CBOR / JUMBF / DER ----------
export function cbor(v: unknown): Uint8Array {
  const head = (major: number, n: number): number[] => {
    if (n < 24) return [(major << 5) | n];
    if (n < 256) return [(major << 5) | 24, n];
    if (n < 65536) return [(major << 5) | 25, ...be16(n)];
    return [(major << 5) | 26, ...be32(n)];
  };
  if (v instanceof Uint8Array) return concat(head(2, v.length), v);
  if (typeof v === 'string') { const b = enc(v); return concat(head(3, b.length), b); }
  if (typeof v === 'number' && Number.isInteger(v)) return Uint8Array.from(v >= 0 ? head(0, v) : head(1, -1 - v));
  if (typeof v === 'boolean') return Uint8Array.from([v ? 0xf5 : 0xf4]);
  if (v === null) return Uint8Array.from([0xf6]);
  if (Array.isArray(v)) return concat(head(4, v.length), ...v.map(cbor));
  if (v instanceof Map) return concat(head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)]));
  if (typeof v === 'object') { const e = Object.entries(v as object); return concat(head(5, e.length), ...e.flatMap(([k, x]) => [cbor(k), cbor(x)])); }
  throw new Error('cbor: unsupported');
}
export const tagged = (tag: number, inner: Uint8Array) => concat([0xc0 | tag], inner);

const C2PA_UUIDS: Record<string, string> = {
  store: '6332706100110010800000aa00389b71',
  manifest: '63326d6100110010800000aa00389b71',
  assertions: '6332617300110010800000aa00389b71',
  claim: '6332636c00110010800000aa00389b71',
  signature: '6332637300110010800000aa00389b71',
  cbor: '63626f7200110010800000aa00389b71',
};
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((x) => parseInt(x, 16)));
export function jumb(kind: keyof typeof C2PA_UUIDS, label: string, ...content: Uint8Array[]): Uint8Array {
  const jumd = box('jumd', hex(C2PA_UUIDS[kind]), Uint8Array.from([0x03]), enc(label + '\0'));
  return box('jumb', jumd, ...content);
}
export const cborBox = (v: unknown) => box('cbor', cbor(v));

function der(tag: number, ...content: Uint8Array[]): Uint8Array {
  const c = concat(...content);
  const len = c.length < 128 ? [c.length] : c.length < 256 ? [0x81, c.length] : [0x82, ...be16(c.length)];
  return concat([tag], len, c);
}
function rdn(oidLast: number, value: string) {
  return der(0x31, der(0x30, der(0x06, Uint8Array.from([0x55, 0x04, oidLast])), der(0x0c, enc(value))));
}
/** A structurally valid X.509 certificate (no real key or signature) with the given names. */
export function fakeCert(subject: { O: string; CN: string }, issuer: { O: string; CN: string }): Uint8Array {
  const name = (n: { O: string; CN: string }) => der(0x30, rdn(10, n.O), rdn(3, n.CN));
  const alg = der(0x30, der(0x06, Uint8Array.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])));
  const validity = der(0x30, der(0x17, enc('240101000000Z')), der(0x17, enc('300101000000Z')));
  const spki = der(0x30, alg, der(0x03, Uint8Array.from([0, 4, 1, 2])));
  const tbs = der(0x30, der(0xa0, der(0x02, Uint8Array.from([2]))), der(0x02, Uint8Array.from([1, 2, 3])), alg, name(issuer), validity, name(subject), spki);
  return der(0x30, tbs, alg, der(0x03, Uint8Array.from([0, 1, 2, 3])));
}

export interface ManifestSpec {
  label?: string;
  generator?: string;
  generatorInfo?: { name: string; version?: string };
  actions?: { action: string; digitalSourceType?: string; softwareAgent?: string }[];
  signer?: { O: string; CN: string };
  ingredients?: { title: string; relationship: string; manifest?: string }[];
  claimV2?: boolean;
  actionsLabel?: string;
}
export function manifest(m: ManifestSpec): Uint8Array {
  const label = m.label ?? 'urn:uuid:11111111-2222-3333-4444-555555555555';
  const assertions: Uint8Array[] = [];
  if (m.actions) assertions.push(jumb('cbor', m.actionsLabel ?? 'c2pa.actions', cborBox({ actions: m.actions })));
  (m.ingredients ?? []).forEach((ing, i) =>
    assertions.push(jumb('cbor', i ? `c2pa.ingredient__${i}` : 'c2pa.ingredient', cborBox({ 'dc:title': ing.title, relationship: ing.relationship, ...(ing.manifest ? { c2pa_manifest: { url: `self#jumbf=c2pa/${ing.manifest}`, hash: new Uint8Array(4) } } : {}) }))),
  );
  assertions.push(jumb('cbor', 'c2pa.hash.data', cborBox({ exclusions: [], name: 'jumbf manifest', alg: 'sha256', hash: new Uint8Array(32) })));
  const claim = m.claimV2
    ? { claim_generator_info: m.generatorInfo ?? { name: m.generator ?? 'test' }, instanceID: 'xmp:iid:1', created_assertions: [], signature: 'self#jumbf=c2pa.signature', alg: 'sha256' }
    : { claim_generator: m.generator ?? 'test', 'dc:format': 'image/jpeg', instanceID: 'xmp:iid:1', assertions: [], signature: 'self#jumbf=c2pa.signature', alg: 'sha256' };
  const parts = [jumb('assertions', 'c2pa.assertions', ...assertions), jumb('claim', m.claimV2 ? 'c2pa.claim.v2' : 'c2pa.claim', cborBox(claim))];
  if (m.signer) {
    const cert = fakeCert(m.signer, { O: 'Test CA', CN: 'Test Root' });
    const cose = tagged(18, cbor([cbor(new Map<unknown, unknown>([[1, -7], [33, [cert]]])), new Map(), null, new Uint8Array(64)]));
    parts.push(jumb('signature', 'c2pa.signature', box('cbor', cose)));
  }
  return jumb('manifest', label, ...parts);
}
export const manifestStore = (...manifests: Uint8Array[]) => jumb('store', 'c2pa', ...manifests);

// ---------- XMP ----------
export function xmpPacket(descriptionAttrs: string, body = '', ns: Record<string, string> = {}): string {
  const nsAttrs = Object.entries(ns).map(([p, u]) => ` xmlns:${p}="${u}"`).join('');
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Test XMP Core 1.0">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""${nsAttrs}${descriptionAttrs ? ' ' + descriptionAttrs : ''}>${body}</rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}
export const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export { gzipSync, zlibSync };

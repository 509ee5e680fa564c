/**
 * Structure-aware fuzz cases (issue 17): instead of flipping bytes and hoping, these build the
 * structures the parsers walk — generated XMP trees (namespace scopes, nesting, attribute floods),
 * Extended XMP segment sets (GUIDs, claimed lengths, offsets), JUMBF box trees split over APP11
 * segments, ISOBMFF meta/iinf/iloc trees, PNG chunk sequences with valid CRCs — each with sizes,
 * counts and links chosen from the values that break parsers (0, 1, just past the end, huge,
 * self-referencing), and backups (ZIP + JSON records) whose records, directory sizes and entries
 * are edited the way a crafted file would.
 */
import { strFromU8, strToU8, unzipSync, zipSync, zlibSync } from 'fflate';
import { box, concat, jpegSegment, jumbfBox, latin1, pngChunk, u32be, utf8 } from '../fixtures/formats';

type R = () => number;
type Op = (b: Uint8Array, st: unknown, r: R, ctx: { format: string }) => Uint8Array | undefined;

const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
/** Sizes and counts that break parsers, scaled to `n` (the honest value). */
const lie = (r: R, n: number) => pick(r, [n, n, 0, 1, n - 1, n + 1, n * 2, 0xffff, 0x7fffffff, 0xffffffff, 8 * 1024 * 1024, 8 * 1024 * 1024 + 1]) >>> 0;

const NS_POOL = ['http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'http://ns.adobe.com/xap/1.0/', 'http://www.tc260.org.cn/ns/AIGC/1.0/', 'http://purl.org/dc/elements/1.1/', 'http://ns.adobe.com/xap/1.0/mm/', 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/', 'urn:x'];

/** A random XMP tree: namespace declarations at every level, reused and shadowed prefixes. */
export function randomXmp(r: R, small = false): string {
  // (`small`: when many packets are made at once, so the generator itself stays cheap)
  const shape = small ? int(r, 2, 4) : int(r, 0, 4);
  if (shape === 0) {
    // the namespace-scope bomb of the issue, at a random scale
    const levels = int(r, 1, 63), decl = int(r, 1, 1000), kids = int(r, 1, 1000);
    if (levels * decl > 63_000) return '';
    const parts: string[] = [];
    for (let l = 0; l < levels; l++) {
      let d = '';
      for (let k = 0; k < decl; k++) d += ` xmlns:p${k}="urn:l${l}:${k}"`;
      parts.push(`<e${l}${d}>`);
    }
    for (let c = 0; c < kids; c++) parts.push(`<p${c % decl}:c a="1"/>`);
    return parts.join('');
  }
  const out: string[] = ['<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'];
  let budget = int(r, 10, shape === 1 ? 200_000 : small ? 200 : 5_000);
  const depthMax = shape === 2 ? 200 : 12;
  const el = (depth: number) => {
    if (budget-- <= 0) return;
    const prefix = pick(r, ['rdf', 'xmp', 'TC260', 'dc', 'p0', 'p1', '']);
    const name = prefix ? `${prefix}:${pick(r, ['Description', 'li', 'Bag', 'Seq', 'Alt', 'AIGC', 'CreatorTool', 'History', 'x'])}` : 'x';
    let attrs = '';
    const na = int(r, 0, shape === 3 && !small ? 1000 : 4);
    for (let a = 0; a < na; a++) {
      if (r() < 0.3) attrs += ` xmlns:${pick(r, ['xmp', 'TC260', 'dc', 'p0', 'p1', 'rdf'])}="${pick(r, NS_POOL)}"`;
      else attrs += ` ${pick(r, ['xmp', 'TC260', 'rdf', 'p0'])}:${pick(r, ['CreatorTool', 'AIGC', 'about', 'resource', 'a'])}="${pick(r, ['x', '{"Label":"1"}', '&amp;&lt;&#x41;&#0;', '\uFFFD', ''])}"`;
    }
    if (depth >= depthMax || r() < 0.3) {
      out.push(`<${name}${attrs}/>`);
      return;
    }
    out.push(`<${name}${attrs}>`);
    if (r() < 0.3) out.push(pick(r, ['text', '&quot;Label&quot;', '<![CDATA[x<y]]>', '<!-- c -->']));
    const n = int(r, 0, shape === 4 ? 50 : 4);
    for (let k = 0; k < n; k++) el(depth + 1);
    if (r() < 0.9) out.push(`</${r() < 0.95 ? name : 'wrong'}>`);
  };
  el(0);
  out.push('</rdf:RDF></x:xmpmeta>');
  return out.join('');
}

const insertJpeg = (b: Uint8Array, segs: Uint8Array[]) => (b.length >= 2 && b[0] === 0xff && b[1] === 0xd8 ? concat(b.subarray(0, 2), ...segs, b.subarray(2)) : undefined);
const insertPng = (b: Uint8Array, chunks: Uint8Array[]) => (b.length > 33 ? concat(b.subarray(0, 33), ...chunks, b.subarray(33)) : undefined);

const xmpOp: Op = (b, _s, r, ctx) => {
  const xml = utf8(randomXmp(r));
  if (ctx.format === 'jpeg') {
    // a main packet is at most one segment; larger trees go to PNG or Extended XMP
    return insertJpeg(b, [jpegSegment(0xe1, concat(latin1('http://ns.adobe.com/xap/1.0/\0'), xml.subarray(0, 65000)))]);
  }
  if (ctx.format === 'png') return insertPng(b, [pngChunk('iTXt', concat(latin1('XML:com.adobe.xmp'), [0, r() < 0.5 ? 1 : 0, 0, 0, 0], r() < 0.5 ? zlibSync(xml) : xml))]);
  return undefined;
};

const EXT = 'http://ns.adobe.com/xmp/extension/\0';
const extendedXmpOp: Op = (b, _s, r, ctx) => {
  if (ctx.format !== 'jpeg') return undefined;
  const guids = Array.from({ length: int(r, 1, r() < 0.3 ? 500 : 4) }, (_, i) => (r() < 0.1 ? 'g'.repeat(32) : i.toString(16).toUpperCase().padStart(32, r() < 0.5 ? '0' : 'F')));
  const named = pick(r, guids);
  const segs: Uint8Array[] = [];
  if (r() < 0.7) segs.push(jpegSegment(0xe1, concat(latin1('http://ns.adobe.com/xap/1.0/\0'), utf8(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmpNote:HasExtendedXMP="${named}"/></rdf:RDF></x:xmpmeta>`))));
  let total = 0;
  const many = guids.length > 4;
  for (const g of guids) {
    const body = utf8(randomXmp(r, many)).subarray(0, int(r, 0, many ? 2000 : 60_000));
    const full = lie(r, body.length);
    const chunk = int(r, 1, 4);
    const step = Math.max(1, Math.ceil(body.length / chunk));
    for (let off = 0; off < Math.max(1, body.length) && total < 4000; off += step, total++) {
      const o = r() < 0.8 ? off : lie(r, off);
      segs.push(jpegSegment(0xe1, concat(latin1(EXT), latin1(g), u32be(full), u32be(o), body.subarray(off, off + step))));
    }
  }
  if (r() < 0.5) segs.reverse();
  return insertJpeg(b, segs);
};

/** A random JUMBF tree: labels, nesting, description boxes with lying lengths. */
function randomJumbf(r: R, depth = 0): Uint8Array {
  const n = depth > 6 ? 0 : int(r, 0, depth === 0 ? 4 : 3);
  const kids: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    if (r() < 0.5) kids.push(randomJumbf(r, depth + 1));
    else {
      const payload = r() < 0.5 ? utf8(JSON.stringify({ actions: [{ action: 'c2pa.created' }], claim_generator: 'x'.repeat(int(r, 0, 2000)) })) : Uint8Array.from({ length: int(r, 0, 3000) }, () => int(r, 0, 255));
      const t = pick(r, ['cbor', 'json', 'bidb', 'uuid', 'jumb', 'jumd']);
      const bx = concat(u32be(8 + payload.length), latin1(t), payload);
      if (r() < 0.2) bx.set(u32be(lie(r, bx.length)), 0);
      kids.push(bx);
    }
  }
  const label = pick(r, ['c2pa', 'urn:uuid:1', 'c2pa.claim', 'c2pa.claim.v2', 'c2pa.assertions', 'c2pa.signature', 'c2pa.actions', '', 'x'.repeat(300)]);
  const j = jumbfBox(label, kids);
  if (r() < 0.15) j.set(u32be(lie(r, j.length)), 0);
  return j;
}

const jumbfOp: Op = (b, _s, r, ctx) => {
  const store = randomJumbf(r);
  if (ctx.format === 'jpeg') {
    // split over APP11 segments, each repeating the superbox header; En/Z sequences shuffled or lying
    const head = store.subarray(0, 8), body = store.subarray(8);
    const size = int(r, 16, 65000);
    const segs: Uint8Array[] = [];
    let z = 1;
    for (let off = 0; off < body.length || off === 0; off += size) {
      const zz = r() < 0.9 ? z : lie(r, z);
      segs.push(jpegSegment(0xeb, concat(latin1('JP'), [0, r() < 0.9 ? 1 : int(r, 0, 255)], u32be(zz), head, body.subarray(off, off + size))));
      z++;
      if (segs.length > 3000) break;
    }
    if (r() < 0.3) segs.reverse();
    return insertJpeg(b, segs);
  }
  if (ctx.format === 'png') return insertPng(b, [pngChunk('caBX', store)]);
  if (ctx.format === 'heic' || ctx.format === 'avif') return concat(b, box('uuid', Uint8Array.from([0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81]), [0, 0, 0, 0], latin1('manifest\0'), u32be(0), u32be(0), store));
  return undefined;
};

/** An ISOBMFF meta box: iinf items, iloc extents (counts, offsets, lengths chosen to lie), idat. */
const isobmffOp: Op = (b, _s, r, ctx) => {
  if (ctx.format !== 'heic' && ctx.format !== 'avif') return undefined;
  const items = int(r, 0, r() < 0.2 ? 3000 : 6);
  const infes: Uint8Array[] = [];
  for (let i = 1; i <= Math.min(items, 3000); i++) {
    const type = pick(r, ['Exif', 'mime', 'hvc1', 'av01', 'uri ', 'grid']);
    infes.push(box('infe', [2, 0, 0, 0], [(i >> 8) & 255, i & 255, 0, 0], latin1(type), type === 'mime' ? latin1('application/rdf+xml\0') : []));
  }
  const iinf = box('iinf', [0, 0, 0, 0], [(lie(r, items) >> 8) & 255, lie(r, items) & 255], ...infes);
  const ilocItems: number[] = [];
  const nItems = Math.min(items, 3000);
  for (let i = 1; i <= nItems; i++) {
    const extents = r() < 0.1 ? 0xffff : int(r, 0, 3);
    ilocItems.push((i >> 8) & 255, i & 255, 0, 0, (extents >> 8) & 255, extents & 255);
    for (let e = 0; e < Math.min(extents, 4); e++) ilocItems.push(...u32be(lie(r, b.length)), ...u32be(lie(r, 64)));
  }
  const iloc = box('iloc', [0, 0, 0, 0], [0x44, 0x00], [(nItems >> 8) & 255, nItems & 255], ilocItems);
  const idat = box('idat', Uint8Array.from({ length: int(r, 0, 2000) }, () => int(r, 0, 255)));
  const kids = [box('hdlr', [0, 0, 0, 0], u32be(0), latin1('pict'), new Uint8Array(13)), box('pitm', [0, 0, 0, 0], [0, 1]), iinf, iloc, idat];
  if (r() < 0.3) kids.reverse();
  let meta = box('meta', [0, 0, 0, 0], ...kids);
  for (let d = int(r, 0, r() < 0.1 ? 500 : 2); d > 0; d--) meta = box(pick(r, ['meta', 'iprp', 'ipco', 'moov', 'trak']), r() < 0.5 ? [0, 0, 0, 0] : [], meta);
  if (r() < 0.2) meta.set(u32be(lie(r, meta.length)), 0);
  return concat(b.subarray(0, Math.min(b.length, 32)), meta, b.subarray(Math.min(b.length, 32)));
};

/** A sequence of PNG metadata chunks, CRCs valid, lengths honest or not, text inflating or not. */
const bombs = new Map<number, Uint8Array>();
/** n MiB of zeros, deflated (made once per size: the generator must stay cheap). */
const bomb = (n: number) => bombs.get(n) ?? (bombs.set(n, zlibSync(new Uint8Array(n * 1024 * 1024), { level: 9 })), bombs.get(n)!);

const pngChunksOp: Op = (b, _s, r, ctx) => {
  if (ctx.format !== 'png') return undefined;
  const chunks: Uint8Array[] = [];
  const n = int(r, 1, r() < 0.1 ? 5000 : 8);
  for (let k = n; k > 0; k--) {
    const many = n > 8;
    const type = pick(r, ['tEXt', 'zTXt', 'iTXt', 'eXIf', 'caBX', 'iCCP', 'tIME', 'pHYs']);
    const key = latin1(pick(r, ['parameters', 'prompt', 'workflow', 'Comment', 'XML:com.adobe.xmp', 'Raw profile type exif', 'AIGC', '']));
    const text = utf8(many ? pick(r, ['Steps: 20', '{"Label":"1"}', 'x']) : pick(r, ['Steps: 20, Sampler: Euler a', '{"Label":"1"}', randomXmp(r).slice(0, 5000), 'x'.repeat(int(r, 0, 100_000))]));
    let data: Uint8Array;
    if (type === 'tEXt') data = concat(key, [0], text);
    else if (type === 'zTXt' || type === 'iCCP') data = concat(key, [0, r() < 0.9 ? 0 : 1], !many && r() < 0.3 ? bomb(int(r, 1, 40)) : zlibSync(text));
    else if (type === 'iTXt') data = concat(key, [0, r() < 0.5 ? 1 : 0, 0], latin1(pick(r, ['', 'zh'])), [0, 0], r() < 0.5 ? zlibSync(text) : text);
    else data = Uint8Array.from({ length: int(r, 0, 200) }, () => int(r, 0, 255));
    const c = pngChunk(type, data);
    if (r() < 0.1) c.set(u32be(lie(r, data.length)), 0);
    chunks.push(c);
  }
  return insertPng(b, chunks);
};

export const STRUCTURED_OPS: Record<string, [number, Op]> = {
  xmpTree: [4, xmpOp],
  extendedXmp: [3, extendedXmpOp],
  jumbfTree: [3, jumbfOp],
  isobmffTree: [3, isobmffOp],
  pngChunks: [3, pngChunksOp],
};

// ------------------------------------------------------------------ backups

/** 12 MiB of spaces: stored as an entry it is a cheap zip bomb once deflated by zipSync below. */
const BIG_ENTRY = new Uint8Array(12 * 1024 * 1024).fill(32);

/** Edit a real backup the way a crafted file would: records, keys, nesting, entries, claimed sizes. */
export function mutateBackup(base: Uint8Array, r: R): { bytes: Uint8Array; ops: string[] } {
  const ops: string[] = [];
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(base);
  } catch {
    return { bytes: base, ops };
  }
  const names = Object.keys(entries);
  const batches = names.filter((n) => n.startsWith('records/'));
  /** Batches made deeply nested: left as text (parsing them here would overflow the generator). */
  const deep = new Set<string>();
  for (let k = int(r, 1, 3); k > 0; k--) {
    const op = pick(r, ['field', 'proto', 'deep', 'manifest', 'settings', 'entry', 'blob'] as const);
    ops.push(`backup-${op}`);
    if (op === 'field' || op === 'proto' || op === 'deep') {
      const name = pick(r, batches);
      if (!name || deep.has(name) || !entries[name]) continue;
      const recs = JSON.parse(strFromU8(entries[name])) as Record<string, unknown>[];
      const rec = pick(r, recs);
      if (!rec) continue;
      const keys = Object.keys(rec);
      const key = pick(r, keys.length ? keys : ['id']);
      if (op === 'field') {
        if (r() < 0.3) delete rec[key];
        else rec[key] = pick(r, [null, 0, -1, 1e308, '', 'x'.repeat(int(r, 1, 20_000)), [], {}, true, { $rl: 'bin', type: 'Uint32Array', ref: 'blobs/1.bin', bytes: 3, sha256: 'x' }, { $rl: pick(r, ['num', 'bigint', 'date', 'obj', 'hole', 'what']), v: pick(r, ['1e999', 'NaN', '-0', '99999999999999999999999', {}, null]) }]);
        entries[name] = strToU8(JSON.stringify(recs));
      } else if (op === 'proto') {
        const text = JSON.stringify(recs).replace(`"${key}":`, `"${pick(r, ['__proto__', 'constructor', 'prototype'])}":${JSON.stringify(rec)},"${key}":`);
        entries[name] = strToU8(text);
      } else {
        // written as text: building the value itself would overflow this generator's stack
        const n = int(r, 10, 50_000);
        rec[key] = '\u0000DEEP';
        entries[name] = strToU8(JSON.stringify(recs).replace('"\\u0000DEEP"', '['.repeat(n) + ']'.repeat(n)));
        deep.add(name);
      }
    } else if (op === 'manifest' || op === 'settings') {
      const m = JSON.parse(strFromU8(entries['manifest.json'])) as Record<string, unknown>;
      if (op === 'manifest') {
        const key = pick(r, ['version', 'batches', 'format', 'createdAt', 'counts']);
        m[key] = pick(r, [null, 99, 'x', [], {}, { references: ['records/references/99999.json', '../x'] }]);
      } else {
        m.settings = pick(r, [{ 'site:a.example': 'yes' }, { rules: [{ host: 'javascript:x' }] }, { rules: Array.from({ length: 600 }, () => ({ host: 'a.example' })) }, { ['site:' + 'a'.repeat(300)]: false }, ['x'], { big: 'x'.repeat(2_000_000) }]);
      }
      entries['manifest.json'] = strToU8(JSON.stringify(m));
    } else if (op === 'entry') {
      const what = int(r, 0, 3);
      if (what === 0) delete entries[pick(r, names)];
      else if (what === 1) entries[`blobs/${int(r, 1, 1e6)}.bin`] = new Uint8Array(int(r, 0, 100));
      else if (what === 2) {
        const name = pick(r, batches);
        entries[name] = BIG_ENTRY;
        deep.add(name);
      }
      else entries['../../evil'] = strToU8('x');
    } else {
      const blobs = names.filter((n) => n.startsWith('blobs/'));
      const name = pick(r, blobs);
      if (name) entries[name] = r() < 0.5 ? entries[name].subarray(0, int(r, 0, entries[name].length)) : concat(entries[name], [1]);
    }
  }
  let bytes: Uint8Array = zipSync(entries, { level: r() < 0.5 ? 0 : 6 });
  if (r() < 0.3) {
    // lie in the central directory: claimed uncompressed sizes, counts
    bytes = bytes.slice();
    const dv = new DataView(bytes.buffer);
    for (let o = 0; o + 46 < bytes.length; o++) {
      if (dv.getUint32(o, true) !== 0x02014b50 || r() < 0.5) continue;
      dv.setUint32(o + 24, lie(r, dv.getUint32(o + 24, true)), true);
    }
    ops.push('backup-sizes');
  }
  return { bytes, ops };
}

/** A real backup (one library, two photos, a check, settings), made through createBackup. */
export async function backupSample(): Promise<{ name: string; format: 'backup'; bytes: Uint8Array }> {
  const auto: string = 'fake-indexeddb/auto'; // (its types do not resolve through the package exports)
  await import(auto); // IndexedDB in this (parent) process only, for building the sample
  const { openLibraryDb, createLibrary, addReference, closeLibraryDb } = await import('../../utils/library/db');
  const { prepareReference } = await import('../../utils/library/prepare');
  const { createBackup } = await import('../../utils/library/backup');
  const { decodeInNode, encodeInNode } = await import('../../utils/image/decode-node');
  const { referenceJpeg, REFERENCE_SEEDS } = await import('../fixtures/formats');
  const db = await openLibraryDb(`fuzz-${process.pid}`);
  const lib = await createLibrary(db, 'fuzz');
  for (const seed of REFERENCE_SEEDS.slice(0, 2)) await addReference(db, await prepareReference(await referenceJpeg(seed), `r${seed}.jpg`, lib.id, { decode: decodeInNode, encode: encodeInNode }));
  const chunks: Uint8Array[] = [];
  await createBackup(db, { now: new Date('2026-01-01T00:00:00Z'), settings: { 'site:shop.example': false, rules: [{ host: 'erp.example.com' }] }, sink: (c) => void chunks.push(c) });
  db.close();
  await closeLibraryDb();
  return { name: 'backup.zip', format: 'backup', bytes: concat(...chunks) };
}

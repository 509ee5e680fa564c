/**
 * A small, tolerant XMP reader. XMP allows the same property as an attribute
 * (`<rdf:Description TC260:AIGC="…"/>`) or as an element (`<TC260:AIGC>…</TC260:AIGC>`), arrays as
 * rdf:Alt/Seq/Bag, and structures (xmpMM:History) as attributes or child elements; prefixes are
 * arbitrary, so properties are found by namespace URI. Entities are decoded. Bounded: at most
 * MAX_NODES elements are built, nesting at most MAX_DEPTH.
 */

export interface XmlNode {
  /** Qualified name as written, e.g. 'rdf:Description'. */
  name: string;
  /** Namespace URI resolved from the xmlns declarations in scope ('' when unknown). */
  ns: string;
  local: string;
  attrs: { name: string; ns: string; local: string; value: string }[];
  children: XmlNode[];
  text: string;
}

export interface XmpDoc {
  root: XmlNode;
  /** Raw packet, for the report. */
  raw: string;
  /** Where it came from, e.g. 'JPEG APP1 XMP', 'PNG iTXt XML:com.adobe.xmp'. */
  where: string;
  /** Set when a size, node, attribute or depth limit cut the tree short. */
  truncated?: boolean;
}

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  xmpMM: 'http://ns.adobe.com/xap/1.0/mm/',
  stEvt: 'http://ns.adobe.com/xap/1.0/sType/ResourceEvent#',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  iptcExt: 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/',
  iptcCore: 'http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/',
  tiff: 'http://ns.adobe.com/tiff/1.0/',
  exif: 'http://ns.adobe.com/exif/1.0/',
  exifEX: 'http://cipa.jp/exif/1.0/',
  tc260: 'http://www.tc260.org.cn/ns/AIGC/1.0/',
  c2pa: 'http://c2pa.org/manifest',
  plus: 'http://ns.useplus.org/ldf/xmp/1.0/',
};

export const MAX_NODES = 20000;
export const MAX_DEPTH = 64;
/** Attributes kept over the whole document (a packet of 1000-attribute elements stays small). */
export const MAX_ATTRS = 100000;
const MAX_XML = 4 * 1024 * 1024;

/**
 * Namespace declarations in scope, linked to the parent element's scope instead of copied: an
 * element without xmlns shares its parent's, so the cost is the declarations written, and a
 * lookup walks at most MAX_DEPTH links.
 */
interface Scope {
  own: Map<string, string> | undefined;
  parent: Scope | undefined;
}
function lookup(scope: Scope | undefined, prefix: string): string | undefined {
  for (let s = scope; s; s = s.parent) {
    const v = s.own?.get(prefix);
    if (v !== undefined) return v;
  }
  return undefined;
}

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e] ?? m;
  });
}

/**
 * Attributes of a start tag, in one linear pass (a regex here was quadratic on an unterminated
 * quoted value, found by the fuzzer). Stops at the first malformed attribute; at most 1000.
 */
function readAttributes(tag: string, from: number): [string, string][] {
  const out: [string, string][] = [];
  const n = tag.length;
  let i = from;
  const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t';
  while (i < n && out.length < 1000) {
    while (i < n && isSpace(tag[i])) i++;
    const start = i;
    while (i < n && tag[i] !== '=' && !isSpace(tag[i])) i++;
    const attr = tag.slice(start, i);
    while (i < n && isSpace(tag[i])) i++;
    if (!attr || tag[i] !== '=') break;
    i++;
    while (i < n && isSpace(tag[i])) i++;
    const q = tag[i];
    if (q !== '"' && q !== "'") break;
    const end = tag.indexOf(q, i + 1);
    if (end < 0) break;
    out.push([attr, decodeEntities(tag.slice(i + 1, end))]);
    i = end + 1;
  }
  return out;
}

/** Parse an XMP packet (or any XML) into a namespace-resolved tree. Never throws. */
export function parseXmp(xml: string, where = 'XMP'): XmpDoc | undefined {
  if (!xml || !xml.includes('<')) return undefined;
  const src = xml.length > MAX_XML ? xml.slice(0, MAX_XML) : xml;
  const root: XmlNode = { name: '#root', ns: '', local: '#root', attrs: [], children: [], text: '' };
  const rootScope: Scope = { own: new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), parent: undefined };
  const stack: { node: XmlNode; scope: Scope }[] = [{ node: root, scope: rootScope }];
  let count = 0;
  let attrCount = 0;
  let truncated = xml.length > MAX_XML;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const lt = src.indexOf('<', i);
    const top = stack[stack.length - 1];
    if (lt < 0) {
      top.node.text += decodeEntities(src.slice(i));
      break;
    }
    if (lt > i) top.node.text += decodeEntities(src.slice(i, lt));
    if (src.startsWith('<!--', lt)) {
      const e = src.indexOf('-->', lt + 4);
      i = e < 0 ? n : e + 3;
      continue;
    }
    if (src.startsWith('<![CDATA[', lt)) {
      const e = src.indexOf(']]>', lt + 9);
      top.node.text += src.slice(lt + 9, e < 0 ? n : e);
      i = e < 0 ? n : e + 3;
      continue;
    }
    if (src[lt + 1] === '?' || src[lt + 1] === '!') {
      const e = src.indexOf('>', lt + 1);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (src[lt + 1] === '/') {
      const e = src.indexOf('>', lt + 2);
      const name = src.slice(lt + 2, e < 0 ? n : e).trim();
      // Pop to the matching element (tolerates unclosed ones).
      for (let k = stack.length - 1; k > 0; k--) {
        if (stack[k].node.name === name) {
          stack.length = k;
          break;
        }
      }
      i = e < 0 ? n : e + 1;
      continue;
    }
    // Start tag: scan to the closing '>' outside quotes.
    let j = lt + 1;
    let quote = '';
    while (j < n) {
      const c = src[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
      j++;
    }
    const body = src.slice(lt + 1, j);
    i = j + 1;
    const selfClose = body.endsWith('/');
    const inner = selfClose ? body.slice(0, -1) : body;
    const m = /^([^\s/>]+)/.exec(inner);
    if (!m) continue;
    const name = m[1];
    if (++count > MAX_NODES) {
      truncated = true;
      break;
    }
    const rawAttrs = readAttributes(inner, name.length);
    let own: Map<string, string> | undefined;
    for (const [an, av] of rawAttrs) {
      if (an === 'xmlns') (own ??= new Map()).set('', av);
      else if (an.startsWith('xmlns:')) (own ??= new Map()).set(an.slice(6), av);
    }
    const scope: Scope = own ? { own, parent: top.scope } : top.scope;
    const split = (q: string, isAttr: boolean) => {
      const c = q.indexOf(':');
      const prefix = c < 0 ? '' : q.slice(0, c);
      const local = c < 0 ? q : q.slice(c + 1);
      const ns = c < 0 && isAttr ? '' : lookup(scope, prefix) ?? '';
      return { ns, local };
    };
    const kept = rawAttrs.filter(([an]) => an !== 'xmlns' && !an.startsWith('xmlns:'));
    if (attrCount + kept.length > MAX_ATTRS) {
      truncated = true;
      kept.length = Math.max(0, MAX_ATTRS - attrCount);
    }
    attrCount += kept.length;
    const el = split(name, false);
    const node: XmlNode = {
      name,
      ns: el.ns,
      local: el.local,
      attrs: kept.map(([an, av]) => ({ name: an, ...split(an, true), value: av })),
      children: [],
      text: '',
    };
    top.node.children.push(node);
    if (!selfClose) {
      if (stack.length < MAX_DEPTH) stack.push({ node, scope });
      else truncated = true;
    }
  }
  return { root, raw: xml, where, ...(truncated ? { truncated } : {}) };
}

const flat = new WeakMap<XmlNode, XmlNode[]>();

/**
 * Every node in document order (at most MAX_NODES + 1). Flattened once per tree and cached: the
 * signal modules walk each packet dozens of times, and a recursive generator paid one resume per
 * level for every node (64 levels × 20 000 nodes per walk).
 */
export function walk(node: XmlNode, depth = 0): readonly XmlNode[] {
  const cached = depth === 0 ? flat.get(node) : undefined;
  if (cached) return cached;
  const out: XmlNode[] = [];
  const stack: [XmlNode, number][] = [[node, depth]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    out.push(n);
    if (d > MAX_DEPTH) continue;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i], d + 1]);
  }
  if (depth === 0) flat.set(node, out);
  return out;
}

/** Text values of an element: its rdf:li items if it holds an array, else its own text. */
function elementValues(el: XmlNode): string[] {
  const arr = el.children.find((c) => c.ns === NS.rdf && (c.local === 'Alt' || c.local === 'Seq' || c.local === 'Bag'));
  if (arr) return arr.children.filter((c) => c.ns === NS.rdf && c.local === 'li').map((c) => c.text.trim()).filter(Boolean);
  const res = el.attrs.find((a) => a.ns === NS.rdf && a.local === 'resource');
  if (res) return [res.value];
  const t = el.text.trim();
  return t ? [t] : [];
}

/** Every value of property ns:local in the document, attribute and element forms. */
export function xmpValues(doc: XmpDoc, ns: string, local: string): string[] {
  const out: string[] = [];
  for (const node of walk(doc.root)) {
    for (const a of node.attrs) if (a.ns === ns && a.local === local && a.value.trim()) out.push(a.value.trim());
    if (node.ns === ns && node.local === local) out.push(...elementValues(node));
  }
  return out;
}

/** First value of ns:local over several packets. */
export function xmpFirst(docs: XmpDoc[], ns: string, local: string): { value: string; doc: XmpDoc } | undefined {
  for (const doc of docs) {
    const v = xmpValues(doc, ns, local)[0];
    if (v) return { value: v, doc };
  }
  return undefined;
}

/**
 * Structures in an array property (e.g. xmpMM:History → stEvt:action/softwareAgent/when), each as
 * {localName: value}, whether the fields are attributes of rdf:li or child elements
 * (also inside rdf:li/rdf:Description or rdf:parseType="Resource").
 */
export function xmpStructs(doc: XmpDoc, ns: string, local: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const node of walk(doc.root)) {
    if (node.ns !== ns || node.local !== local) continue;
    for (const arr of node.children) {
      for (const li of arr.children) {
        if (!(li.ns === NS.rdf && li.local === 'li')) continue;
        const rec: Record<string, string> = {};
        const take = (n: XmlNode) => {
          for (const a of n.attrs) if (a.ns !== NS.rdf) rec[a.local] = a.value;
          for (const c of n.children) {
            if (c.ns === NS.rdf && c.local === 'Description') take(c);
            else if (c.text.trim()) rec[c.local] = c.text.trim();
          }
        };
        take(li);
        if (Object.keys(rec).length) out.push(rec);
        if (out.length > 500) return out;
      }
    }
  }
  return out;
}

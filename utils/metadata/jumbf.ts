/**
 * JUMBF (ISO/IEC 19566-5) box tree and the C2PA manifest store inside it.
 * The cheap presence scan: the container walkers call it for every JUMBF block, and only a file
 * where it finds a store is handed to the official reader (./c2pa-validate.ts), which validates
 * signatures and hard bindings and decodes the claims itself. What this parser reads (claim
 * generator, signer from the first x5chain certificate, actions with their digitalSourceType,
 * ingredients) is used only when the official reader cannot run or cannot read the store
 * (pre-release format, time limit, no worker): such claims are shown as "not validated".
 */
import { decodeCbor } from './cbor';
import { decodeUtf8, fourcc, indexOfNul, u32be, u64be } from './bytes';

export interface JumbNode {
  label: string;
  /** Content type UUID (hex) from the description box. */
  type: string;
  boxes: { type: string; data: Uint8Array }[];
  children: JumbNode[];
}

export interface C2paAction {
  action: string;
  digitalSourceType?: string;
  softwareAgent?: string;
  when?: string;
  description?: string;
}

export interface C2paManifest {
  label: string;
  claimGenerator?: string;
  title?: string;
  signer?: string;
  issuer?: string;
  signedAt?: string;
  actions: C2paAction[];
  /** Every IPTC digital source type named in the manifest's actions or IPTC/schema assertions. */
  sourceTypes: string[];
  ingredients: { title?: string; relationship?: string; manifest?: string }[];
  assertionLabels: string[];
}

export interface C2paStore {
  manifests: C2paManifest[];
  /** The last manifest of the store is the active one (C2PA spec, manifest store). */
  active?: C2paManifest;
  error?: string;
}

const MAX_NODES = 4000;

/** Parse a run of boxes; jumb superboxes become nodes. */
export function parseJumbf(b: Uint8Array): JumbNode[] {
  let count = 0;
  const boxes = (buf: Uint8Array, depth: number): { type: string; data: Uint8Array }[] => {
    const out: { type: string; data: Uint8Array }[] = [];
    let o = 0;
    while (o + 8 <= buf.length && out.length < 10000) {
      let size = u32be(buf, o);
      const type = fourcc(buf, o + 4);
      let head = 8;
      if (size === 1) {
        if (o + 16 > buf.length) break;
        size = u64be(buf, o + 8);
        head = 16;
      } else if (size === 0) size = buf.length - o;
      if (size < head) break;
      const end = Math.min(buf.length, o + size);
      out.push({ type, data: buf.subarray(o + head, end) });
      if (o + size > buf.length) break; // truncated: keep what is there
      o += size;
    }
    return out;
  };
  const node = (data: Uint8Array, depth: number): JumbNode | undefined => {
    if (depth > 16 || ++count > MAX_NODES) return undefined;
    const inner = boxes(data, depth);
    const desc = inner[0]?.type === 'jumd' ? inner[0].data : undefined;
    let label = '';
    let type = '';
    if (desc && desc.length >= 17) {
      type = Array.from(desc.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join('');
      const toggles = desc[16];
      if (toggles & 0x02) {
        const end = indexOfNul(desc, 17, 1024);
        label = decodeUtf8(desc.subarray(17, end < 0 ? Math.min(desc.length, 17 + 1024) : end));
      }
    }
    const n: JumbNode = { label, type, boxes: [], children: [] };
    for (const bx of inner.slice(desc ? 1 : 0)) {
      if (bx.type === 'jumb') {
        const c = node(bx.data, depth + 1);
        if (c) n.children.push(c);
      } else n.boxes.push(bx);
    }
    return n;
  };
  const out: JumbNode[] = [];
  for (const bx of boxes(b, 0)) {
    if (bx.type !== 'jumb') continue;
    const n = node(bx.data, 0);
    if (n) out.push(n);
  }
  return out;
}

/** Strip a C2PA multiple-instance suffix: 'c2pa.actions__1' → 'c2pa.actions'. */
function baseLabel(label: string): string {
  return label.replace(/__\d+$/, '');
}

function contentOf(n: JumbNode): unknown {
  for (const bx of n.boxes) {
    try {
      if (bx.type === 'cbor') return decodeCbor(bx.data);
      if (bx.type === 'json') return JSON.parse(decodeUtf8(bx.data));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export function agentName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const name = str(o.name);
    const ver = str(o.version);
    return name ? (ver ? `${name} ${ver}` : name) : undefined;
  }
  return undefined;
}

/** IPTC digital source type code from a URL or bare code. */
export function sourceTypeCode(v: string): string {
  const m = /digitalsourcetype\/([A-Za-z]+)/i.exec(v);
  return m ? m[1] : v.trim();
}

/** Every IPTC digital source type named anywhere in a (decoded, bounded) assertion. */
export function collectSourceTypes(v: unknown, out: Set<string>, depth = 0): void {
  if (depth > 12 || out.size > 50) return;
  if (typeof v === 'string') {
    if (/digitalsourcetype\//i.test(v)) out.add(sourceTypeCode(v));
    return;
  }
  if (Array.isArray(v)) for (const x of v.slice(0, 500)) collectSourceTypes(x, out, depth + 1);
  else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) {
      if (/digitalSourceType$/i.test(k) && typeof x === 'string') out.add(sourceTypeCode(x));
      else collectSourceTypes(x, out, depth + 1);
    }
  }
}

function readManifest(m: JumbNode): C2paManifest {
  const man: C2paManifest = { label: m.label, actions: [], sourceTypes: [], ingredients: [], assertionLabels: [] };
  const types = new Set<string>();
  for (const part of m.children) {
    const label = baseLabel(part.label);
    if (label === 'c2pa.assertions') {
      for (const a of part.children) {
        const al = baseLabel(a.label);
        man.assertionLabels.push(a.label);
        if (al === 'c2pa.actions' || al === 'c2pa.actions.v2') {
          const c = contentOf(a) as { actions?: unknown } | undefined;
          const list = Array.isArray(c?.actions) ? c!.actions : [];
          for (const x of list.slice(0, 200)) {
            if (!x || typeof x !== 'object') continue;
            const r = x as Record<string, unknown>;
            const params = (r.parameters ?? {}) as Record<string, unknown>;
            const dst = str(r.digitalSourceType) ?? str(params.digitalSourceType);
            man.actions.push({
              action: str(r.action) ?? '?',
              digitalSourceType: dst ? sourceTypeCode(dst) : undefined,
              softwareAgent: agentName(r.softwareAgent),
              when: str(r.when),
              description: str(r.description) ?? str(params.description),
            });
          }
          collectSourceTypes(c, types);
        } else if (al.startsWith('c2pa.ingredient')) {
          const c = contentOf(a) as Record<string, unknown> | undefined;
          if (c) {
            const ref = (c.c2pa_manifest ?? c.activeManifest) as Record<string, unknown> | undefined;
            const url = ref && typeof ref === 'object' ? str(ref.url) : undefined;
            man.ingredients.push({
              title: str(c['dc:title']) ?? str(c.title),
              relationship: str(c.relationship),
              manifest: url?.replace(/^self#jumbf=(\/c2pa\/)?/, '').split('/')[0],
            });
          }
        } else if (al === 'stds.iptc' || al === 'stds.iptc.photo-metadata' || al === 'stds.schema-org.CreativeWork') {
          collectSourceTypes(contentOf(a), types);
        }
      }
    } else if (label === 'c2pa.claim' || label === 'c2pa.claim.v2') {
      const c = contentOf(part) as Record<string, unknown> | undefined;
      if (c) {
        const info = c.claim_generator_info;
        const infoName = Array.isArray(info) ? agentName(info[0]) : agentName(info);
        man.claimGenerator = str(c.claim_generator) ?? infoName;
        man.title = str(c['dc:title']);
      }
    } else if (label === 'c2pa.signature') {
      Object.assign(man, readSigner(part));
    }
  }
  man.sourceTypes = [...types];
  return man;
}

/** Read the manifest store (root label 'c2pa') from JUMBF bytes. Never throws. */
export function readC2paStore(jumbf: Uint8Array): C2paStore {
  try {
    const roots = parseJumbf(jumbf);
    const store = roots.find((r) => r.label === 'c2pa') ?? roots[0];
    if (!store) return { manifests: [], error: 'no_jumbf' };
    const manifests = store.children.map(readManifest);
    return { manifests, active: manifests[manifests.length - 1] };
  } catch (e) {
    return { manifests: [], error: String((e as Error)?.message ?? e).slice(0, 100) };
  }
}

/** COSE_Sign1 → x5chain (header label 33) → first certificate → subject O/CN and issuer O/CN. */
function readSigner(sig: JumbNode): { signer?: string; issuer?: string; signedAt?: string } {
  const cose = contentOf(sig);
  if (!Array.isArray(cose) || cose.length < 2) return {};
  const headers: Record<string, unknown>[] = [];
  if (cose[0] instanceof Uint8Array && cose[0].length) {
    try {
      const p = decodeCbor(cose[0]);
      if (p && typeof p === 'object') headers.push(p as Record<string, unknown>);
    } catch {
      /* ignore */
    }
  }
  if (cose[1] && typeof cose[1] === 'object') headers.push(cose[1] as Record<string, unknown>);
  for (const h of headers) {
    const chain = h['33'] ?? h.x5chain;
    const leaf = Array.isArray(chain) ? chain[0] : chain;
    if (leaf instanceof Uint8Array) {
      const names = certNames(leaf);
      if (names) return names;
    }
  }
  return {};
}

/** Minimal DER walk of an X.509 certificate for subject and issuer names. */
export function certNames(der: Uint8Array): { signer?: string; issuer?: string } | undefined {
  type Tlv = { tag: number; start: number; end: number };
  const tlv = (o: number, limit: number): Tlv | undefined => {
    if (o + 2 > limit) return undefined;
    const tag = der[o];
    let len = der[o + 1];
    let p = o + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || p + n > limit) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[p + i];
      p += n;
    }
    if (p + len > limit) return undefined;
    return { tag, start: p, end: p + len };
  };
  const kids = (t: Tlv): Tlv[] => {
    const out: Tlv[] = [];
    let o = t.start;
    while (o < t.end && out.length < 64) {
      const c = tlv(o, t.end);
      if (!c) break;
      out.push(c);
      o = c.end;
    }
    return out;
  };
  const cert = tlv(0, der.length);
  if (!cert || cert.tag !== 0x30) return undefined;
  const tbs = kids(cert)[0];
  if (!tbs || tbs.tag !== 0x30) return undefined;
  const f = kids(tbs);
  const i0 = f[0]?.tag === 0xa0 ? 1 : 0; // optional [0] version
  const issuer = f[i0 + 2];
  const subject = f[i0 + 4];
  const name = (t: Tlv | undefined): string | undefined => {
    if (!t || t.tag !== 0x30) return undefined;
    const parts: Record<string, string> = {};
    for (const set of kids(t)) {
      for (const atv of kids(set)) {
        const [oid, val] = kids(atv);
        if (!oid || !val || oid.tag !== 0x06) continue;
        const o = Array.from(der.subarray(oid.start, oid.end)).join('.');
        const key = o === '85.4.3' ? 'CN' : o === '85.4.10' ? 'O' : o === '85.4.11' ? 'OU' : '';
        if (key && !parts[key]) parts[key] = decodeUtf8(der.subarray(val.start, val.end));
      }
    }
    const s = [parts.O, parts.CN].filter(Boolean).filter((x, i, a) => a.indexOf(x) === i).join(' / ');
    return s || undefined;
  };
  return { signer: name(subject), issuer: name(issuer) };
}

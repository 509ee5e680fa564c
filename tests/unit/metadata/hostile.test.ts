/**
 * Issue 17, finding 1: metadata that made the parser's work grow much faster than the file.
 * Each test builds the hostile file in code and bounds the work by counting operations (bytes
 * decoded, namespace entries written), never by the clock.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as bytes from '../../../utils/metadata/bytes';
import { buildContext } from '../../../utils/metadata/read';
import { MAX_DEPTH, MAX_NODES, NS, parseXmp, walk, xmpValues } from '../../../utils/metadata/xmp';
import { app1ExtendedXmp, app1Xmp, be32, concat, enc, jpegWith, latin1, segment, xmpPacket } from './builders';

vi.mock('../../../utils/metadata/bytes', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../../utils/metadata/bytes')>();
  return { ...orig, decodeUtf8: vi.fn(orig.decodeUtf8) };
});

const EXT_SIG = 'http://ns.adobe.com/xmp/extension/\0';
const guidOf = (i: number) => i.toString(16).toUpperCase().padStart(32, '0');

afterEach(() => {
  vi.restoreAllMocks();
  vi.mocked(bytes.decodeUtf8).mockClear();
});

function decodedChars(): number {
  return vi.mocked(bytes.decodeUtf8).mock.calls.reduce((s, [b]) => s + b.length, 0);
}

describe('extended XMP', () => {
  it('500 segments with distinct GUIDs each claiming 8 MiB: at most two packets, work linear in the file', async () => {
    const segs: Uint8Array[] = [];
    for (let i = 0; i < 500; i++) {
      const body = enc(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${NS.rdf}"/></x:xmpmeta>`);
      segs.push(segment(0xe1, concat(latin1(EXT_SIG), latin1(guidOf(i)), be32(8 * 1024 * 1024), be32(0), body)));
    }
    const f = await jpegWith(segs);
    expect(f.length).toBeLessThan(100_000);
    vi.mocked(bytes.decodeUtf8).mockClear();
    const ctx = buildContext(f, 'jpeg');
    expect(ctx.warnings).toContain('xmp_extended_ignored');
    expect(vi.mocked(bytes.decodeUtf8).mock.calls.length).toBeLessThanOrEqual(2);
    // Bytes decoded as text: no more than the file holds (the old code decoded 500 × 8 MiB).
    expect(decodedChars()).toBeLessThanOrEqual(f.length);
  });

  it('prefers the GUID the main packet names over earlier decoys, and still reassembles it', async () => {
    const ext = xmpPacket('', `<dc:description><rdf:Alt><rdf:li>${'y'.repeat(2000)} REAL</rdf:li></rdf:Alt></dc:description>`, { dc: NS.dc });
    const real = 'F'.repeat(32);
    const decoys: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) decoys.push(...app1ExtendedXmp(xmpPacket('', `<dc:description><rdf:Alt><rdf:li>decoy${i}</rdf:li></rdf:Alt></dc:description>`, { dc: NS.dc }), guidOf(i), 500));
    const main = app1Xmp(xmpPacket(`xmpNote:HasExtendedXMP="${real}"`, '', { xmpNote: 'http://ns.adobe.com/xmp/note/' }));
    const ctx = buildContext(await jpegWith([main, ...decoys, ...app1ExtendedXmp(ext, real, 700).reverse()]), 'jpeg');
    const vals = ctx.xmp.flatMap((d) => xmpValues(d, NS.dc, 'description'));
    expect(vals[0]).toMatch(/y{2000} REAL$/);
    expect(ctx.xmp.length).toBeLessThanOrEqual(3);
  });

  it('a packet whose chunks do not cover its claimed length is joined, not allocated at full size', async () => {
    const ext = xmpPacket('', `<dc:description><rdf:Alt><rdf:li>partial</rdf:li></rdf:Alt></dc:description>`, { dc: NS.dc });
    const data = enc(ext);
    const seg = segment(0xe1, concat(latin1(EXT_SIG), latin1(guidOf(7)), be32(8 * 1024 * 1024), be32(0), data));
    vi.mocked(bytes.decodeUtf8).mockClear();
    const ctx = buildContext(await jpegWith([seg]), 'jpeg');
    expect(decodedChars()).toBe(data.length);
    expect(ctx.xmp.flatMap((d) => xmpValues(d, NS.dc, 'description'))).toEqual(['partial']);
  });
});

describe('XMP namespaces, depth and node limits', () => {
  it('63 nested levels of 1000 xmlns with 1000 children: namespace work proportional to the declarations', () => {
    const parts: string[] = [];
    for (let lvl = 0; lvl < 63; lvl++) {
      let decl = '';
      for (let k = 0; k < 1000; k++) decl += ` xmlns:p${k}="urn:l${lvl}:${k}"`;
      parts.push(`<e${lvl}${decl}>`);
    }
    for (let c = 0; c < 1000; c++) parts.push('<p5:c/>');
    for (let lvl = 62; lvl >= 0; lvl--) parts.push(`</e${lvl}>`);
    const xml = parts.join('');
    const set = vi.spyOn(Map.prototype, 'set');
    const doc = parseXmp(xml)!;
    const writes = set.mock.calls.length;
    set.mockRestore();
    // 63 000 declarations written once each (the old code copied the whole scope per element: 63 M).
    expect(writes).toBeLessThanOrEqual(63 * 1000 + 100);
    let inner = doc.root;
    while (inner.children.length === 1) inner = inner.children[0];
    expect(inner.children).toHaveLength(1000);
    // The innermost declaration wins.
    expect(inner.children[0].ns).toBe('urn:l62:5');
  });

  it('cuts depth and node counts at their limits and says so', () => {
    const deep = '<a>'.repeat(5000) + '</a>'.repeat(5000);
    const d = parseXmp(deep)!;
    let depth = 0;
    for (let n = d.root; n.children.length; n = n.children[0]) depth++;
    expect(depth).toBeLessThanOrEqual(MAX_DEPTH);
    expect(d.truncated).toBe(true);
    const wide = '<r>' + '<c x="1"/>'.repeat(MAX_NODES * 2) + '</r>';
    const w = parseXmp(wide)!;
    expect([...walk(w.root)].length).toBeLessThanOrEqual(MAX_NODES + 1);
    expect(w.truncated).toBe(true);
    expect(parseXmp('<r><c/></r>')!.truncated).toBeUndefined();
  });
});

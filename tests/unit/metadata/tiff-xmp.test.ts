import { describe, expect, it } from 'vitest';
import { readTiff } from '../../../utils/metadata/tiff';
import { NS, parseXmp, xmpStructs, xmpValues } from '../../../utils/metadata/xmp';
import { ascii, short, tiff, undef, userComment, xmpPacket } from './builders';

describe('TIFF/EXIF reader', () => {
  for (const littleEndian of [false, true]) {
    it(`reads IFD0, Exif IFD, GPS and the IFD1 thumbnail (${littleEndian ? 'II' : 'MM'})`, () => {
      const thumb = Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 1, 2, 3, 0xff, 0xd9]);
      const t = tiff({
        littleEndian,
        ifd0: { 0x010f: ascii('Canon'), 0x0110: ascii('Canon EOS 1300D'), 0x0112: short(6), 0x0131: ascii('Firmware 1.0.2') },
        exif: { 0x9003: ascii('2019:10:26 16:07:24'), 0x9286: undef(userComment('hello', 'ASCII')) },
        gps: { 1: ascii('N'), 2: { type: 'rational', value: [[48, 1], [8, 1], [0, 1]] } },
        thumbnail: thumb,
      });
      const { tags, warnings } = readTiff(t);
      expect(warnings).toEqual([]);
      expect(tags).toMatchObject({ Make: 'Canon', Model: 'Canon EOS 1300D', Orientation: 6, Software: 'Firmware 1.0.2', DateTimeOriginal: '2019:10:26 16:07:24', UserComment: 'hello', GPS: true });
      expect(Array.from(tags.thumbnail!)).toEqual(Array.from(thumb));
    });
  }
  it('decodes UNICODE UserComment in either byte order (piexif writes UTF-16BE even in II files)', () => {
    const text = 'a photo of a duck\nSteps: 15, Sampler: UniPC';
    for (const code of ['UNICODE-BE', 'UNICODE-LE'] as const) {
      for (const littleEndian of [false, true]) {
        const { tags } = readTiff(tiff({ littleEndian, ifd0: {}, exif: { 0x9286: undef(userComment(text, code)) } }));
        expect(tags.UserComment).toBe(text);
      }
    }
  });
  it('survives hostile counts, offsets and IFD loops', () => {
    const t = tiff({ ifd0: { 0x010f: ascii('Make that is long enough') } });
    const bad = t.slice();
    bad[8] = 0xff; bad[9] = 0xff; // entry count 65535
    expect(readTiff(bad).warnings).toContain('exif_malformed');
    const off = t.slice();
    off[8 + 2 + 8] = 0x7f; // value offset far past the end
    expect(readTiff(off).tags.Make).toBeUndefined();
    // IFD0's next-IFD pointer pointing at itself.
    const loop = tiff({ ifd0: { 0x010f: ascii('X') } });
    const next = 8 + 2 + 12;
    loop.set([0, 0, 0, 8], next);
    expect(readTiff(loop).tags.Make).toBe('X');
    expect(readTiff(new Uint8Array([0x4d, 0x4d, 0, 0x2a, 0, 0])).tags).toEqual({});
    expect(readTiff(new Uint8Array(3)).warnings).toContain('exif_malformed');
  });
});

describe('XMP reader', () => {
  const ns = { TC260: NS.tc260, xmp: NS.xmp, xmpMM: NS.xmpMM, stEvt: NS.stEvt, dc: NS.dc };
  it('finds a property in attribute and element form, by namespace URI not prefix', () => {
    const attr = parseXmp(xmpPacket('xmp:CreatorTool="Adobe Photoshop 25.0 (Windows)"', '', ns))!;
    expect(xmpValues(attr, NS.xmp, 'CreatorTool')).toEqual(['Adobe Photoshop 25.0 (Windows)']);
    const el = parseXmp(xmpPacket('', '<xap:CreatorTool>GIMP 2.10</xap:CreatorTool>', { xap: NS.xmp }))!;
    expect(xmpValues(el, NS.xmp, 'CreatorTool')).toEqual(['GIMP 2.10']);
    // Same prefix bound to another namespace: not a match.
    const other = parseXmp(xmpPacket('xmp:CreatorTool="x"', '', { xmp: 'urn:other' }))!;
    expect(xmpValues(other, NS.xmp, 'CreatorTool')).toEqual([]);
  });
  it('decodes entities, CDATA, rdf:Alt arrays', () => {
    const doc = parseXmp(xmpPacket('', '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">A &amp; B &#x4E2D;&#25991;</rdf:li></rdf:Alt></dc:description><dc:title><![CDATA[<raw>]]></dc:title>', ns))!;
    expect(xmpValues(doc, NS.dc, 'description')).toEqual(['A & B 中文']);
    expect(xmpValues(doc, NS.dc, 'title')).toEqual(['<raw>']);
  });
  it('reads xmpMM:History structures written as attributes or as elements', () => {
    const body = `<xmpMM:History><rdf:Seq>
      <rdf:li stEvt:action="created" stEvt:softwareAgent="Adobe Photoshop 24.0"/>
      <rdf:li rdf:parseType="Resource"><stEvt:action>saved</stEvt:action><stEvt:softwareAgent>Adobe Photoshop 24.1 (Macintosh)</stEvt:softwareAgent></rdf:li>
    </rdf:Seq></xmpMM:History>`;
    const doc = parseXmp(xmpPacket('', body, ns))!;
    expect(xmpStructs(doc, NS.xmpMM, 'History')).toEqual([
      { action: 'created', softwareAgent: 'Adobe Photoshop 24.0' },
      { action: 'saved', softwareAgent: 'Adobe Photoshop 24.1 (Macintosh)' },
    ]);
  });
  it('tolerates broken XML and bounds its work', () => {
    expect(parseXmp('<a><b attr="unterminated></a>')).toBeDefined();
    expect(parseXmp('not xml')).toBeUndefined();
    // Bounded by structure, not by the clock: nesting stops at MAX_DEPTH and the cut is flagged.
    const deep = parseXmp('<a>'.repeat(100000))!;
    let depth = 0;
    for (let n = deep.root; n.children.length; n = n.children[0]) depth++;
    expect(depth).toBeLessThanOrEqual(64);
    expect(deep.truncated).toBe(true);
  });
});

/**
 * Editing traces: the editing program named in EXIF Software, XMP CreatorTool, xmpMM:History
 * softwareAgent, IPTC OriginatingProgram or a PNG Software text; Camera Raw settings; a
 * modification time well after capture.
 */
import type { Signal } from '../../types';
import type { MetaContext } from '../context';
import { NS, walk, xmpStructs } from '../xmp';
import { signal, type SignalModule } from './util';

/** Editors and beauty apps with the weight a mention carries (≥ 0.5 makes the verdict 'edited'). */
export const EDITORS: [RegExp, string, number][] = [
  [/Photoshop/i, 'Adobe Photoshop', 0.6],
  [/Lightroom|Camera Raw/i, 'Adobe Lightroom / Camera Raw', 0.5],
  [/Adobe Express/i, 'Adobe Express', 0.6],
  [/\bGIMP\b/i, 'GIMP', 0.6],
  [/美图|Meitu|MTXX/i, 'Meitu (美图秀秀)', 0.6],
  [/醒图|Hypic/i, 'Hypic (醒图)', 0.6],
  [/美颜相机|BeautyCam|BeautyPlus/i, 'BeautyCam (美颜相机)', 0.4],
  [/Picsart/i, 'Picsart', 0.6],
  [/Snapseed/i, 'Snapseed', 0.5],
  [/Canva/i, 'Canva', 0.6],
  [/Affinity Photo/i, 'Affinity Photo', 0.6],
  [/Pixelmator/i, 'Pixelmator', 0.6],
  [/Photopea/i, 'Photopea', 0.6],
  [/paint\.net/i, 'Paint.NET', 0.6],
  [/Fotor/i, 'Fotor', 0.6],
  [/Pixlr/i, 'Pixlr', 0.6],
  [/Facetune/i, 'Facetune', 0.6],
  [/PhotoDirector/i, 'PhotoDirector', 0.6],
  [/PaintShop|Corel/i, 'Corel PaintShop', 0.6],
  [/Luminar/i, 'Luminar', 0.5],
  [/Polarr/i, 'Polarr', 0.5],
  [/PhotoScape/i, 'PhotoScape', 0.5],
  [/PhotoRoom/i, 'PhotoRoom', 0.6],
  [/Remini/i, 'Remini', 0.5],
  [/黄油相机/, 'Butter Camera (黄油相机)', 0.5],
  [/稿定|Gaoding/i, 'Gaoding (稿定设计)', 0.6],
  [/创客贴/, 'Chuangkit (创客贴)', 0.6],
  [/图怪兽/, 'Tuguaishou (图怪兽)', 0.6],
  [/轻颜|Faceu/i, 'Faceu (轻颜)', 0.4],
  [/\bVSCO\b/i, 'VSCO', 0.4],
  [/\bB612\b/i, 'B612', 0.4],
  [/ACDSee/i, 'ACDSee', 0.4],
  [/Capture One/i, 'Capture One', 0.3],
  [/darktable|RawTherapee/i, 'RAW developer', 0.3],
];

/** Programs that only re-encode (converters, web optimisers): weak. */
const RESAVERS: [RegExp, string][] = [
  [/ImageMagick|GraphicsMagick/i, 'ImageMagick'],
  [/libvips|\bvips\b/i, 'libvips'],
  [/Picasa/i, 'Picasa'],
  [/Microsoft Windows Photo|Windows Photo Editor|Photos Legacy/i, 'Windows Photos'],
  [/\bGD\b|gd-jpeg/i, 'GD'],
  [/Squoosh|TinyPNG|XnView|IrfanView|FastStone/i, 'converter'],
];

export const editor: SignalModule = {
  id: 'editor',
  run(ctx: MetaContext): Signal[] {
    const out: Signal[] = [];
    const fields: { field: string; value: string }[] = [];
    const w = ctx.exifWhere ?? 'EXIF';
    if (ctx.exif.Software) fields.push({ field: `${w} Software`, value: ctx.exif.Software });
    if (ctx.exif.HostComputer) fields.push({ field: `${w} HostComputer`, value: ctx.exif.HostComputer });
    const history: string[] = [];
    for (const doc of ctx.xmp) {
      for (const node of walk(doc.root)) {
        for (const a of node.attrs) if (a.ns === NS.xmp && a.local === 'CreatorTool') fields.push({ field: `${doc.where} xmp:CreatorTool`, value: a.value });
        if (node.ns === NS.xmp && node.local === 'CreatorTool' && node.text.trim()) fields.push({ field: `${doc.where} xmp:CreatorTool`, value: node.text.trim() });
      }
      for (const h of xmpStructs(doc, NS.xmpMM, 'History')) {
        if (h.softwareAgent) fields.push({ field: `${doc.where} xmpMM:History`, value: `${h.action ?? '?'} ${h.when ?? ''} ${h.softwareAgent}`.replace(/\s+/g, ' ') });
        if (h.action) history.push(h.action);
      }
    }
    for (const v of ctx.iptc.OriginatingProgram ?? []) fields.push({ field: 'IPTC OriginatingProgram', value: v });
    for (const t of ctx.texts) if (/^software$/i.test(t.key) && t.value.length < 300) fields.push({ field: `${t.where} ${t.key}`, value: t.value });

    const seen = new Set<string>();
    for (const f of fields) {
      for (const [re, name, weight] of EDITORS) {
        if (!re.test(f.value) || seen.has(name)) continue;
        seen.add(name);
        out.push(signal('editor', 'edit', weight, 'sig_editor', { name, field: f.field.replace(/^.* /, '') }, [f]));
      }
    }
    if (!seen.size) {
      for (const f of fields) {
        const hit = RESAVERS.find(([re]) => re.test(f.value));
        if (hit && !seen.has(hit[1])) {
          seen.add(hit[1]);
          out.push(signal('editor', 'edit', 0.2, 'sig_resaved_by', { name: f.value }, [f]));
        }
      }
    }
    // Adobe Camera Raw / Lightroom develop settings in XMP.
    const crs = ctx.xmp.find((d) => /ns\.adobe\.com\/camera-raw-settings\//.test(d.raw));
    if (crs && !seen.has('Adobe Lightroom / Camera Raw')) {
      out.push(signal('editor', 'edit', 0.3, 'sig_raw_developed', {}, [{ field: `${crs.where} crs:*`, value: 'http://ns.adobe.com/camera-raw-settings/1.0/' }]));
    }
    if (history.length && !seen.size) {
      out.push(signal('editor', 'edit', 0.3, 'sig_edit_history', { actions: [...new Set(history)].join(', ') }, [{ field: 'XMP xmpMM:History', value: history.join(', ') }]));
    }
    // EXIF DateTime (last modified) well after DateTimeOriginal.
    const mod = parseExifTime(ctx.exif.DateTime);
    const orig = parseExifTime(ctx.exif.DateTimeOriginal);
    if (mod !== undefined && orig !== undefined && mod - orig > 10 * 60_000) {
      out.push(
        signal('editor', 'edit', 0.2, 'sig_modified_after_capture', { modified: ctx.exif.DateTime!, captured: ctx.exif.DateTimeOriginal! }, [
          { field: `${w} DateTime`, value: ctx.exif.DateTime! },
          { field: `${w} DateTimeOriginal`, value: ctx.exif.DateTimeOriginal! },
        ]),
      );
    }
    return out;
  },
};

/** "YYYY:MM:DD HH:MM:SS" (or ISO) → ms, read as UTC (the file has no zone); undefined if invalid. */
export function parseExifTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => parseInt(x ?? '0', 10));
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, se || 0);
}

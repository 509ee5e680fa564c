import { describe, expect, it } from 'vitest';
import { readMetadata } from '../../../utils/metadata/read';
import { GEN, generatorNames } from '../../../utils/metadata/signals/generator';
import { app1Exif, ascii, iTXt, jpegWith, plainPng, pngWith, tEXt, tiff, undef, userComment, vp8x, webp, zTXt } from './builders';

const A1111 = 'photo of a red kettle on a table\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x512, Model hash: abcdef1234, Model: sd_xl_base_1.0, Version: v1.7.0';
const gens = async (f: Uint8Array, fmt: 'png' | 'jpeg' | 'webp') => {
  const r = await readMetadata(f, fmt);
  return { names: generatorNames(r.signals), sig: r.signals.find((s) => s.source === 'generator') };
};

describe('generator fingerprints', () => {
  it('SD WebUI: PNG tEXt "parameters", zTXt after IDAT, JPEG UserComment UNICODE (piexif)', async () => {
    const base = await plainPng();
    const a = await gens(pngWith(base, [tEXt('parameters', A1111)]), 'png');
    expect(a.names).toEqual([GEN.a1111]);
    expect(a.sig).toMatchObject({ kind: 'ai', weight: 0.95, params: { detail: 'sd_xl_base_1.0' } });
    expect(a.sig!.raw![0].field).toBe('PNG tEXt parameters');
    expect((await gens(pngWith(base, [], [zTXt('parameters', A1111)]), 'png')).names).toEqual([GEN.a1111]);
    const jpg = await jpegWith([app1Exif(tiff({ ifd0: {}, exif: { 0x9286: undef(userComment(A1111, 'UNICODE-BE')) } }))]);
    expect((await gens(jpg, 'jpeg')).names).toEqual([GEN.a1111]);
    const wp = webp([{ type: 'VP8X', data: vp8x(8, 8) }, { type: 'EXIF', data: tiff({ ifd0: {}, exif: { 0x9286: undef(userComment(A1111, 'UNICODE-LE')) }, littleEndian: true }) }]);
    expect((await gens(wp, 'webp')).names).toEqual([GEN.a1111]);
  });
  it('ComfyUI prompt/workflow JSON, and the EXIF Make/Model form of its WebP saver', async () => {
    const prompt = JSON.stringify({ '3': { inputs: { seed: 1, steps: 20, model: ['4', 0] }, class_type: 'KSampler' }, '4': { inputs: { ckpt_name: 'v1-5-pruned-emaonly.ckpt' }, class_type: 'CheckpointLoaderSimple' } });
    const workflow = JSON.stringify({ last_node_id: 9, nodes: [{ id: 3, type: 'KSampler' }], links: [] });
    const r = await gens(pngWith(await plainPng(), [tEXt('prompt', prompt), tEXt('workflow', workflow)]), 'png');
    expect(r.names).toEqual([GEN.comfy]);
    expect(r.sig!.params!.detail).toBe('v1-5-pruned-emaonly.ckpt');
    const wp = webp([{ type: 'VP8X', data: vp8x(8, 8) }, { type: 'EXIF', data: tiff({ ifd0: { 0x010f: ascii('workflow:' + workflow), 0x0110: ascii('prompt:' + prompt) }, littleEndian: true }) }]);
    const w = await readMetadata(wp, 'webp');
    expect(generatorNames(w.signals)).toEqual([GEN.comfy]);
    expect(w.summary.make).toBeUndefined();
  });
  it('InvokeAI, Fooocus, NovelAI, Midjourney', async () => {
    const base = await plainPng();
    expect((await gens(pngWith(base, [tEXt('invokeai_metadata', '{"positive_prompt":"x","model":{"name":"sdxl"}}')]), 'png')).names).toEqual([GEN.invoke]);
    expect((await gens(pngWith(base, [tEXt('Dream', '"a cat" -s 50 -S 42 -W 512 -H 512 -C 7.5 -A k_lms')]), 'png')).names).toEqual([GEN.invoke]);
    const fooocus = pngWith(base, [tEXt('parameters', '{"prompt": "x", "base_model": "juggernautXL", "adm_guidance": "(1.5, 0.8, 0.3)"}'), tEXt('fooocus_scheme', 'fooocus')]);
    expect((await gens(fooocus, 'png')).names).toEqual([GEN.fooocus]);
    const novel = pngWith(base, [tEXt('Title', 'AI generated image'), tEXt('Description', 'a cat'), tEXt('Software', 'NovelAI'), tEXt('Source', 'Stable Diffusion XL C1E1DE52'), tEXt('Comment', '{"prompt": "a cat", "steps": 28, "sampler": "k_euler", "uc": "lowres", "n_samples": 1}')]);
    expect((await gens(novel, 'png')).names).toEqual([GEN.novelai]);
    const mj = pngWith(base, [iTXt('Description', 'a cat on the moon --ar 3:2 --v 6.1 Job ID: 0b8a7e2c-1f3d-4c5e-9a8b-7c6d5e4f3a2b'), tEXt('Author', 'u1234567890')]);
    expect((await gens(mj, 'png')).names).toEqual([GEN.midjourney]);
  });
  it('Ideogram Make, Jimeng/Doubao aigc_info JSON, and no false hit on camera or editor software', async () => {
    expect((await gens(await jpegWith([app1Exif(tiff({ ifd0: { 0x010f: ascii('Ideogram AI') } }))]), 'jpeg')).names).toEqual([GEN.ideogram]);
    const jm = JSON.stringify({ aigc_info: { source_info: 'dreamina' }, trace_info: { originItemId: '7627101234' } });
    expect((await gens(await jpegWith([app1Exif(tiff({ ifd0: { 0x010e: ascii(jm) } }))]), 'jpeg')).names).toEqual([GEN.jimeng]);
    for (const sw of ['HDR+ 1.0.245', 'Adobe Photoshop 25.0', 'Ver.1.00', 'iOS 17.2', 'Meitu 9.0']) {
      expect((await gens(await jpegWith([app1Exif(tiff({ ifd0: { 0x010f: ascii('Google'), 0x0131: ascii(sw) } }))]), 'jpeg')).names, sw).toEqual([]);
    }
  });
});

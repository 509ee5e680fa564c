/**
 * Fingerprints that image generators leave in text metadata: Stable Diffusion WebUI (A1111/Forge)
 * `parameters`, ComfyUI `prompt`/`workflow`, InvokeAI `invokeai_metadata`/`sd-metadata`/`Dream`,
 * NovelAI `Software`/`Comment`, Fooocus `parameters` JSON or `fooocus_scheme`, Midjourney
 * `Description` with a Job ID, Ideogram `Make`, Jimeng/Dreamina/Doubao `aigc_info` JSON, and tool
 * names in Software/CreatorTool.
 */
import type { Signal } from '../../types';
import type { MetaContext, TextEntry } from '../context';
import { descriptiveFields, signal, tryJson, type Field, type SignalModule } from './util';

export const GEN = {
  a1111: 'Stable Diffusion WebUI (AUTOMATIC1111)',
  comfy: 'ComfyUI',
  invoke: 'InvokeAI',
  novelai: 'NovelAI',
  fooocus: 'Fooocus',
  midjourney: 'Midjourney',
  ideogram: 'Ideogram',
  jimeng: 'Jimeng/Dreamina (即梦)',
  doubao: 'Doubao (豆包)',
} as const;

/** Tool names that, written as Software/CreatorTool/Make, mean the image was generated. */
const AI_TOOLS: [RegExp, string][] = [
  [/NovelAI/i, GEN.novelai],
  [/Midjourney/i, GEN.midjourney],
  [/Ideogram/i, GEN.ideogram],
  [/\bDALL[·\-. ]?E\b|OpenAI|ChatGPT/i, 'OpenAI (DALL·E / ChatGPT)'],
  [/Adobe Firefly/i, 'Adobe Firefly'],
  [/Stable Diffusion|stability\.ai|DreamStudio|stable-diffusion-webui|AUTOMATIC1111/i, 'Stable Diffusion'],
  [/ComfyUI/i, GEN.comfy],
  [/InvokeAI/i, GEN.invoke],
  [/Fooocus/i, GEN.fooocus],
  [/Draw Things/i, 'Draw Things'],
  [/DiffusionBee/i, 'DiffusionBee'],
  [/Leonardo\.?\s?Ai/i, 'Leonardo.Ai'],
  [/\bGrok\b|xAI Aurora/i, 'Grok (xAI)'],
  [/即梦|Jimeng|Dreamina/i, GEN.jimeng],
  [/豆包|Doubao/i, GEN.doubao],
  [/可灵|Kling\s?AI/i, 'Kling (可灵)'],
  [/通义万相|Tongyi Wanxiang|Wanx/i, 'Tongyi Wanxiang (通义万相)'],
  [/文心一格|ERNIE-ViLG/i, 'Wenxin Yige (文心一格)'],
  [/混元|Hunyuan/i, 'Hunyuan (混元)'],
  [/Bing Image Creator|Microsoft Designer|Image Creator from Microsoft/i, 'Microsoft Image Creator'],
  [/Google Imagen|\bImagen \d/i, 'Google Imagen'],
  [/Tensor\.Art/i, 'Tensor.Art'],
  [/SeaArt/i, 'SeaArt'],
  [/LiblibAI|哩布哩布/i, 'LiblibAI'],
  [/Krea AI/i, 'Krea AI'],
  [/Playground ?AI/i, 'Playground AI'],
];

interface Hit {
  name: string;
  detail?: string;
  field: string;
  value: string;
}

const a1111Re = /(^|\n)Steps: \d+, (Sampler|Schedule type|CFG scale|Seed)/;

function detectText(t: TextEntry, all: TextEntry[]): Hit | undefined {
  const key = t.key.trim();
  const lk = key.toLowerCase();
  const field = `${t.where} ${key}`;
  const v = t.value;
  if (lk === 'parameters') {
    const j = tryJson(v) as Record<string, unknown> | undefined;
    if (j && !Array.isArray(j)) {
      const fooocus = all.some((x) => x.key === 'fooocus_scheme') || 'adm_guidance' in j || 'full_prompt' in j || /fooocus/i.test(String(j.version ?? j.Version ?? ''));
      if (fooocus) return { name: GEN.fooocus, detail: str(j.base_model) ?? str(j.prompt), field, value: v };
    }
    if (/Version: Fooocus/i.test(v)) return { name: GEN.fooocus, detail: modelOf(v), field, value: v };
    if (a1111Re.test(v) || /\nNegative prompt:/.test(v)) return { name: GEN.a1111, detail: modelOf(v), field, value: v };
    // A bare prompt under 'parameters' is still the WebUI's key.
    return { name: GEN.a1111, field, value: v };
  }
  if (lk === 'prompt' || lk === 'workflow') {
    const j = tryJson(v) as Record<string, unknown> | undefined;
    if (j && (lk === 'workflow' ? 'nodes' in j || 'links' in j : Object.values(j).some((n) => n && typeof n === 'object' && 'class_type' in (n as object)))) {
      return { name: GEN.comfy, detail: comfyModel(j), field, value: v };
    }
  }
  if (lk === 'invokeai_metadata' || lk === 'invokeai_graph' || lk === 'sd-metadata' || lk === 'dream') {
    const j = tryJson(v) as Record<string, unknown> | undefined;
    return { name: GEN.invoke, detail: j ? str(j.model_weights) ?? str((j.model as Record<string, unknown>)?.name) ?? str(j.model) : undefined, field, value: v };
  }
  if (lk === 'fooocus_scheme') return { name: GEN.fooocus, field, value: v };
  if (lk === 'software' && /NovelAI/i.test(v)) return { name: GEN.novelai, field, value: v };
  if (lk === 'comment') {
    const j = tryJson(v) as Record<string, unknown> | undefined;
    if (j && ('uc' in j || 'n_samples' in j) && ('steps' in j || 'sampler' in j)) {
      const src = all.find((x) => x.key === 'Source')?.value;
      return { name: all.some((x) => /NovelAI/i.test(x.value) && x.key === 'Software') || /NovelAI|Stable Diffusion/i.test(src ?? '') ? GEN.novelai : GEN.novelai, detail: src, field, value: v };
    }
  }
  if ((lk === 'description' || lk === 'comment') && /Job ID:\s*[0-9a-f-]{8,}/i.test(v)) return { name: GEN.midjourney, field, value: v };
  return undefined;
}

function detectField(f: Field): Hit | undefined {
  const v = f.value;
  if (/Job ID:\s*[0-9a-f]{8}-[0-9a-f]{4}/i.test(v)) return { name: GEN.midjourney, field: f.field, value: v };
  if (/aigc_info/.test(v)) {
    const src = /"source_info"\s*:\s*"([^"]+)"/.exec(v)?.[1] ?? '';
    const name = /doubao/i.test(src) ? GEN.doubao : /dreamina|jimeng/i.test(src) ? GEN.jimeng : src ? `${src}` : 'AIGC JSON';
    return { name, detail: src, field: f.field, value: v };
  }
  if (/\bSoftware$|UserComment$|ImageDescription$/.test(f.field) && (a1111Re.test(v) || /^.*\nNegative prompt: /.test(v))) {
    return { name: /Version: Fooocus/i.test(v) ? GEN.fooocus : GEN.a1111, detail: modelOf(v), field: f.field, value: v };
  }
  // ComfyUI's WebP/animated saver: EXIF Make "workflow:{…}", Model "prompt:{…}".
  if (/(Make|Model)$/.test(f.field) && /^(workflow|prompt):\s*\{/.test(v)) return { name: GEN.comfy, field: f.field, value: v };
  if (/(Software|CreatorTool|Make|softwareAgent|Artist|HostComputer)$/.test(f.field)) {
    for (const [re, name] of AI_TOOLS) if (re.test(v)) return { name, field: f.field, value: v };
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
function modelOf(params: string): string | undefined {
  return /(?:^|, )Model: ([^,\n]+)/.exec(params)?.[1]?.trim();
}
function comfyModel(j: Record<string, unknown>): string | undefined {
  for (const n of Object.values(j)) {
    const inputs = (n as { inputs?: Record<string, unknown> })?.inputs;
    const ck = inputs && (inputs.ckpt_name ?? inputs.unet_name);
    if (typeof ck === 'string') return ck;
  }
  return undefined;
}

export const generator: SignalModule = {
  id: 'generator',
  run(ctx: MetaContext): Signal[] {
    const hits: Hit[] = [];
    for (const t of ctx.texts) {
      const h = detectText(t, ctx.texts);
      if (h) hits.push(h);
    }
    for (const f of descriptiveFields(ctx)) {
      if (ctx.texts.some((t) => `${t.where} ${t.key}` === f.field)) continue;
      const h = detectField(f);
      if (h) hits.push(h);
    }
    // Same-scene duplicates: one signal per generator, the most specific first.
    const byName = new Map<string, Hit[]>();
    for (const h of hits) byName.set(h.name, [...(byName.get(h.name) ?? []), h]);
    // A WebUI 'parameters' also written by Fooocus: keep Fooocus.
    if (byName.has(GEN.fooocus)) byName.delete(GEN.a1111);
    const out: Signal[] = [];
    for (const [name, list] of byName) {
      out.push(
        signal('generator', 'ai', 0.95, 'sig_generator', { name, detail: list.find((h) => h.detail)?.detail }, list.slice(0, 3).map((h) => ({ field: h.field, value: h.value }))),
      );
    }
    return out;
  },
};

/** The generator names found, most evidence first (for the eval and the card). */
export function generatorNames(signals: Signal[]): string[] {
  return signals.filter((s) => s.source === 'generator' && typeof s.params?.name === 'string').map((s) => String(s.params!.name));
}

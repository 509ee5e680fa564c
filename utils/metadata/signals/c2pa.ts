/**
 * C2PA Content Credentials: presence in any container, claim generator, signer, actions and
 * IPTC digitalSourceType. Not cryptographically validated — every reason says so.
 */
import type { Signal } from '../../types';
import type { MetaContext } from '../context';
import type { C2paManifest } from '../jumbf';
import { NS, xmpFirst } from '../xmp';
import { signal, type SignalModule } from './util';

/** IPTC digital source types that mean generative AI, with the weight we give them. */
export const AI_SOURCE_TYPES: Record<string, number> = {
  trainedAlgorithmicMedia: 1,
  compositeWithTrainedAlgorithmicMedia: 0.9,
  compositeSynthetic: 0.8,
  algorithmicMedia: 0.6,
};

/** Actions that change what the picture shows (not just open/save/publish/re-encode). */
const EDIT_ACTIONS = /^c2pa\.(edited|filtered|color_adjustments|cropped|drawing|placed|removed|resized|orientation|converted|unknown|edited\.metadata)$/;

function aiType(types: string[]): { type: string; weight: number } | undefined {
  let best: { type: string; weight: number } | undefined;
  for (const t of types) {
    const w = AI_SOURCE_TYPES[t];
    if (w !== undefined && (!best || w > best.weight)) best = { type: t, weight: w };
  }
  return best;
}

function summarise(m: C2paManifest): string {
  return m.actions
    .slice(0, 8)
    .map((a) => a.action.replace(/^c2pa\./, '') + (a.digitalSourceType ? `(${a.digitalSourceType})` : ''))
    .join(', ');
}

export const c2pa: SignalModule = {
  id: 'c2pa',
  run(ctx: MetaContext): Signal[] {
    const out: Signal[] = [];
    for (const block of ctx.c2pa) {
      const { store } = block;
      const active = store.active;
      const raw = [{ field: block.where, value: `JUMBF ${block.bytes} bytes, ${store.manifests.length} manifest(s)` }];
      if (active) {
        raw.push({ field: `C2PA ${active.label}`, value: JSON.stringify({ claim_generator: active.claimGenerator, signer: active.signer, actions: summarise(active) }) });
      }
      out.push(
        signal('c2pa', 'c2pa', 0.3, 'sig_c2pa_present', {
          where: block.where,
          generator: active?.claimGenerator,
          signer: active?.signer,
          actions: active ? summarise(active) : undefined,
          manifests: store.manifests.length,
        }, raw),
      );
      if (!active) continue;
      const mine = aiType(active.sourceTypes);
      const others = aiType(store.manifests.filter((m) => m !== active).flatMap((m) => m.sourceTypes));
      if (mine && mine.weight >= 0.8) {
        out.push(
          signal('c2pa', 'c2pa', mine.weight, mine.type === 'trainedAlgorithmicMedia' ? 'sig_c2pa_ai_generated' : 'sig_c2pa_ai_edited', {
            type: mine.type,
            generator: active.claimGenerator,
            signer: active.signer,
          }, [{ field: `C2PA ${active.label} digitalSourceType`, value: mine.type }, ...raw.slice(1)]),
        );
      } else if (others && others.weight >= 0.8) {
        const ing = store.manifests.find((m) => m !== active && aiType(m.sourceTypes)?.type === others.type);
        out.push(
          signal('c2pa', 'c2pa', 0.8, 'sig_c2pa_ai_ingredient', {
            type: others.type,
            ingredient: ing?.title ?? ing?.label,
            ingredientGenerator: ing?.claimGenerator,
          }, [{ field: `C2PA ingredient ${ing?.label ?? ''} digitalSourceType`, value: others.type }]),
        );
      } else if (mine) {
        out.push(signal('c2pa', 'ai', mine.weight, 'sig_c2pa_algorithmic', { type: mine.type }, [{ field: `C2PA ${active.label} digitalSourceType`, value: mine.type }]));
      }
      if (!mine || mine.weight < 0.8) {
        const edits = active.actions.filter((a) => EDIT_ACTIONS.test(a.action));
        if (edits.length) {
          const software = edits.map((a) => a.softwareAgent).find(Boolean) ?? active.claimGenerator;
          out.push(
            signal('c2pa', 'edit', 0.6, 'sig_c2pa_edited', {
              actions: [...new Set(edits.map((a) => a.action.replace(/^c2pa\./, '')))].join(', '),
              software,
            }, [{ field: `C2PA ${active.label} c2pa.actions`, value: summarise(active) }]),
          );
        }
        if (active.sourceTypes.includes('digitalCapture') && !edits.length) {
          out.push(signal('c2pa', 'camera', 0, 'sig_c2pa_capture', { generator: active.claimGenerator }, [{ field: `C2PA ${active.label} digitalSourceType`, value: 'digitalCapture' }]));
        }
      }
    }
    if (ctx.c2pa.length === 0) {
      // XMP dcterms:provenance names a manifest that is not embedded (remote, or stripped on re-save).
      const prov = xmpFirst(ctx.xmp, NS.dcterms, 'provenance');
      if (prov) {
        out.push(signal('c2pa', 'info', 0.1, 'sig_c2pa_reference_only', { ref: prov.value }, [{ field: `${prov.doc.where} dcterms:provenance`, value: prov.value }]));
      }
    }
    return out;
  },
};

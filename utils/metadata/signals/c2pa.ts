/**
 * C2PA Content Credentials: what the official reader says about the file (validated, changed
 * after signing, broken, unreadable, unsupported) and what the active manifest claims (generator,
 * signer, actions, IPTC digitalSourceType, AI ingredients).
 *
 * The validation comes in `ctx.c2paValidation` (../c2pa-validate.ts, filled by read.ts when a
 * validator is available). The claims come from the official reader's decoding when it read the
 * store, else from the hand-written presence parser (../jumbf.ts). Claims of a manifest that did
 * not validate are worded as claims ("not validated") and never weigh as an AI label or for
 * authenticity: only a validated manifest's digitalSourceType makes a file `ai-labelled`.
 */
import type { Signal } from '../../types';
import type { MetaContext } from '../context';
import type { C2paManifest, C2paStore } from '../jumbf';
import type { C2paValidation } from '../c2pa-validate';
import { NS, xmpFirst } from '../xmp';
import { signal, type SignalModule } from './util';

/** IPTC digital source types that mean generative AI, with the weight we give them. */
export const AI_SOURCE_TYPES: Record<string, number> = {
  trainedAlgorithmicMedia: 1,
  compositeWithTrainedAlgorithmicMedia: 0.9,
  compositeSynthetic: 0.8,
  algorithmicMedia: 0.6,
};

/** Weight cap of what an invalid manifest claims: below the AI-label threshold (verdict.ts, 0.8). */
const CLAIM_ONLY_WEIGHT = 0.7;

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

/** "Adobe C2PA (Adobe Inc.)": certificate subject and issuer of the reader's signature info. */
function signerOf(m: C2paManifest | undefined): string | undefined {
  if (!m?.signer) return m?.issuer;
  return m.issuer && m.issuer !== m.signer ? `${m.signer} (${m.issuer})` : m.signer;
}

/** "2025-07-29 20:27 UTC" from the signature's time stamp, else the time of the last action. */
function timeOf(m: C2paManifest | undefined): string | undefined {
  const t = m?.signedAt ?? [...(m?.actions ?? [])].reverse().find((a) => a.when)?.when;
  if (!t) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t.slice(0, 40) : d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** The raw line of the report's details fold and the JSON export: c2pa-rs state and codes. */
function validationRaw(v: C2paValidation): { field: string; value: string } {
  return { field: 'C2PA validation (c2pa-rs)', value: `${v.state ?? v.error ?? v.outcome}: ${v.codes.join(', ') || '—'}${v.ms !== undefined ? ` (${v.ms} ms)` : ''}` };
}

/** The head signal of a validated store: what the official reader concluded. */
function verdictSignal(v: C2paValidation, m: C2paManifest | undefined, where: string, raw: { field: string; value: string }[]): Signal | undefined {
  const who = { signer: signerOf(m), generator: m?.claimGenerator, time: timeOf(m), where };
  const r = [validationRaw(v), ...raw];
  switch (v.outcome) {
    case 'valid':
      return signal('c2pa', 'c2pa', 0.3, v.trusted ? 'sig_c2pa_valid_trusted' : 'sig_c2pa_valid', who, r);
    case 'changed':
      // the strongest evidence a file can carry: it was signed, then its pixels were changed
      return signal('c2pa', 'edit', 0.95, 'sig_c2pa_changed', who, r);
    case 'broken':
      return signal('c2pa', 'edit', 0.6, 'sig_c2pa_broken', who, r);
    case 'unreadable':
      return signal('c2pa', 'c2pa', 0.4, 'sig_c2pa_unreadable', who, r);
    case 'unsupported':
      return signal('c2pa', 'c2pa', 0.3, 'sig_c2pa_unsupported', who, r);
    case 'remote':
      return signal('c2pa', 'c2pa', 0.3, 'sig_c2pa_remote', who, r);
    case 'failed':
      if (v.error === 'timeout') return signal('c2pa', 'c2pa', 0.3, 'sig_c2pa_timeout', who, r);
      if (v.error === 'too_large') return signal('c2pa', 'c2pa', 0.3, 'sig_c2pa_too_large', who, r);
      if (v.error === 'crashed') return signal('c2pa', 'c2pa', 0.3, 'sig_c2pa_check_failed', who, r);
      return undefined; // unavailable: the unvalidated presence signal says it
    default:
      return undefined; // absent: the reader saw no store; the presence signal says what the scan found
  }
}

/** The claims of one manifest store: AI source types, AI ingredients, edits, camera capture. */
function claimSignals(active: C2paManifest, others: C2paManifest[], validated: boolean, invalid: boolean): Signal[] {
  const out: Signal[] = [];
  const suffix = validated ? '_valid' : '';
  const cap = (w: number) => (invalid ? Math.min(w, CLAIM_ONLY_WEIGHT) : w);
  const mine = aiType(active.sourceTypes);
  const theirs = aiType(others.flatMap((m) => m.sourceTypes));
  if (mine && mine.weight >= 0.8) {
    out.push(
      signal('c2pa', 'c2pa', cap(mine.weight), (mine.type === 'trainedAlgorithmicMedia' ? 'sig_c2pa_ai_generated' : 'sig_c2pa_ai_edited') + suffix, {
        type: mine.type,
        generator: active.claimGenerator,
        signer: signerOf(active),
      }, [{ field: `C2PA ${active.label} digitalSourceType`, value: mine.type }]),
    );
  } else if (theirs && theirs.weight >= 0.8) {
    const ing = others.find((m) => aiType(m.sourceTypes)?.type === theirs.type);
    out.push(
      signal('c2pa', 'c2pa', cap(0.8), 'sig_c2pa_ai_ingredient' + suffix, {
        type: theirs.type,
        ingredient: ing?.title ?? ing?.label,
        ingredientGenerator: ing?.claimGenerator,
      }, [{ field: `C2PA ingredient ${ing?.label ?? ''} digitalSourceType`, value: theirs.type }]),
    );
  } else if (mine) {
    out.push(signal('c2pa', 'ai', cap(mine.weight), 'sig_c2pa_algorithmic' + suffix, { type: mine.type }, [{ field: `C2PA ${active.label} digitalSourceType`, value: mine.type }]));
  }
  if (!mine || mine.weight < 0.8) {
    const edits = active.actions.filter((a) => EDIT_ACTIONS.test(a.action));
    if (edits.length) {
      const software = edits.map((a) => a.softwareAgent).find(Boolean) ?? active.claimGenerator;
      out.push(
        signal('c2pa', 'edit', 0.6, 'sig_c2pa_edited' + suffix, {
          actions: [...new Set(edits.map((a) => a.action.replace(/^c2pa\./, '')))].join(', '),
          software,
        }, [{ field: `C2PA ${active.label} c2pa.actions`, value: summarise(active) }]),
      );
    }
    // a camera capture is a neutral fact (weight 0) and is said to be proven only when validated
    if (active.sourceTypes.includes('digitalCapture') && !edits.length) {
      out.push(signal('c2pa', 'camera', 0, 'sig_c2pa_capture' + suffix, { generator: active.claimGenerator }, [{ field: `C2PA ${active.label} digitalSourceType`, value: 'digitalCapture' }]));
    }
  }
  return out;
}

function presenceSignal(where: string, bytes: number, store: C2paStore): Signal {
  const active = store.active;
  const raw = [{ field: where, value: `JUMBF ${bytes} bytes, ${store.manifests.length} manifest(s)` }];
  if (active) raw.push({ field: `C2PA ${active.label}`, value: JSON.stringify({ claim_generator: active.claimGenerator, signer: active.signer, actions: summarise(active) }) });
  return signal('c2pa', 'c2pa', 0.3, 'sig_c2pa_present', {
    where,
    generator: active?.claimGenerator,
    signer: active?.signer,
    actions: active ? summarise(active) : undefined,
    manifests: store.manifests.length,
  }, raw);
}

export const c2pa: SignalModule = {
  id: 'c2pa',
  run(ctx: MetaContext): Signal[] {
    const out: Signal[] = [];
    ctx.c2pa.forEach((block, i) => {
      const { store } = block;
      // the reader validates the file's (first) manifest store
      const v = i === 0 ? ctx.c2paValidation : undefined;
      const head = v && verdictSignal(v, v.active ?? store.active, block.where, [{ field: block.where, value: `JUMBF ${block.bytes} bytes` }]);
      if (!head) {
        out.push(presenceSignal(block.where, block.bytes, store));
        if (store.active) out.push(...claimSignals(store.active, store.manifests.filter((m) => m !== store.active), false, false));
        return;
      }
      out.push(head);
      const validated = v.outcome === 'valid';
      const invalid = v.outcome === 'changed' || v.outcome === 'broken' || v.outcome === 'unreadable';
      // the official reader's decoding when it read the store; the presence parser's otherwise
      const active = v.active ?? store.active;
      const others = v.active ? (v.ingredients ?? []) : store.manifests.filter((m) => m !== store.active);
      if (active) out.push(...claimSignals(active, others, validated, invalid));
    });
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

/**
 * C2PA validation by the official reader (c2pa-rs compiled to WASM, @contentauth/c2pa-wasm): what
 * it says about a file, as small plain data that crosses worker boundaries.
 *
 * This module is pure: it turns the reader's answer (its manifest store JSON, or the error it
 * threw) into a C2paValidation. Loading the reader is the platform's business:
 *   Node (eval, tests)        ./c2pa-node.ts, in-process
 *   Chrome                    a worker of the offscreen document (./c2pa-remote.ts, entrypoints/c2pa-worker.ts)
 *   Firefox                   a worker started by the background page (same files)
 * It is run only when the cheap presence scan (containers → ./jumbf.ts) found a manifest store.
 *
 * Outcomes (CONTRACTS.md `c2paValid`: valid → true; absent, remote → null; everything else → false):
 *   valid        signature and hard bindings verify (the signer may still be untrusted: no trust
 *                list ships with the extension, so `trusted` stays false unless anchors are loaded)
 *   changed      a hard binding (data/box/BMFF hash) does not match: the pixels changed after signing
 *   broken       the claim, its signature, an assertion hash or the certificate fails
 *   unreadable   the reader could not parse the manifest store (damaged, truncated)
 *   unsupported  a pre-release or unsupported format / algorithm
 *   remote       the manifest is referenced, not embedded (never fetched)
 *   absent       the reader found no manifest store
 *   failed       no answer: too large, time limit, the reader crashed or is unavailable (`error` says which)
 */
import type { ImageFormat } from '../types';
import { agentName, collectSourceTypes, sourceTypeCode, type C2paAction, type C2paManifest } from './jumbf';

export type C2paOutcome = 'valid' | 'changed' | 'broken' | 'unreadable' | 'unsupported' | 'remote' | 'absent' | 'failed';

export interface C2paValidation {
  outcome: C2paOutcome;
  /** The reader's validation_state ('Valid' | 'Trusted' | 'Invalid') when it produced one. */
  state?: string;
  /** The signing certificate chains to a loaded trust anchor (validation_state 'Trusted'). */
  trusted: boolean;
  /** c2pa-rs validation status codes (failures, in the reader's order, deduplicated) or the reader's error name. */
  codes: string[];
  /** Why there is no validation report: the reader's error name, or 'too_large' | 'timeout' | 'crashed' | 'unavailable'. */
  error?: string;
  /** The active manifest as the official reader decoded it (claims; validated only when outcome is 'valid'). */
  active?: C2paManifest;
  /** Ingredient manifests the reader decoded (for AI ingredients). */
  ingredients?: C2paManifest[];
  /** Reader time, ms. */
  ms?: number;
}

/** Settings for every reader call: no network (remote manifests and OCSP are never fetched). */
export const READER_SETTINGS = JSON.stringify({ verify: { remote_manifest_fetch: false, ocsp_fetch: false } });

/** Limits of one validation. */
export const C2PA_LIMITS = {
  /** Largest file handed to the reader (it hashes the whole file). */
  maxFileBytes: 48 * 1024 * 1024,
  /** Largest manifest store (all JUMBF bytes the presence scan saw). */
  maxManifestBytes: 16 * 1024 * 1024,
  /** Time limit of one validation in a worker (the worker is terminated after it). */
  timeoutMs: 8000,
  /** A worker whose WASM memory grew past this is replaced after its job. */
  maxMemoryBytes: 768 * 1024 * 1024,
} as const;

export type C2paValidator = (bytes: Uint8Array, format: ImageFormat, manifestBytes?: number) => Promise<C2paValidation>;

const MIME: Partial<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  avif: 'image/avif',
  tiff: 'image/tiff',
  gif: 'image/gif',
};
export function readerMime(format: ImageFormat): string | undefined {
  return MIME[format];
}

/** Hard-binding mismatches: the asset's bytes are not the ones that were signed. */
const CHANGED = /^assertion\.(dataHash|boxesHash|bmffHash|collectionHash)\.mismatch$/;

/** Size and time checks done before any reader is loaded. */
export function precheck(bytes: Uint8Array, format: ImageFormat, manifestBytes = 0): C2paValidation | undefined {
  if (!readerMime(format)) return failed('unsupported_format', 'unsupported');
  if (bytes.length > C2PA_LIMITS.maxFileBytes || manifestBytes > C2PA_LIMITS.maxManifestBytes) return failed('too_large');
  return undefined;
}

export function failed(error: string, outcome: C2paOutcome = 'failed'): C2paValidation {
  return { outcome, trusted: false, codes: outcome === 'failed' ? [] : [error], error };
}

/** The c2pa-wasm calls a validation needs (a loaded module, or a stand-in in tests). */
export interface ReaderModule {
  WasmReader: {
    fromBytes(format: string, bytes: Uint8Array, context?: string | null): Promise<{ json(): string; free(): void }>;
  };
}

/** Validate with a loaded reader. Never throws (a reader error becomes an outcome). */
export async function validateWithReader(mod: ReaderModule, bytes: Uint8Array, format: ImageFormat, manifestBytes = 0): Promise<C2paValidation> {
  const pre = precheck(bytes, format, manifestBytes);
  if (pre) return pre;
  const t0 = performance.now();
  let out: C2paValidation;
  try {
    const reader = await mod.WasmReader.fromBytes(readerMime(format)!, bytes, READER_SETTINGS);
    try {
      out = fromStoreJson(reader.json());
    } finally {
      reader.free();
    }
  } catch (e) {
    out = fromReaderError(e);
  }
  out.ms = Math.round(performance.now() - t0);
  return out;
}

/** The reader refused the file: which kind of refusal. */
export function fromReaderError(e: unknown): C2paValidation {
  if (e instanceof WebAssembly.RuntimeError) return failed('crashed');
  const msg = String((e as Error)?.message ?? e);
  const name = /C2pa\((\w+)/.exec(msg)?.[1] ?? (/^(\w+)/.exec(msg)?.[1] ?? 'error');
  if (/^(JumbfNotFound|ProvenanceMissing)$/.test(name)) return failed(name, 'absent');
  if (/^Remote/.test(name)) return failed(name, 'remote');
  if (/^(PrereleaseError|UnknownAlgorithm|UnsupportedType|ClaimVersion|InvalidClaimVersion|UnsupportedAlgorithm|NotImplemented)$/.test(name)) return failed(name, 'unsupported');
  if (/unreachable|RuntimeError|memory access out of bounds|recursion/i.test(msg)) return failed('crashed');
  return failed(name.slice(0, 60), 'unreadable');
}

const str = (v: unknown, max = 300): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);
const arr = (v: unknown, max: number): unknown[] => (Array.isArray(v) ? v.slice(0, max) : []);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** A manifest of the reader's store JSON in the shape the signal module reads. */
export function manifestFromReader(label: string, m: Record<string, unknown>): C2paManifest {
  const sig = obj(m.signature_info);
  const info = Array.isArray(m.claim_generator_info) ? m.claim_generator_info[0] : m.claim_generator_info;
  const man: C2paManifest = {
    label: label.slice(0, 200),
    claimGenerator: agentName(info)?.slice(0, 200) ?? str(m.claim_generator, 200),
    title: str(m.title, 200),
    signer: str(sig.common_name, 200),
    issuer: str(sig.issuer, 200),
    signedAt: str(sig.time, 60),
    actions: [],
    sourceTypes: [],
    ingredients: [],
    assertionLabels: [],
  };
  const types = new Set<string>();
  for (const a of arr(m.assertions, 500)) {
    const as = obj(a);
    const al = (str(as.label, 200) ?? '').replace(/__\d+$/, '');
    man.assertionLabels.push(al);
    if (al === 'c2pa.actions' || al === 'c2pa.actions.v2') {
      for (const x of arr(obj(as.data).actions, 200)) {
        const r = obj(x);
        const params = obj(r.parameters);
        const dst = str(r.digitalSourceType) ?? str(params.digitalSourceType);
        const action: C2paAction = {
          action: str(r.action, 100) ?? '?',
          digitalSourceType: dst ? sourceTypeCode(dst) : undefined,
          softwareAgent: agentName(r.softwareAgent)?.slice(0, 200),
          when: str(r.when, 60),
          description: str(r.description) ?? str(params.description),
        };
        man.actions.push(action);
      }
      collectSourceTypes(as.data, types);
    } else if (al === 'stds.iptc' || al === 'stds.iptc.photo-metadata' || al === 'stds.schema-org.CreativeWork') {
      collectSourceTypes(as.data, types);
    }
  }
  for (const x of arr(m.ingredients, 100)) {
    const ing = obj(x);
    man.ingredients.push({ title: str(ing.title, 200), relationship: str(ing.relationship, 40), manifest: str(ing.active_manifest, 200) });
  }
  man.sourceTypes = [...types].slice(0, 50);
  return man;
}

/** The reader's manifest store JSON → outcome, codes and the decoded manifests. */
export function fromStoreJson(json: string): C2paValidation {
  let store: Record<string, unknown>;
  try {
    store = obj(JSON.parse(json));
  } catch {
    return failed('bad_json', 'unreadable');
  }
  const state = str(store.validation_state, 20);
  const status = arr(store.validation_status, 500).map((s) => str(obj(s).code, 80)).filter((c): c is string => !!c);
  const codes = [...new Set(status)].slice(0, 50);
  // the active manifest's own failures decide (ingredient failures are listed, not decisive)
  const activeFailures = arr(obj(obj(store.validation_results).activeManifest).failure, 500)
    .map((s) => str(obj(s).code, 80))
    .filter((c): c is string => !!c);
  const failures = state === 'Invalid' ? (activeFailures.length ? activeFailures : codes) : [];
  let outcome: C2paOutcome;
  if (state === 'Valid' || state === 'Trusted') outcome = 'valid';
  else if (state === 'Invalid') outcome = failures.some((c) => CHANGED.test(c)) ? 'changed' : 'broken';
  else outcome = 'unreadable';
  const manifests = obj(store.manifests);
  const activeLabel = str(store.active_manifest, 200);
  const active = activeLabel && manifests[activeLabel] ? manifestFromReader(activeLabel, obj(manifests[activeLabel])) : undefined;
  const ingredients = Object.entries(manifests)
    .slice(0, 50)
    .filter(([label]) => label !== activeLabel)
    .map(([label, m]) => manifestFromReader(label, obj(m)));
  return { outcome, state, trusted: state === 'Trusted', codes, active, ingredients };
}

/** CONTRACTS.md `c2paValid`. */
export function c2paValid(v: C2paValidation | undefined): boolean | null {
  if (!v || v.outcome === 'absent' || v.outcome === 'remote') return null;
  return v.outcome === 'valid';
}

// ---- checking a validation that arrives from a worker -------------------------------------------

const OUTCOMES: readonly C2paOutcome[] = ['valid', 'changed', 'broken', 'unreadable', 'unsupported', 'remote', 'absent', 'failed'];

function parseManifest(v: unknown): C2paManifest | undefined {
  const m = obj(v);
  if (typeof m.label !== 'string') return undefined;
  const s = (x: unknown, max = 300) => (typeof x === 'string' ? x.slice(0, max) : undefined);
  return {
    label: m.label.slice(0, 200),
    claimGenerator: s(m.claimGenerator, 200),
    title: s(m.title, 200),
    signer: s(m.signer, 200),
    issuer: s(m.issuer, 200),
    signedAt: s(m.signedAt, 60),
    actions: arr(m.actions, 200).map((a) => {
      const r = obj(a);
      return { action: s(r.action, 100) ?? '?', digitalSourceType: s(r.digitalSourceType, 100), softwareAgent: s(r.softwareAgent, 200), when: s(r.when, 60), description: s(r.description) };
    }),
    sourceTypes: arr(m.sourceTypes, 50).filter((x): x is string => typeof x === 'string').map((x) => x.slice(0, 100)),
    ingredients: arr(m.ingredients, 100).map((i) => {
      const r = obj(i);
      return { title: s(r.title, 200), relationship: s(r.relationship, 40), manifest: s(r.manifest, 200) };
    }),
    assertionLabels: arr(m.assertionLabels, 500).filter((x): x is string => typeof x === 'string').map((x) => x.slice(0, 200)),
  };
}

/** A validation as received from another context: shape checked, strings and lists bounded. */
export function parseValidation(v: unknown): C2paValidation | undefined {
  const r = obj(v);
  if (!OUTCOMES.includes(r.outcome as C2paOutcome) || typeof r.trusted !== 'boolean') return undefined;
  const out: C2paValidation = {
    outcome: r.outcome as C2paOutcome,
    trusted: r.trusted,
    codes: arr(r.codes, 50).filter((c): c is string => typeof c === 'string').map((c) => c.slice(0, 80)),
  };
  if (typeof r.state === 'string') out.state = r.state.slice(0, 20);
  if (typeof r.error === 'string') out.error = r.error.slice(0, 60);
  if (typeof r.ms === 'number' && Number.isFinite(r.ms)) out.ms = r.ms;
  const active = r.active === undefined ? undefined : parseManifest(r.active);
  if (active) out.active = active;
  const ings = arr(r.ingredients, 50).map(parseManifest).filter((m): m is C2paManifest => !!m);
  if (ings.length) out.ingredients = ings;
  return out;
}

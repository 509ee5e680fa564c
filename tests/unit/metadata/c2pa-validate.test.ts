/**
 * The official C2PA reader (c2pa-wasm, in-process in Node) on files signed in code with a test
 * certificate chain (tests/fixtures/c2pa.ts), and on tampered copies of them.
 */
import { describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMetadata } from '../../../utils/metadata/read';
import { validateInNode } from '../../../utils/metadata/c2pa-node';
import { c2paValid, fromReaderError, fromStoreJson, parseValidation } from '../../../utils/metadata/c2pa-validate';
import { decideVerdict } from '../../../utils/verdict';
import { sniffFormat } from '../../../utils/image/sniff';
import { productJpeg } from '../../fixtures/images';
import { signWithTestCert, tamperClaim, tamperPixels, truncateManifest } from '../../fixtures/c2pa';
import type { MatchResult } from '../../../utils/types';

const read = (b: Uint8Array) => readMetadata(b, 'jpeg', { validateC2pa: validateInNode });
const codes = (r: Awaited<ReturnType<typeof read>>) => r.signals.filter((s) => s.source === 'c2pa').map((s) => s.code);
const match: MatchResult = { referenceId: 'r1', referenceName: 'listing.jpg', confidence: 0.97, distance: 3, method: 'global' };

let camera: Promise<Uint8Array> | undefined;
let firefly: Promise<Uint8Array> | undefined;
const cameraPhoto = () => (camera ??= productJpeg(3, 640, 480).then((j) => signWithTestCert(j, { generator: { name: 'Test Phone Camera', version: '14' }, sourceType: 'digitalCapture' })));
const aiPicture = () => (firefly ??= productJpeg(4, 640, 480).then((j) => signWithTestCert(j, { generator: { name: 'Adobe_Firefly', version: '3' }, sourceType: 'trainedAlgorithmicMedia' })));

describe('C2PA validation with the official reader', { timeout: 60_000 }, () => {
  it('a signed camera photo validates: signer named, not on a trust list, c2paValid true', async () => {
    const r = await read(await cameraPhoto());
    expect(r.c2pa).toMatchObject({ valid: true, outcome: 'valid' });
    expect(r.c2pa!.codes).toEqual(['signingCredential.untrusted']);
    const head = r.signals.find((s) => s.code === 'sig_c2pa_valid')!;
    expect(head).toMatchObject({ kind: 'c2pa', weight: 0.3, params: { signer: 'RefundLens Test Signer (RefundLens Test)', generator: 'Test Phone Camera 14' } });
    expect(head.raw![0]).toEqual({ field: 'C2PA validation (c2pa-rs)', value: expect.stringMatching(/^Valid: signingCredential\.untrusted/) });
    expect(codes(r)).toContain('sig_c2pa_capture_valid');
    expect(decideVerdict({ signals: r.signals }).level).toBe('no-evidence');
  });

  it('pixels changed after signing: assertion.dataHash.mismatch, a strong reason naming the signature, verdict edited', async () => {
    const r = await read(tamperPixels(await cameraPhoto()));
    expect(r.c2pa).toMatchObject({ valid: false, outcome: 'changed' });
    expect(r.c2pa!.codes).toContain('assertion.dataHash.mismatch');
    const changed = r.signals.find((s) => s.code === 'sig_c2pa_changed')!;
    expect(changed).toMatchObject({ kind: 'edit', weight: 0.95, params: { signer: 'RefundLens Test Signer (RefundLens Test)', generator: 'Test Phone Camera 14' } });
    expect(String(changed.params!.time)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    // a claimed camera capture is not shown as proven
    expect(codes(r)).toContain('sig_c2pa_capture');
    expect(codes(r)).not.toContain('sig_c2pa_capture_valid');
    expect(decideVerdict({ signals: r.signals }).level).toBe('edited');
    // matched to a saved photo with no visible difference: still a local edit, and the reason says why
    const d = decideVerdict({ signals: r.signals, match });
    expect(d.level).toBe('derived-edited');
    expect(d.reasons).toContainEqual(expect.objectContaining({ code: 'why_signed_then_changed', params: { signer: 'RefundLens Test Signer (RefundLens Test)' } }));
    expect(d.reasons.map((x) => x.code)).not.toContain('why_no_local_edit');
  });

  it('a validated AI digitalSourceType keeps ai-labelled', async () => {
    const r = await read(await aiPicture());
    expect(r.c2pa?.valid).toBe(true);
    expect(r.signals.find((s) => s.code === 'sig_c2pa_ai_generated_valid')).toMatchObject({ weight: 1, params: { generator: 'Adobe_Firefly 3' } });
    expect(decideVerdict({ signals: r.signals }).level).toBe('ai-labelled');
  });

  it('the signed claim edited ("Adobe_Firefly" → "Adobe_Forgery"): claimSignature.mismatch, claims only claimed', async () => {
    const r = await read(tamperClaim(await aiPicture(), 'Adobe_Firefly', 'Adobe_Forgery'));
    expect(r.c2pa).toMatchObject({ valid: false, outcome: 'broken' });
    expect(r.c2pa!.codes).toContain('claimSignature.mismatch');
    expect(r.signals.find((s) => s.code === 'sig_c2pa_broken')).toMatchObject({ kind: 'edit', params: { generator: 'Adobe_Forgery 3' } });
    // the AI claim is listed, worded as not validated, and no longer weighs as an AI label
    const ai = r.signals.find((s) => s.code === 'sig_c2pa_ai_generated')!;
    expect(ai.weight).toBeLessThan(0.8);
    expect(decideVerdict({ signals: r.signals }).level).toBe('edited');
  });

  it('a truncated manifest cannot be validated: c2paValid false, a clear reason, never a throw', async () => {
    const r = await read(truncateManifest(await cameraPhoto()));
    expect(r.c2pa?.valid).toBe(false);
    expect(['unreadable', 'broken', 'absent']).toContain(r.c2pa!.outcome);
    if (r.c2pa!.outcome !== 'absent') expect(codes(r).some((c) => /^sig_c2pa_(unreadable|broken)$/.test(c))).toBe(true);
  });

  it('files without a manifest never load or call the reader', async () => {
    const spy = vi.fn(validateInNode);
    const r = await readMetadata(await productJpeg(5, 320, 240), 'jpeg', { validateC2pa: spy });
    expect(spy).not.toHaveBeenCalled();
    expect(r.c2pa).toBeUndefined();
  });

  it('a validator that throws or is missing leaves the manifest "present, not validated"', async () => {
    const signed = await cameraPhoto();
    const r = await readMetadata(signed, 'jpeg', { validateC2pa: () => Promise.reject(new Error('gone')) });
    expect(r.c2pa).toMatchObject({ valid: null, outcome: 'failed' });
    expect(codes(r)).toContain('sig_c2pa_present');
    const n = await readMetadata(signed, 'jpeg');
    expect(n.c2pa).toEqual({ valid: null, outcome: 'not-checked', codes: [] });
    expect(codes(n)).toContain('sig_c2pa_present');
  });

  it('hostile manifests (fuzzed JUMBF, a huge box claim, deep nesting, an oversized store) give an outcome, never a throw', async () => {
    const signed = await cameraPhoto();
    // the APP11 segments of the signed file
    let o = 2, a0 = 0, a1 = 0;
    while (o < signed.length) {
      const m = signed[o + 1], len = (signed[o + 2] << 8) | signed[o + 3];
      if (m === 0xeb) { a0 ||= o + 4; a1 = o + 2 + len; }
      if (m === 0xda) break;
      o += 2 + len;
    }
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const outcomes = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const b = signed.slice();
      for (let k = 0; k <= i % 6; k++) b[a0 + Math.floor(rnd() * (a1 - a0))] = Math.floor(rnd() * 256);
      const r = await read(b);
      outcomes.add(r.c2pa!.outcome);
      expect(r.c2pa!.outcome === 'valid' || r.c2pa!.valid !== true).toBe(true);
    }
    expect([...outcomes].every((x) => ['valid', 'changed', 'broken', 'unreadable', 'unsupported', 'absent'].includes(x))).toBe(true);
    const box = (type: string, ...c: Uint8Array[]) => {
      const n = 8 + c.reduce((x, y) => x + y.length, 0);
      const out = new Uint8Array(n);
      new DataView(out.buffer).setUint32(0, n);
      out.set(new TextEncoder().encode(type), 4);
      let p = 8;
      for (const x of c) { out.set(x, p); p += x.length; }
      return out;
    };
    const C2PA_STORE = Uint8Array.from([0x63, 0x32, 0x70, 0x61, 0, 0x11, 0, 0x10, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);
    const jumd = (label: string) => box('jumd', C2PA_STORE, Uint8Array.of(3), new TextEncoder().encode(label + '\0'));
    let deep = box('jumb', jumd('c2pa.claim'));
    for (let d = 0; d < 2000; d++) deep = box('jumb', jumd('n' + d), deep);
    const huge = box('jumb', jumd('c2pa'), box('jumb', jumd('urn:uuid:1')));
    new DataView(huge.buffer).setUint32(0, 0xfffffff0);
    const { app11Jumbf, jpegWith } = await import('./builders');
    for (const store of [box('jumb', jumd('c2pa'), deep), huge]) {
      const r = await read(await jpegWith(app11Jumbf(store)));
      expect(r.c2pa!.valid).not.toBe(true);
    }
    const oversized = await validateInNode(new Uint8Array(1000), 'jpeg', 17 * 1024 * 1024);
    expect(oversized).toMatchObject({ outcome: 'failed', error: 'too_large' });
  });

  it('reader errors map to outcomes; replies from a worker are shape-checked', () => {
    expect(fromReaderError(new Error('C2pa(PrereleaseError)'))).toMatchObject({ outcome: 'unsupported', codes: ['PrereleaseError'] });
    expect(fromReaderError(new Error('C2pa(UnknownAlgorithm)')).outcome).toBe('unsupported');
    expect(fromReaderError(new Error('C2pa(RemoteManifestUrl("https://x"))')).outcome).toBe('remote');
    expect(fromReaderError(new Error('C2pa(JumbfNotFound)')).outcome).toBe('absent');
    expect(fromReaderError(new WebAssembly.RuntimeError('unreachable'))).toMatchObject({ outcome: 'failed', error: 'crashed' });
    expect(fromStoreJson('{"validation_state":"Invalid","validation_status":[{"code":"assertion.boxesHash.mismatch"}]}').outcome).toBe('changed');
    expect(fromStoreJson('not json').outcome).toBe('unreadable');
    expect(c2paValid(fromReaderError(new Error('C2pa(JumbfNotFound)')))).toBeNull();
    expect(parseValidation({ outcome: 'valid', trusted: false, codes: ['a'.repeat(500), 7] })).toEqual({ outcome: 'valid', trusted: false, codes: ['a'.repeat(80)] });
    expect(parseValidation({ outcome: 'fine', trusted: false, codes: [] })).toBeUndefined();
    expect(parseValidation({ outcome: 'valid', codes: [] })).toBeUndefined();
  });
});

// ---- the real files of ../shared/eval (skipped when absent) -----------------------------------
// ../shared/eval beside the repository (a worktree one level deeper looks one level up as well)
const EVAL = ['../../../../shared/eval', '../../../../../shared/eval'].map((p) => join(import.meta.dirname, p)).find((p) => existsSync(p)) ?? '';
const real: [string, boolean | null, string?][] = [
  ['labels/c2pa/C.jpg', true],
  ['labels/c2pa/cai.jpg', true],
  ['labels/c2pa/XCA.jpg', false, 'assertion.dataHash.mismatch'],
  ['labels/c2pa/adobe-20220124-E-clm-CAICAI.jpg', false, 'assertion.hashedURI.mismatch'],
  ['labels/c2pa/prerelease.jpg', false, 'PrereleaseError'],
  ['photos/c2pa-rs__no_alg.jpg', false, 'UnknownAlgorithm'],
  ['labels/c2pa/no_manifest.jpg', null],
];
describe.skipIf(!EVAL)('C2PA validation on ../shared/eval', { timeout: 60_000 }, () => {
  it.each(real)('%s → c2paValid %s', async (name, valid, code) => {
    const bytes = new Uint8Array(readFileSync(join(EVAL, name)));
    const r = await readMetadata(bytes, sniffFormat(bytes), { validateC2pa: validateInNode });
    expect(r.c2pa?.valid ?? null).toBe(valid);
    if (code) expect(r.c2pa!.codes).toContain(code);
  });
});

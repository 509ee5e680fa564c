/**
 * The official C2PA reader in Node (npm run eval, unit tests): @contentauth/c2pa-wasm loaded
 * in-process with initSync. `WasmReader.fromBytes` reads from memory, so no FileReaderSync is needed.
 * Node only (node:fs); the extension runs the reader in a worker (./c2pa-remote.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ImageFormat } from '../types';
import { validateWithReader, type C2paValidation, type C2paValidator, type ReaderModule } from './c2pa-validate';

let loaded: Promise<ReaderModule> | undefined;

/** The reader module, compiled and instantiated once per process. */
export function nodeReader(): Promise<ReaderModule> {
  loaded ??= (async () => {
    const mod = await import('@contentauth/c2pa-wasm');
    const wasm = readFileSync(createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm'));
    mod.initSync({ module: new WebAssembly.Module(wasm) });
    return mod as unknown as ReaderModule;
  })();
  return loaded;
}

/** Validate in this process (no time limit: Node tools run one file at a time). */
export const validateInNode: C2paValidator = async (bytes: Uint8Array, format: ImageFormat, manifestBytes?: number): Promise<C2paValidation> =>
  validateWithReader(await nodeReader(), bytes, format, manifestBytes);

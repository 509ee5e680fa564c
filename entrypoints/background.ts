/**
 * Service worker: wires browser events to the pure pipeline (utils/service.ts).
 * Accepts messages only from this extension's own contexts, validates every one.
 */
import { browser, type Browser } from 'wxt/browser';
import { CheckService } from '@/utils/service';
import { decodeFullInBrowser, decodeInBrowser, encodeInBrowser } from '@/utils/image/decode-browser';
import { remoteDecoder, remotePictures } from '@/utils/image/decode-remote';
import { scaledJpegFirst } from '@/utils/image/decode-scaled';
import { forgetOffscreenPorts, offscreenPorts } from '@/utils/offscreen';
import { C2paSupervisor, remoteC2pa } from '@/utils/metadata/c2pa-remote';
import { forgetMetadataPort, offscreenMetadataPort } from '@/utils/offscreen-metadata';
import { remoteMetadata } from '@/utils/metadata/remote';
import { OcrSupervisor, remoteOcr } from '@/utils/ocr/remote';
import { fetchImage } from '@/utils/image/acquire';
import { b64ToBytes, parseRequest, sameOrigin, senderAllowed, senderKind, type CardResult, type CheckRequest, type Response, type SenderKind } from '@/utils/messages';
import { CheckFailure, toCheckError } from '@/utils/errors';
import { addReference, applyRetention, ensureDefaultLibrary, getCheck, openLibraryDb } from '@/utils/library/db';
import { prepareReference } from '@/utils/library/prepare';
import { t } from '@/utils/i18n';
import { syncRuleScripts } from '@/utils/rule-scripts';

export default defineBackground(() => {
  // JPEGs are decoded at analysis size by the offscreen document's worker (about 3× faster than
  // createImageBitmap's full decode on 12 MP photos); anything else, or any failure there, here.
  // (Firefox has no offscreen documents: its background page decodes in place, with ImageDecoder
  // where it has one.)
  const decode = remoteDecoder({ fallback: scaledJpegFirst(decodeInBrowser), connect: async () => (await offscreenPorts())?.decode, onLost: forgetOffscreenPorts });
  // A check's pictures (JPEG copies, error level analysis) are made by the document's other worker,
  // off this thread; here when that fails.
  const pictures = remotePictures({ connect: async () => (await offscreenPorts())?.pictures });
  // The official C2PA reader runs in a worker with a time limit: Firefox's background page starts
  // it itself; Chrome's service worker cannot start workers, so the offscreen document does.
  const validateC2pa =
    typeof Worker === 'function'
      ? new C2paSupervisor(() => new Worker(browser.runtime.getURL('/c2pa-worker.js'))).validate
      : remoteC2pa({ connect: async () => (await offscreenPorts({ verify: true }))?.c2pa }); // (re)opened if it closed: only files with a manifest pay the lookup
  // Metadata of the untrusted file: in the document's metadata worker, which is terminated and
  // replaced when a file takes too long (the check then goes on with 'metadata_too_complex').
  const readMetadata = remoteMetadata({ connect: offscreenMetadataPort, onLost: forgetMetadataPort });
  // The visible AI label is read by PaddleOCR in a worker with a time limit, like the C2PA reader.
  const labels =
    typeof Worker === 'function'
      ? new OcrSupervisor(() => new Worker(browser.runtime.getURL('/ocr-worker.js')))
      : remoteOcr({ connect: async () => (await offscreenPorts())?.ocr });
  const service = new CheckService({
    db: () => openLibraryDb(), decode, encode: encodeInBrowser, decodeFull: decodeFullInBrowser, pictures, validateC2pa, readMetadata,
    readLabel: labels.read,
    warmLabel: () => void labels.warm().catch(() => {}),
  });

  async function hasHostPermission(src: string): Promise<boolean> {
    const u = new URL(src);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    try {
      return await browser.permissions.contains({ origins: [`${u.origin}/*`] });
    } catch {
      return false;
    }
  }

  async function acquire(src: string, bytesB64?: string): Promise<Uint8Array | 'need-bytes'> {
    if (bytesB64 !== undefined) return b64ToBytes(bytesB64);
    if (!(await hasHostPermission(src))) return 'need-bytes';
    try {
      return (await fetchImage(src)).bytes;
    } catch (e) {
      // Blocked by the network or the site: the page itself may still be able to read it.
      if (e instanceof CheckFailure && e.code === 'err_fetch_failed') return 'need-bytes';
      throw e;
    }
  }

  async function checkFromPage(req: CheckRequest): Promise<CardResult> {
    void offscreenPorts({ verify: true }).catch(() => {}); // (re)opened while the photo downloads
    let bytes: Uint8Array | 'need-bytes';
    try {
      bytes = await service.working(() => acquire(req.src, req.bytesB64));
    } catch (e) {
      // Fetch errors (404, HTML, too large…) are recorded like any other check.
      return service.toCard(await service.fail(toCheckError(e), { sourceUrl: req.src, pageUrl: req.pageUrl, ticket: req.ticket }));
    }
    if (bytes === 'need-bytes') return { id: '', level: 'error', reasons: [], signals: [], needBytes: true };
    const result = await service.check(bytes, { sourceUrl: req.src.startsWith('data:') ? 'data:' : req.src, pageUrl: req.pageUrl, ticket: req.ticket });
    return service.toCard(result);
  }

  const self = { id: browser.runtime.id, origin: new URL(browser.runtime.getURL('/')).origin };

  /** open-report from a content script: only a check made on a page of the sender's own origin. */
  async function mayOpenReport(id: string, kind: SenderKind, senderUrl: string | undefined): Promise<boolean> {
    if (kind === 'extension-page') return true;
    await service.recorded(id); // the card may be clicked while its record is still being written
    const rec = await getCheck(await openLibraryDb(), id);
    return !!rec && sameOrigin(rec.result.file?.pageUrl, senderUrl);
  }

  browser.runtime.onMessage.addListener((msg: unknown, sender: Browser.runtime.MessageSender, sendResponse: (r: Response<unknown>) => void) => {
    const kind = senderKind(sender, self);
    if (!kind) return false;
    const req = parseRequest(msg);
    if (!req || !senderAllowed(req.type, kind)) {
      sendResponse({ ok: false, error: { code: 'err_bad_message' } });
      return false;
    }
    const run = async (): Promise<unknown> => {
      switch (req.type) {
        case 'check':
          // The page URL on record is the one the browser reports for the frame, not the page's claim.
          return checkFromPage(kind === 'content-script' ? { ...req, pageUrl: sender.url } : req);
        case 'save-reference':
          return saveReference(req.src);
        case 'open-report':
          if (!(await mayOpenReport(req.id, kind, sender.url))) throw new CheckFailure('err_bad_message');
          await service.recorded(req.id);
          return browser.tabs.create({ url: browser.runtime.getURL(`/report.html?check=${req.id}`) }).then(() => true);
        case 'prepare':
          // answered at once; the work goes on while the merchant reads the page
          void offscreenPorts({ verify: true }).catch(() => {});
          void service.warmUp();
          return true;
      }
    };
    run().then(
      (value) => sendResponse({ ok: true, value }),
      (e) => sendResponse({ ok: false, error: toCheckError(e) }),
    );
    return true;
  });

  async function saveReference(src: string): Promise<{ added: boolean }> {
    const bytes = await acquire(src);
    if (bytes === 'need-bytes') throw new CheckFailure('err_permission');
    const db = await openLibraryDb();
    const lib = await ensureDefaultLibrary(db, t('lib_default_name'));
    const name = decodeURIComponent(new URL(src).pathname.split('/').pop() || 'image').slice(0, 100);
    const rec = await prepareReference(bytes, name, lib.id, { decode, encode: encodeInBrowser });
    return { added: await addReference(db, rec) };
  }

  // History retention: prune old checks whenever the worker starts (it starts often in MV3).
  void openLibraryDb().then(applyRetention).catch((e) => console.warn('RefundLens: retention', e));

  // ---- merchant rules: content script on the hosts the merchant added (and granted) ------------
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && 'rules' in changes) void syncRuleScripts();
  });
  browser.permissions.onAdded?.addListener(() => void syncRuleScripts());
  browser.permissions.onRemoved?.addListener(() => void syncRuleScripts());

  // ---- context menu: works on any page, whatever the adapters think --------------------------
  browser.runtime.onInstalled.addListener(() => {
    browser.contextMenus.removeAll().then(() => {
      browser.contextMenus.create({ id: 'rl-check', title: t('menu_check_image'), contexts: ['image'] });
      browser.contextMenus.create({ id: 'rl-save', title: t('menu_save_reference'), contexts: ['image'] });
    });
  });

  browser.contextMenus.onClicked.addListener((info) => {
    const src = info.srcUrl;
    if (!src || !/^https?:/.test(src)) return;
    // Ask for this one site right now (a user gesture); nothing is requested up front.
    const granted = browser.permissions.request({ origins: [`${new URL(src).origin}/*`] }).catch(() => false);
    void (async () => {
      await granted;
      if (info.menuItemId === 'rl-check') {
        let id: string;
        try {
          const bytes = await acquire(src);
          if (bytes === 'need-bytes') throw new CheckFailure('err_permission');
          id = (await service.check(bytes, { sourceUrl: src, pageUrl: info.pageUrl })).id;
        } catch (e) {
          id = (await service.fail(toCheckError(e), { sourceUrl: src, pageUrl: info.pageUrl })).id;
        }
        await service.recorded(id);
        await browser.tabs.create({ url: browser.runtime.getURL(`/report.html?check=${encodeURIComponent(id)}`) });
      } else if (info.menuItemId === 'rl-save') {
        try {
          const { added } = await saveReference(src);
          await browser.action.setBadgeText({ text: added ? '+1' : '=' });
        } catch {
          await browser.action.setBadgeText({ text: '!' });
        }
        setTimeout(() => void browser.action.setBadgeText({ text: '' }), 4000);
      }
    })();
  });
});

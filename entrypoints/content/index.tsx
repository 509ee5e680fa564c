/**
 * In-page part: finds buyer photos with the site's adapter, puts a 「检测此图」 button next to
 * each (closed shadow root: the page cannot read or restyle it) and shows the verdict card.
 * Only wiring lives here; detection rules are in utils/sites/, checking in the background.
 *
 * The page must not be able to drive it or read it: in the shipped build only trusted (user)
 * events start anything and no result is written where the page could read it. The e2e build
 * (E2E_BUILD) adds the hooks of ../shared/CONTRACTS.md: result attributes on the shadow hosts,
 * and a `click` dispatched on a check host starts the check.
 */
import { createRoot, type Root } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { ResultCard, CARD_CSS } from '@/components/ResultCard';
import { adapterFor, allSellerMatches, shippedSellerMatches } from '@/utils/sites';
import { E2E_BUILD } from '@/utils/build';
import { bytesToB64, type CardResult, type Response } from '@/utils/messages';
import { getRules, siteEnabled } from '@/utils/settings';
import { t } from '@/utils/i18n';
import { LIMITS } from '@/utils/limits';

const DEV_HOSTS = new Set(['127.0.0.1', 'localhost']);

const BUTTON_CSS = `button{font:12px/1.2 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;padding:4px 8px;border:1px solid #1565c0;
  border-radius:4px;background:#fff;color:#1565c0;cursor:pointer;white-space:nowrap}
  button:hover{background:#e3f2fd}button:focus-visible{outline:3px solid #ffab00}button[disabled]{opacity:.6;cursor:progress}`;

export default defineContentScript({
  // Localhost demo/test pages only in the e2e build.
  matches: E2E_BUILD ? allSellerMatches() : shippedSellerMatches(),
  allFrames: true,
  runAt: 'document_idle',
  async main(ctx) {
    // Injected both by the manifest and by a merchant rule on the same host: run once.
    const w = window as unknown as { __refundlens?: boolean };
    if (w.__refundlens) return;
    w.__refundlens = true;
    const url = new URL(location.href);
    if (!(await siteEnabled(url.hostname))) return;
    const adapter = adapterFor(url, await getRules());
    const isDev = DEV_HOSTS.has(url.hostname);
    const seen = new WeakSet<HTMLImageElement>();

    const checkHosts: HTMLElement[] = [];
    /** How each check host starts its check: called directly ("check all", retry), never via a click. */
    const starters = new WeakMap<HTMLElement, () => void>();
    let checkAllHost: HTMLElement | undefined;
    /** A page script's synthetic event (isTrusted false) starts nothing outside the e2e build. */
    const fromUser = (e: Event) => E2E_BUILD || e.isTrusted;

    /** One 「检测本工单全部图片」 button above the first photo once a ticket shows two or more. */
    function ensureCheckAll() {
      const live = checkHosts.filter((h) => h.isConnected);
      if (live.length < 2 || checkAllHost?.isConnected) return;
      const { host } = buttonHost('check-all', t('btn_check_all'), 'display:block;margin:4px 0;');
      host.addEventListener('click', (e) => {
        e.preventDefault();
        e.stopPropagation();
        if (!fromUser(e)) return;
        // The background queues them; each card fills in as its check finishes.
        for (const h of checkHosts) if (h.isConnected) starters.get(h)?.();
      });
      const first = live[0].previousElementSibling ?? live[0];
      first.parentElement?.insertBefore(host, first);
      checkAllHost = host;
    }

    function scan() {
      if (isDev && !document.querySelector('[data-refundlens-ticket]')) return;
      for (const img of adapter.findBuyerPhotos(document)) {
        if (seen.has(img) || !img.isConnected) continue;
        // Full-size original (lazy-load attributes and srcset resolved by the adapter).
        // (Lazy images still showing a placeholder get no button until their real source arrives.)
        const shownSrc = img.currentSrc || img.src;
        const src = adapter.photoUrl(img) ?? (shownSrc.startsWith('blob:') ? shownSrc : undefined);
        if (!src) continue;
        seen.add(img);
        attachButton(img, src, shownSrc);
      }
      ensureCheckAll();
    }

    function attachButton(img: HTMLImageElement, src: string, shown: string) {
      const { host, button } = buttonHost('check', t('btn_check'), 'display:inline-block;vertical-align:top;margin:2px 4px;');
      if (E2E_BUILD) host.setAttribute('data-src', src);
      // The image and its URL are remembered here, not read back from attributes the page could change.
      let card: CardHandle | undefined;
      let busy = false;
      const start = async () => {
        if (busy) return;
        busy = true;
        button.disabled = true;
        button.textContent = t('btn_checking');
        card ??= createCard(host, src, () => void start());
        card.render('pending');
        let result = await requestCheck(src, adapter.ticketInfo(document, img));
        // A full-size rewrite that the CDN does not know: check the picture as displayed instead.
        if (result.level === 'error' && src !== shown && /^err_(http_status|fetch_failed|html_not_image|not_image)$/.test(result.error?.code ?? '')) {
          result = await requestCheck(shown, adapter.ticketInfo(document, img));
        }
        card.render('done', result);
        button.disabled = false;
        button.textContent = t('btn_check');
        busy = false;
      };
      starters.set(host, () => void start());
      host.addEventListener('click', (e) => {
        e.preventDefault();
        e.stopPropagation();
        if (fromUser(e)) void start();
      });
      // the extension gets ready (index, matcher, decoder) while the merchant reads the ticket
      host.addEventListener('pointerenter', (e) => fromUser(e) && prepare());
      host.addEventListener('focusin', (e) => fromUser(e) && prepare());
      img.insertAdjacentElement('afterend', host);
      checkHosts.push(host);
      if (checkHosts.length === 1) prepare();
    }

    let preparedAt = -Infinity;
    function prepare() {
      // at most every 10 s (a stopped service worker is woken up again by the next one)
      if (performance.now() - preparedAt < 10_000) return;
      preparedAt = performance.now();
      void send({ type: 'prepare' });
    }

    interface CardHandle {
      render(state: 'pending' | 'done', result?: CardResult): void;
    }

    function createCard(after: Element, src: string, retry: () => void): CardHandle {
      const host = document.createElement('refundlens-result');
      if (E2E_BUILD) {
        host.setAttribute('data-refundlens', 'result');
        host.setAttribute('data-src', src);
      }
      host.style.cssText = 'display:inline-block;vertical-align:top;position:relative;z-index:2147483000;';
      const shadow = host.attachShadow({ mode: 'closed' });
      const style = document.createElement('style');
      style.textContent = CARD_CSS;
      const mount = document.createElement('div');
      shadow.append(style, mount);
      after.insertAdjacentElement('afterend', host);
      const root: Root = createRoot(mount);
      ctx.onInvalidated(() => root.unmount());
      let last: CardResult | undefined;
      const handle: CardHandle = {
        render(state, result) {
          last = result ?? last;
          // Result hooks (verdict, the merchant's private file name, check id): e2e build only.
          if (E2E_BUILD) {
            if (state === 'done' && result) {
              host.setAttribute('data-verdict', result.level);
              if (result.id) host.setAttribute('data-check-id', result.id);
              else host.removeAttribute('data-check-id');
              if (result.match) host.setAttribute('data-match', result.match.referenceName);
              else host.removeAttribute('data-match');
            } else {
              host.removeAttribute('data-verdict');
            }
          }
          host.hidden = false;
          root.render(
            <ResultCard
              state={state}
              result={state === 'done' ? last : undefined}
              buyerSrc={src}
              onClose={() => (host.hidden = true)}
              onOpenReport={(id) => void send({ type: 'open-report', id })}
              onRetry={retry}
            />,
          );
        },
      };
      return handle;
    }

    // Lazy loading and SPA navigation: rescan only when images were added or changed, at most ~4×/s.
    let pending = false;
    const schedule = () => {
      if (pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        if (ctx.isValid) scan();
      }, 250);
    };
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') {
          if ((r.target as Element).tagName === 'IMG') return schedule();
          continue;
        }
        for (const n of r.addedNodes) {
          if (n.nodeType === 1 && ((n as Element).tagName === 'IMG' || (n as Element).querySelector?.('img'))) return schedule();
        }
      }
    });
    observer.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['src', 'srcset'] });
    document.addEventListener('load', (e) => (e.target as Element)?.tagName === 'IMG' && schedule(), true);
    ctx.onInvalidated(() => observer.disconnect());
    scan();
  },
});

/**
 * A light-DOM host `<refundlens-NAME data-refundlens="NAME">` (the stable hook of CONTRACTS.md)
 * holding one button in a closed shadow root: the page can neither read nor restyle it.
 */
function buttonHost(name: string, label: string, hostCss: string): { host: HTMLElement; button: HTMLButtonElement } {
  const host = document.createElement(`refundlens-${name}`);
  if (E2E_BUILD) host.setAttribute('data-refundlens', name);
  host.style.cssText = hostCss;
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = BUTTON_CSS;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  shadow.append(style, button);
  return { host, button };
}

async function send<T>(msg: unknown): Promise<Response<T>> {
  try {
    return (await browser.runtime.sendMessage(msg)) as Response<T>;
  } catch {
    return { ok: false, error: { code: 'err_internal', params: { detail: 'extension reloaded — refresh the page' } } };
  }
}

async function requestCheck(src: string, ticket: ReturnType<ReturnType<typeof adapterFor>['ticketInfo']>): Promise<CardResult> {
  const base = { type: 'check', src, pageUrl: location.href, ticket };
  let res = await send<CardResult>(base);
  if (res.ok && res.value.needBytes) {
    // The background may not read this URL (blob:, data:, no host permission): read it from the page.
    const bytes = await readFromPage(src);
    if (!bytes.ok) return { id: '', level: 'error', reasons: [{ code: bytes.code, weight: 1 }], signals: [], error: { code: bytes.code } };
    res = await send<CardResult>({ ...base, bytesB64: bytesToB64(bytes.value) });
  }
  if (!res.ok) return { id: '', level: 'error', reasons: [{ code: res.error.code, params: res.error.params, weight: 1 }], signals: [], error: res.error };
  return res.value;
}

async function readFromPage(src: string): Promise<{ ok: true; value: Uint8Array } | { ok: false; code: string }> {
  try {
    const r = await fetch(src, { credentials: 'include' });
    if (!r.ok) return { ok: false, code: 'err_http_status' };
    const buf = await r.arrayBuffer();
    if (buf.byteLength > LIMITS.maxBytes) return { ok: false, code: 'err_too_large' };
    return { ok: true, value: new Uint8Array(buf) };
  } catch {
    return { ok: false, code: 'err_permission' };
  }
}

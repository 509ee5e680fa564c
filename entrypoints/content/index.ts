/**
 * In-page part: finds buyer photos with the site's adapter, puts a 「检测此图」 button next to
 * each (closed shadow root: the page cannot read or restyle it) and shows the verdict as a card
 * floating beside its photo (./float.ts: the page's layout never changes; one card open at a
 * time, the others shrink to a badge on their photo). The contract's hooks are set in ./hooks.ts.
 * Only wiring lives here; detection rules are in utils/sites/, checking in the background.
 *
 * The page must not be able to drive it or read it: in the shipped build only trusted (user)
 * events start anything and no result is written where the page could read it. The e2e build
 * (E2E_BUILD) adds the hooks of ../shared/CONTRACTS.md: result attributes on the shadow hosts,
 * and a `click` dispatched on a check host starts the check.
 */
import { browser } from 'wxt/browser';
import { renderResultCard, renderSummary } from '@/components/card';
import { FloatLayer, pageIsDark } from './float';
import { markHost, markResult } from './hooks';
import { adapterFor, allSellerMatches, shippedSellerMatches } from '@/utils/sites';
import { E2E_BUILD } from '@/utils/build';
import { bytesToB64, type CardResult, type Response } from '@/utils/messages';
import { getRules, siteEnabled } from '@/utils/settings';
import { t } from '@/utils/i18n';
import { LIMITS } from '@/utils/limits';

const DEV_HOSTS = new Set(['127.0.0.1', 'localhost']);

const BUTTON_CSS = `button{font:12px/1.2 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;padding:4px 8px;border:1px solid #1565c0;
  border-radius:4px;background:#fff;color:#1565c0;cursor:pointer;white-space:nowrap;box-sizing:border-box;overflow:hidden;text-overflow:ellipsis}
  button.dark{background:#1f2227;color:#8ab4f8;border-color:#8ab4f8}button.dark:hover{background:#263238}
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

    /** One buyer photo with its button and (once checked) its floating result. */
    interface Slot {
      n: number;
      img: HTMLImageElement;
      src: string;
      host: HTMLElement;
      button: HTMLButtonElement;
      shown: string;
      card?: CardHandle;
      busy?: boolean;
    }
    const slots: Slot[] = [];
    const floats = new FloatLayer(ctx);
    let checkAllHost: HTMLElement | undefined;
    let summary: SummaryHandle | undefined;
    /** A page script's synthetic event (isTrusted false) starts nothing outside the e2e build. */
    const fromUser = (e: Event) => E2E_BUILD || e.isTrusted;

    /** One 「检测本工单全部图片」 button above the first photo once a ticket shows two or more. */
    function ensureCheckAll() {
      const live = slots.filter((s) => s.host.isConnected);
      if (live.length < 2 || checkAllHost?.isConnected) return;
      const { host, button } = buttonHost('check-all', t('btn_check_all'), 'display:block;margin:4px 0;');
      host.addEventListener('click', (e) => {
        e.preventDefault();
        e.stopPropagation();
        if (!fromUser(e)) return;
        // The background queues them (each check called directly, never by a click); each photo's
        // badge and the summary fill in as checks finish.
        summary ??= createSummary(button);
        summary.open();
        for (const s of slots) if (s.host.isConnected) void runCheck(s, false);
      });
      const first = live[0].img.previousElementSibling ?? live[0].img;
      first.parentElement?.insertBefore(host, first);
      checkAllHost = host;
    }

    /**
     * Put buttons on the buyer photos under `roots` (the whole document on the first scan, then only
     * the parents of what mutations brought or changed): a carousel swapping one `src` costs one
     * small subtree, not the page's every image.
     */
    function scan(roots: Iterable<ParentNode> = [document]) {
      if (isDev && !document.querySelector('[data-refundlens-ticket]')) return;
      for (const root of roots) {
        if (root !== document && !(root as Node).isConnected) continue;
        for (const img of adapter.findBuyerPhotos(root)) {
          if (seen.has(img) || !img.isConnected) continue;
          // Full-size original (lazy-load attributes and srcset resolved by the adapter).
          // (Lazy images still showing a placeholder get no button until their real source arrives.)
          const shownSrc = img.currentSrc || img.src;
          const src = adapter.photoUrl(img) ?? (shownSrc.startsWith('blob:') ? shownSrc : undefined);
          if (!src) continue;
          seen.add(img);
          attachButton(img, src, shownSrc);
        }
      }
      ensureCheckAll();
    }

    async function runCheck(slot: Slot, expand: boolean) {
      const { button, src, img } = slot;
      if (slot.busy) {
        if (expand) slot.card?.setMode('card', true);
        return;
      }
      slot.busy = true;
      button.disabled = true;
      button.textContent = t('btn_checking');
      slot.card ??= createCard(slot);
      slot.card.render('pending', undefined, expand);
      summary?.update();
      let result: CardResult;
      try {
        result = await requestCheck(src, adapter.ticketInfo(document, img));
        // A full-size rewrite that the CDN does not know: check the picture as displayed instead.
        if (result.level === 'error' && src !== slot.shown && /^err_(http_status|fetch_failed|html_not_image|not_image)$/.test(result.error?.code ?? '')) {
          result = await requestCheck(slot.shown, adapter.ticketInfo(document, img));
        }
      } catch (e) {
        // never a card that stays "checking…" for ever
        result = { id: '', level: 'error', reasons: [{ code: 'err_internal', params: { detail: String((e as Error)?.message ?? e).slice(0, 200) }, weight: 1 }], signals: [], error: { code: 'err_internal' } };
      }
      slot.card.render('done', result);
      summary?.update();
      button.disabled = false;
      button.textContent = t('btn_check');
      slot.busy = false;
    }

    function attachButton(img: HTMLImageElement, src: string, shown: string) {
      const { host, button } = buttonHost('check', t('btn_check'), 'display:inline-block;vertical-align:top;margin:2px 4px;');
      markHost(host, 'check', src);
      // The image and its URL are remembered here, not read back from attributes the page could change.
      const slot: Slot = { n: slots.length + 1, img, src, shown, host, button };
      host.addEventListener('click', (e) => {
        e.preventDefault();
        e.stopPropagation();
        if (fromUser(e)) void runCheck(slot, true);
      });
      // the extension gets ready (index, matcher, decoder) while the merchant reads the ticket
      host.addEventListener('pointerenter', (e) => fromUser(e) && prepare());
      host.addEventListener('focusin', (e) => fromUser(e) && prepare());
      img.insertAdjacentElement('afterend', host);
      // The label changes while checking: its width does not, so the page's photos never move.
      requestAnimationFrame(() => {
        const w = host.getBoundingClientRect().width;
        if (w) button.style.width = `${Math.ceil(w)}px`;
      });
      slots.push(slot);
      if (slots.length === 1) prepare();
    }

    let preparedAt = -Infinity;
    function prepare() {
      // at most every 10 s (a stopped service worker is woken up again by the next one)
      if (performance.now() - preparedAt < 10_000) return;
      preparedAt = performance.now();
      void send({ type: 'prepare' });
    }

    interface CardHandle {
      state: 'pending' | 'done';
      result?: CardResult;
      mode: 'chip' | 'card' | 'closed';
      render(state: 'pending' | 'done', result?: CardResult, expand?: boolean): void;
      setMode(mode: 'chip' | 'card' | 'closed', focus?: boolean): void;
    }

    /** The verdict of one photo: a badge on the photo's corner, or the card floating beside it. */
    function createCard(slot: Slot): CardHandle {
      const host = document.createElement('refundlens-result');
      markHost(host, 'result', slot.src);
      const root = floats.mount(host);
      const view = { showMarks: true };
      const handle: CardHandle = {
        state: 'pending',
        mode: 'closed',
        render(state, result, expand) {
          handle.state = state;
          if (state === 'done' && result) handle.result = result;
          markResult(host, state === 'done' ? handle.result : undefined);
          if (expand) handle.setMode('card', true);
          else if (handle.mode === 'closed') handle.setMode('chip');
          else draw(false);
        },
        setMode(mode, focus = false) {
          if (mode === 'card') for (const s of slots) if (s !== slot && s.card?.mode === 'card') s.card.setMode('chip');
          handle.mode = mode;
          draw(focus);
          if (mode === 'chip' && focus) slot.button.focus({ preventScroll: true });
        },
      };
      const draw = (focus: boolean) => {
        const { mode, state } = handle;
        floats.place(host, mode === 'closed' ? undefined : { anchor: slot.img, kind: mode === 'card' ? 'beside' : 'corner', avoid: () => avoidFor(slot) });
        if (mode === 'closed') return;
        renderResultCard(
          root,
          {
            state,
            result: state === 'done' ? handle.result : undefined,
            buyerSrc: slot.src,
            mode,
            dark: pageIsDark(),
            focus,
            onClose: () => handle.setMode('chip', true),
            onExpand: () => handle.setMode('card', true),
            onOpenReport: (id) => void send({ type: 'open-report', id }),
            onRetry: () => void runCheck(slot, true),
          },
          view,
        );
      };
      return handle;
    }

    /** What a card beside `slot`'s photo should not cover: the other photos' buttons and the summary. */
    function avoidFor(slot: Slot | undefined): Element[] {
      const out: Element[] = slots.filter((s) => s !== slot && s.host.isConnected).map((s) => s.host);
      if (slot && summary?.host.isConnected) out.push(summary.host);
      return out;
    }

    interface SummaryHandle {
      host: HTMLElement;
      open(): void;
      update(): void;
    }

    /** The compact panel of 「检测本工单全部图片」: one line, one entry per photo. */
    function createSummary(anchor: HTMLElement): SummaryHandle {
      const host = document.createElement('refundlens-summary');
      markHost(host, 'summary');
      const root = floats.mount(host);
      let shown = false;
      const draw = () => {
        floats.place(host, shown ? { anchor, kind: 'beside', avoid: () => [...avoidFor(undefined), ...slots.map((s) => s.img)] } : undefined);
        if (!shown) return;
        const live = slots.filter((s) => s.host.isConnected);
        renderSummary(root, {
          dark: pageIsDark(),
          items: live.map((s) => ({ n: s.n, state: s.card?.state ?? 'pending', level: s.card?.result?.level })),
          onOpen: (n) => slots.find((s) => s.n === n)?.card?.setMode('card', true),
          onClose: () => {
            shown = false;
            draw();
            anchor.focus({ preventScroll: true });
          },
        });
      };
      return {
        host,
        open() {
          shown = true;
          draw();
        },
        update() {
          if (shown) draw();
        },
      };
    }

    // Esc anywhere on the page closes the open card (and gives the focus back to its button).
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      const open = slots.find((s) => s.card?.mode === 'card');
      if (open) open.card!.setMode('chip', true);
    });

    // Lazy loading and SPA navigation: rescan only the subtrees where images were added or changed,
    // batched, at most ~4×/s. An image that already has its button costs nothing more.
    const dirty = new Set<Element>();
    let pending = false;
    const touch = (el: Element | null) => {
      if (!el) return;
      dirty.add(el);
      if (pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        if (!ctx.isValid) return;
        // outermost subtrees only (a root inside another dirty root is scanned with it)
        const roots = [...dirty].filter((r) => {
          for (let p = r.parentElement; p; p = p.parentElement) if (dirty.has(p)) return false;
          return true;
        });
        dirty.clear();
        scan(roots);
      }, 250);
    };
    const imgChanged = (img: Element) => {
      if (!seen.has(img as HTMLImageElement)) touch(img.parentElement);
    };
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') {
          if ((r.target as Element).tagName === 'IMG') imgChanged(r.target as Element);
          continue;
        }
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          const e = n as Element;
          if (e.tagName === 'IMG') imgChanged(e);
          else if (e.querySelector('img')) touch(e.parentElement ?? e);
        }
      }
    });
    observer.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['src', 'srcset'] });
    document.addEventListener('load', (e) => (e.target as Element)?.tagName === 'IMG' && imgChanged(e.target as Element), true);
    ctx.onInvalidated(() => observer.disconnect());
    scan();
  },
});

/**
 * A light-DOM host `<refundlens-NAME data-refundlens="NAME">` (the stable hook of CONTRACTS.md)
 * holding one button in a closed shadow root: the page can neither read nor restyle it.
 */
function buttonHost(name: 'check' | 'check-all', label: string, hostCss: string): { host: HTMLElement; button: HTMLButtonElement } {
  const host = document.createElement(`refundlens-${name}`);
  markHost(host, name);
  host.style.cssText = hostCss;
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = BUTTON_CSS;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  // the page's own colour scheme where it can be read, else the system's (as the card)
  if (pageIsDark()) button.className = 'dark';
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
    // Copied element by element into this script's own array: in Firefox the buffer can belong to
    // the page's compartment, and spreading or iterating it there throws "Permission denied".
    const view = new Uint8Array(buf);
    const out = new Uint8Array(view.length);
    for (let i = 0; i < view.length; i++) out[i] = view[i];
    return { ok: true, value: out };
  } catch {
    return { ok: false, code: 'err_permission' };
  }
}

/**
 * Floating in-page UI: each result card (and the summary panel) lives in its own closed shadow
 * root on a `position: fixed` host appended to the page's body, so opening one never moves the
 * page's photos. Hosts are placed next to their photo (components/placement.ts) and placed again
 * on scroll (of the page or any scrolling box), resize and when their content changes size.
 */
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { CARD_CSS } from '@/components/card';
import { placeCard, type Rect } from '@/components/placement';

export interface PlaceSpec {
  anchor: Element;
  /** 'beside': the full card next to the photo; 'corner': a badge inside the photo's top-left corner. */
  kind: 'beside' | 'corner';
  /** Elements the card should not cover (other photos' buttons, the summary). */
  avoid: () => Element[];
}

const HOST_CSS = 'position:fixed;left:0;top:0;margin:0;padding:0;border:0;z-index:2147483000;display:block;';

function rectOf(e: Element): Rect {
  const r = e.getBoundingClientRect();
  return { left: r.left, top: r.top, width: r.width, height: r.height };
}

export class FloatLayer {
  private specs = new Map<HTMLElement, PlaceSpec>();
  private queued = false;
  private resize = new ResizeObserver(() => this.schedule());

  constructor(ctx: ContentScriptContext) {
    const on = () => this.schedule();
    window.addEventListener('scroll', on, { capture: true, passive: true });
    window.addEventListener('resize', on, { passive: true });
    ctx.onInvalidated(() => {
      window.removeEventListener('scroll', on, { capture: true });
      window.removeEventListener('resize', on);
      this.resize.disconnect();
      for (const h of this.specs.keys()) h.remove();
    });
  }

  /** A host with its closed shadow root and the element to draw into, not yet shown. */
  mount(host: HTMLElement): HTMLElement {
    host.style.cssText = HOST_CSS + 'display:none;';
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = CARD_CSS;
    const mount = document.createElement('div');
    shadow.append(style, mount);
    (document.body ?? document.documentElement).append(host);
    this.resize.observe(host);
    return mount;
  }

  /** Show `host` placed by `spec`, or hide it (undefined). */
  place(host: HTMLElement, spec: PlaceSpec | undefined): void {
    if (!spec) {
      this.specs.delete(host);
      host.style.setProperty('display', 'none', 'important');
      return;
    }
    this.specs.set(host, spec);
    host.style.setProperty('display', 'block', 'important');
    // re-attach when a page (SPA) replaced its body
    if (!host.isConnected) (document.body ?? document.documentElement).append(host);
    this.schedule();
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.layout();
    });
  }

  /** Place every shown host; cards that already stand are avoided by the ones placed after them. */
  layout(): void {
    const vp = { width: document.documentElement.clientWidth || innerWidth, height: document.documentElement.clientHeight || innerHeight };
    for (const [host, spec] of this.specs) {
      if (!spec.anchor.isConnected) {
        host.style.setProperty('display', 'none', 'important');
        continue;
      }
      host.style.setProperty('display', 'block', 'important');
      // the open card above the badges and the summary
      host.style.setProperty('z-index', spec.kind === 'corner' ? '2147483000' : host.localName === 'refundlens-result' ? '2147483002' : '2147483001', 'important');
      const a = rectOf(spec.anchor);
      const size = host.getBoundingClientRect();
      let left: number, top: number;
      if (spec.kind === 'corner') {
        left = a.left + 4;
        top = a.top + 4;
      } else {
        const p = placeCard(a, { width: size.width, height: size.height }, vp, spec.avoid().map(rectOf));
        left = p.left;
        top = p.top;
        host.dataset.side = p.side;
      }
      host.style.setProperty('left', `${Math.round(left)}px`, 'important');
      host.style.setProperty('top', `${Math.round(top)}px`, 'important');
    }
  }
}

/** Parsed `rgb()/rgba()` of a computed colour; undefined when transparent. */
function rgb(c: string): [number, number, number] | undefined {
  const m = c.match(/rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:[ ,/]+([\d.]+%?))?/);
  if (!m) return undefined;
  const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  if (a < 0.5) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * The card follows the page's own colours where they can be read (a dark seller centre gets a
 * dark card), else the system's `prefers-color-scheme`.
 */
export function pageIsDark(): boolean {
  for (const el of [document.body, document.documentElement]) {
    if (!el) continue;
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c) return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] < 110;
  }
  return matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

import type { SiteAdapter } from './types';
import { generic } from './generic';

/** Every seller-centre adapter, most specific first; `generic` is the fallback. */
export const ADAPTERS: SiteAdapter[] = [];

export function adapterFor(url: URL): SiteAdapter {
  return ADAPTERS.find((a) => a.appliesTo(url)) ?? generic;
}

export { generic };

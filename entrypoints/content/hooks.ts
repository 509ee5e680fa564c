/**
 * The stable hooks of ../shared/CONTRACTS.md on the light-DOM shadow hosts: every attribute an
 * outside tool reads is set here and nowhere else, so a build without hooks only has to change
 * this file. They exist only in the e2e build (E2E_BUILD, a literal: the shipped bundle drops the
 * code): page scripts can read attributes, and the shipped build gives them nothing.
 */
import type { CardResult } from '@/utils/messages';
import { E2E_BUILD } from '@/utils/build';

/** `[data-refundlens="check"]` / `"check-all"` / `"result"` / `"summary"` on a host. */
export function markHost(host: HTMLElement, name: 'check' | 'check-all' | 'result' | 'summary', src?: string): void {
  if (E2E_BUILD) {
    host.setAttribute('data-refundlens', name);
    if (src !== undefined) host.setAttribute('data-src', src);
  }
}

/** The result host's verdict, check id and matched reference (cleared while a check runs). */
export function markResult(host: HTMLElement, result: CardResult | undefined): void {
  if (E2E_BUILD) {
    if (!result) {
      host.removeAttribute('data-verdict');
      return;
    }
    host.setAttribute('data-verdict', result.level);
    if (result.id) host.setAttribute('data-check-id', result.id);
    else host.removeAttribute('data-check-id');
    if (result.match) host.setAttribute('data-match', result.match.referenceName);
    else host.removeAttribute('data-match');
  }
}

import { createRoot } from 'react-dom/client';
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import '@/components/page.css';
import { t } from '@/utils/i18n';
import { LibraryManager } from '@/components/LibraryManager';
import { getRules, setSiteEnabled, siteEnabled } from '@/utils/settings';
import { ADAPTERS } from '@/utils/sites';
import { listLibraries, openLibraryDb } from '@/utils/library/db';

/** Whether RefundLens works on this page by itself, through a merchant rule, or could be enabled. */
type Support = { kind: 'platform'; name: string } | { kind: 'rule' } | { kind: 'none' } | { kind: 'not-web' };

function Popup() {
  const [host, setHost] = useState<string>();
  const [enabled, setEnabled] = useState(true);
  const [support, setSupport] = useState<Support>();
  const [photos, setPhotos] = useState<number>();
  useEffect(() => {
    void openLibraryDb().then(listLibraries).then((ls) => setPhotos(ls.reduce((n, l) => n + l.count, 0))).catch(() => setPhotos(undefined));
    void browser.tabs.query({ active: true, currentWindow: true }).then(async ([tab]) => {
      try {
        const url = new URL(tab?.url ?? '');
        if (!/^https?:$/.test(url.protocol)) return setSupport({ kind: 'not-web' });
        const h = url.hostname;
        setHost(h);
        setEnabled(await siteEnabled(h));
        const platform = ADAPTERS.find((a) => a.appliesTo(url));
        if (platform) return setSupport({ kind: 'platform', name: (platform as { name?: string }).name ?? platform.id });
        const rules = await getRules();
        const ruled = rules.some((r) => r.host === h || (r.host.startsWith('*.') && (h === r.host.slice(2) || h.endsWith(r.host.slice(1)))));
        setSupport({ kind: ruled ? 'rule' : 'none' });
      } catch {
        setSupport({ kind: 'not-web' });
      }
    });
  }, []);
  const open = (hash: string) => void browser.tabs.create({ url: browser.runtime.getURL(`/options.html#${hash}` as '/options.html') });
  return (
    <main style={{ width: 360, padding: 12 }}>
      <h1 style={{ fontSize: 16, margin: '0 0 8px' }}>{t('popup_title')}</h1>
      {photos === 0 && (
        <div className="guide" data-refundlens="first-run">
          <h3>{t('guide_title')}</h3>
          <p>{t('guide_what')}</p>
          <button className="primary" onClick={() => open('libraries')}>{t('guide_open_library')}</button>
        </div>
      )}
      <LibraryManager compact />
      {support && (
        <p className="site" data-refundlens="popup-site" data-support={support.kind}>
          {support.kind === 'platform' && <>✔ {t('popup_site_supported', { name: support.name })}</>}
          {support.kind === 'rule' && <>✔ {t('popup_site_rule', { host: host ?? '' })}</>}
          {support.kind === 'none' && (
            <>
              {t('popup_site_unsupported', { host: host ?? '' })}{' '}
              <button onClick={() => open('sites')}>{t('popup_site_add_rule')}</button>
            </>
          )}
          {support.kind === 'not-web' && <span className="muted">{t('popup_site_not_web')}</span>}
        </p>
      )}
      {host && support && support.kind !== 'none' && (
        <p>
          <label>
            <input type="checkbox" checked={enabled} onChange={async (e) => { setEnabled(e.target.checked); await setSiteEnabled(host, e.target.checked); }} />{' '}
            {t('popup_site_enabled')} <b>{host}</b>
          </label>
        </p>
      )}
      <p>
        <button className="primary" onClick={() => void browser.runtime.openOptionsPage()}>{t('popup_open_options')}</button>
      </p>
      <p className="muted" style={{ fontSize: 12 }}>🔒 {t('popup_private')}</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<Popup />);

import { createRoot } from 'react-dom/client';
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import '@/components/page.css';
import { t } from '@/utils/i18n';
import { LibraryManager } from '@/components/LibraryManager';
import { setSiteEnabled, siteEnabled } from '@/utils/settings';

function Popup() {
  const [host, setHost] = useState<string>();
  const [enabled, setEnabled] = useState(true);
  useEffect(() => {
    void browser.tabs.query({ active: true, currentWindow: true }).then(async ([tab]) => {
      try {
        const h = new URL(tab?.url ?? '').hostname;
        if (h) {
          setHost(h);
          setEnabled(await siteEnabled(h));
        }
      } catch {
        /* not a web page */
      }
    });
  }, []);
  return (
    <main style={{ width: 360, padding: 12 }}>
      <h1 style={{ fontSize: 16, margin: '0 0 8px' }}>{t('popup_title')}</h1>
      <LibraryManager compact />
      {host && (
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

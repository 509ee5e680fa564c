import { createRoot } from 'react-dom/client';
import { useState } from 'react';
import '@/components/page.css';
import { t } from '@/utils/i18n';
import { LibraryManager } from '@/components/LibraryManager';
import { HistoryView } from '@/components/HistoryView';

const TABS = [
  { id: 'libraries', label: 'opt_tab_libraries' },
  { id: 'history', label: 'opt_tab_history' },
] as const;

function Options() {
  const [tab, setTab] = useState<(typeof TABS)[number]['id']>(() => (location.hash === '#history' ? 'history' : 'libraries'));
  return (
    <main style={{ maxWidth: 1000, margin: '0 auto', padding: 16 }}>
      <h1 style={{ fontSize: 20 }}>{t('popup_title')}</h1>
      <div className="tabs" role="tablist">
        {TABS.map((x) => (
          <button key={x.id} role="tab" aria-selected={tab === x.id} onClick={() => { setTab(x.id); history.replaceState(null, '', '#' + x.id); }}>
            {t(x.label)}
          </button>
        ))}
      </div>
      {tab === 'libraries' && <LibraryManager />}
      {tab === 'history' && <HistoryView />}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<Options />);

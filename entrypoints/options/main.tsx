import { createRoot } from 'react-dom/client';
import { useState } from 'react';
import '@/components/page.css';
import { t } from '@/utils/i18n';
import { LibraryManager } from '@/components/LibraryManager';
import { HistoryView } from '@/components/HistoryView';
import { BackupView } from '@/components/BackupView';
import { VideoImport } from '@/components/VideoImport';
import { SitesView } from '@/components/SitesView';

const TABS = [
  { id: 'libraries', label: 'opt_tab_libraries' },
  { id: 'video', label: 'opt_tab_video' },
  { id: 'history', label: 'opt_tab_history' },
  { id: 'sites', label: 'opt_tab_sites' },
  { id: 'backup', label: 'opt_tab_backup' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function Options() {
  const [tab, setTab] = useState<TabId>(() => TABS.find((x) => '#' + x.id === location.hash)?.id ?? 'libraries');
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
      {tab === 'video' && <VideoImport />}
      {tab === 'history' && <HistoryView />}
      {tab === 'sites' && <SitesView />}
      {tab === 'backup' && <BackupView />}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<Options />);

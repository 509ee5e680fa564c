import { useRef, useState } from 'react';
import { browser } from 'wxt/browser';
import { t } from '@/utils/i18n';
import { openLibraryDb } from '@/utils/library/db';
import { BackupError, backupKeys, createBackup, parseBackup, restoreBackup, type BackupProgress, type SettingsStore } from '@/utils/library/backup';
import { formatBytes } from '@/utils/report/format';
import { download } from './report/download';

/** Chunks are folded into Blobs every this many bytes, so the page never holds the ZIP twice. */
const BLOB_FOLD = 16 * 1024 * 1024;

async function readSettings(): Promise<Record<string, unknown>> {
  try {
    return await browser.storage.local.get(null);
  } catch {
    return {};
  }
}

/** storage.local as the restore sees it: only the keys a backup carries are replaced. */
const storageSettings: SettingsStore = {
  get: () => readSettings(),
  replace: async (next) => {
    const stale = Object.keys(backupKeys(await readSettings())).filter((k) => !(k in next));
    if (stale.length) await browser.storage.local.remove(stale);
    if (Object.keys(next).length) await browser.storage.local.set(next);
  },
};

function errorText(e: unknown): string {
  if (e instanceof BackupError) return t('bak_failed', { reason: t(e.code, e.params) });
  if ((e as DOMException)?.name === 'QuotaExceededError') return t('bak_failed', { reason: t('bak_err_quota') });
  return t('bak_failed', { reason: (e as Error)?.message ?? String(e) });
}

/** One-file backup of libraries, photos, history and settings; all-or-nothing restore. */
export function BackupView() {
  const [progress, setProgress] = useState<BackupProgress>();
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const backup = async () => {
    setBusy(true);
    setDone(undefined);
    setError(undefined);
    try {
      const db = await openLibraryDb();
      const parts: Blob[] = [];
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const fold = () => {
        if (pending.length) parts.push(new Blob(pending as Uint8Array<ArrayBuffer>[]));
        pending = [];
        pendingBytes = 0;
      };
      const now = new Date();
      const manifest = await createBackup(db, {
        now,
        app: browser.runtime.getManifest?.().version,
        settings: await readSettings(),
        onProgress: setProgress,
        sink: (c) => {
          pending.push(c);
          pendingBytes += c.length;
          if (pendingBytes >= BLOB_FOLD) fold();
        },
      });
      fold();
      const blob = new Blob(parts, { type: 'application/zip' });
      const name = `refundlens-backup-${now.toISOString().slice(0, 10)}.zip`;
      download(blob, name);
      setDone(`${t('bak_done', { name, size: formatBytes(blob.size) })} ${t('bak_counts', manifest.counts)}`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const restore = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setDone(undefined);
    setError(undefined);
    try {
      setProgress({ phase: 'read', done: 0, total: 1 });
      const parsed = await parseBackup(new Uint8Array(await file.arrayBuffer()), setProgress);
      const c = { libraries: parsed.records.libraries.length, references: parsed.records.references.length, checks: parsed.records.checks.length };
      if (!confirm(t('bak_restore_confirm', { ...c, date: new Date(parsed.manifest.createdAt).toLocaleString() }))) return;
      // Settings were validated with the records; they are written and rolled back with them.
      await restoreBackup(await openLibraryDb(), parsed, setProgress, storageSettings);
      setDone(t('bak_restored', c));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-refundlens="backup">
      <p className="muted" style={{ maxWidth: 760 }}>{t('bak_intro')}</p>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap', alignItems: 'center' }}>
        <button className="primary" disabled={busy} onClick={() => void backup()} data-refundlens="backup-create">{t('bak_create')}</button>
        <label className="file-button">
          {t('bak_restore')}
          <input
            ref={input}
            type="file"
            accept=".zip,application/zip"
            disabled={busy}
            data-refundlens="backup-restore"
            onChange={(e) => { void restore(e.target.files?.[0]); e.target.value = ''; }}
          />
        </label>
      </div>
      {busy && progress && (
        <div role="status" aria-live="polite" style={{ marginTop: 10 }}>
          <progress max={Math.max(1, progress.total)} value={progress.done} data-refundlens="backup-progress" style={{ width: 320 }} />{' '}
          {t(progress.phase === 'write' ? 'bak_creating' : 'bak_reading', { done: progress.done, total: progress.total })}
        </div>
      )}
      {done && <p role="status" data-refundlens="backup-done">{done}</p>}
      {error && <p role="alert" className="error" data-refundlens="backup-error">{error}</p>}
    </div>
  );
}

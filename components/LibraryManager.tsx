import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { t } from '@/utils/i18n';
import {
  createLibrary, deleteLibrary, deleteReference, ensureDefaultLibrary, listLibraries, listReferences, openLibraryDb, renameLibrary,
  type Library,
} from '@/utils/library/db';
import { bytesToDataUrl } from '@/utils/messages';
import { importFiles, type ImportProgress } from './importer';

type Lib = Library & { count: number };
type Photo = Awaited<ReturnType<typeof listReferences>>[number];

/** data: URL of each thumbnail, made once per stored record (not on every render of the grid). */
const thumbUrls = new WeakMap<Uint8Array, string>();
function thumbUrl(p: Photo): string {
  let url = thumbUrls.get(p.thumb);
  if (!url) thumbUrls.set(p.thumb, (url = bytesToDataUrl(p.thumb, 'image/jpeg')));
  return url;
}

/**
 * One photo of the grid. Memoised: while an import adds photos one by one, only the new tile
 * renders (re-rendering every tile made a large import quadratic).
 */
const PhotoTile = memo(function PhotoTile({ photo: p, onRemove }: { photo: Photo; onRemove: (id: string) => Promise<void> }) {
  return (
    <figure>
      <img src={thumbUrl(p)} alt={p.name} loading="lazy" />
      <figcaption title={p.name}>
        {p.source.kind === 'video-frame' ? '🎞 ' : ''}{p.name}
      </figcaption>
      <button style={{ margin: 4, fontSize: 12 }} onClick={() => void onRemove(p.id)}>
        {t('lib_remove_photo')}
      </button>
    </figure>
  );
});

/** Libraries: list, create, rename, delete; photos: add (picker or drop) with progress, remove. */
export function LibraryManager({ compact = false }: { compact?: boolean }) {
  const [libs, setLibs] = useState<Lib[]>([]);
  const [current, setCurrent] = useState<string>('');
  const [photos, setPhotos] = useState<Awaited<ReturnType<typeof listReferences>>>([]);
  const [progress, setProgress] = useState<ImportProgress>();
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  /** The first load: files dropped before it finishes wait for it instead of being ignored. */
  const firstLoad = useRef<Promise<string> | undefined>(undefined);

  const refresh = useCallback(async (select?: string): Promise<string> => {
    const db = await openLibraryDb();
    await ensureDefaultLibrary(db, t('lib_default_name'));
    const all = await listLibraries(db);
    setLibs(all);
    const id = select ?? (all.some((l) => l.id === current) ? current : all[0]?.id);
    setCurrent(id ?? '');
    if (id && !compact) setPhotos(await listReferences(db, id));
    return id ?? '';
  }, [current, compact]);

  useEffect(() => {
    firstLoad.current = refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onFiles = async (files: File[]) => {
    if (!files.length) return;
    // photos chosen while the page is still opening go into the library it is about to show
    const id = current || (await firstLoad.current?.catch(() => '')) || '';
    if (!id) return;
    // live: the count and the thumbnails grow while the import runs
    await importFiles(files, id, setProgress, undefined, (rec) => {
      setLibs((ls) => ls.map((l) => (l.id === id ? { ...l, count: l.count + 1 } : l)));
      if (!compact) setPhotos((ps) => [...ps, rec]);
    });
    await refresh(id);
  };

  const removePhoto = useCallback(async (id: string) => {
    await deleteReference(await openLibraryDb(), id);
    await refresh(current);
  }, [refresh, current]);

  const lib = libs.find((l) => l.id === current);
  const busy = progress && progress.done < progress.total;
  const firstRun = libs.length > 0 && libs.every((l) => l.count === 0) && !busy;
  return (
    <div>
      {firstRun && !compact && (
        <div className="guide" data-refundlens="first-run">
          <h3>{t('guide_title')}</h3>
          <p>{t('guide_what')}</p>
          <p>{t('guide_then')}</p>
        </div>
      )}
      <div style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
        <label>
          {t('popup_libraries')}{' '}
          <select value={current} onChange={(e) => void refresh(e.target.value)} data-refundlens="library-select">
            {libs.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} ({l.count})
              </option>
            ))}
          </select>
        </label>
        <span>
          {t('lib_photo_count')}: <b data-refundlens="library-count">{lib?.count ?? 0}</b>
        </span>
        {!compact && (
          <>
            <button onClick={async () => {
              const name = prompt(t('lib_new'), t('lib_default_name'));
              if (name) await refresh((await createLibrary(await openLibraryDb(), name)).id);
            }}>{t('lib_new')}</button>
            <button disabled={!lib} onClick={async () => {
              const name = lib && prompt(t('lib_rename'), lib.name);
              if (lib && name) { await renameLibrary(await openLibraryDb(), lib.id, name); await refresh(lib.id); }
            }}>{t('lib_rename')}</button>
            <button className="danger" disabled={!lib} onClick={async () => {
              if (lib && confirm(t('lib_delete_confirm', { name: lib.name, count: lib.count }))) {
                await deleteLibrary(await openLibraryDb(), lib.id);
                await refresh('');
              }
            }}>{t('lib_delete')}</button>
          </>
        )}
      </div>
      <div
        className={'dropzone' + (over ? ' over' : '')}
        style={{ marginTop: 10 }}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); void onFiles([...e.dataTransfer.files]); }}
      >
        <p style={{ margin: '0 0 8px' }}>{t('lib_drop_here')}</p>
        <label className="file-button">
          {t('lib_choose_files')}
          <input
            ref={input}
            type="file"
            multiple
            accept="image/*"
            data-refundlens="library-import"
            aria-label={t('lib_import')}
            disabled={!!busy}
            onChange={(e) => { void onFiles([...(e.target.files ?? [])]); e.target.value = ''; }}
          />
        </label>
      </div>
      {progress && (
        <div role="status" aria-live="polite" style={{ marginTop: 8 }}>
          {busy ? (
            <>
              <progress max={progress.total} value={progress.done} data-refundlens="import-progress" />
              <div>{t('lib_importing', { done: progress.done, total: progress.total })}</div>
            </>
          ) : (
            <div data-refundlens="import-done">{t('lib_import_done', { added: progress.added, skipped: progress.skipped, failed: progress.failed.length })}</div>
          )}
          {progress.quotaExceeded && <div className="error">{t('lib_quota')}</div>}
          {progress.failed.map((f, i) => (
            <div key={i} className="error">{t('lib_import_failed_file', { name: f.name, reason: f.reason })}</div>
          ))}
        </div>
      )}
      {!compact && (
        <>
        {photos.length === 0 && !busy && <p className="muted" style={{ marginTop: 12 }}>{t('lib_empty')}</p>}
        <div className="grid" style={{ marginTop: 12 }}>
          {photos.map((p) => <PhotoTile key={p.id} photo={p} onRemove={removePhoto} />)}
        </div>
        </>
      )}
    </div>
  );
}

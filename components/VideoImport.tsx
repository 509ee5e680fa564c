import { useEffect, useRef, useState } from 'react';
import { t } from '@/utils/i18n';
import { addReference, ensureDefaultLibrary, listLibraries, openLibraryDb, type Library } from '@/utils/library/db';
import { prepareReference } from '@/utils/library/prepare';
import { decodeInBrowser, encodeInBrowser } from '@/utils/image/decode-browser';
import { toCheckError } from '@/utils/errors';
import { formatTimestamp, frameReferenceName } from '@/utils/video/timecode';
import { recordedAt as readRecordedAt, type RecordedSource } from '@/utils/video/recorded';
import { DEFAULT_INTERVAL_MS } from '@/utils/video/frames';
import {
  VideoCodecError, grabFrameJpeg, looksLikeVideo, openVideo, sampleFrames, type OpenedVideo, type SampleProgress, type SampledFrame,
} from '@/utils/video/sample-browser';
import { formatTime } from '@/utils/report/format';

type Lib = Library & { count: number };

interface Loaded {
  name: string;
  video: OpenedVideo;
  recordedAt?: string;
  recordedSource?: RecordedSource;
}

const offset = () => -new Date().getTimezoneOffset();

/** Packing videos → reference frames: import, sample, pick, add to a library. */
export function VideoImport() {
  const [libs, setLibs] = useState<Lib[]>([]);
  const [lib, setLib] = useState('');
  const [loaded, setLoaded] = useState<Loaded>();
  const [frames, setFrames] = useState<SampledFrame[]>([]);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [progress, setProgress] = useState<SampleProgress>();
  const [adding, setAdding] = useState<{ done: number; total: number }>();
  const [result, setResult] = useState<{ added: number; skipped: number }>();
  const [error, setError] = useState<string>();
  const abort = useRef<AbortController | undefined>(undefined);
  const current = useRef<Loaded | undefined>(undefined);

  useEffect(() => {
    void (async () => {
      const db = await openLibraryDb();
      await ensureDefaultLibrary(db, t('lib_default_name'));
      const all = await listLibraries(db);
      setLibs(all);
      setLib((l) => l || all[0]?.id || '');
    })();
    return () => {
      abort.current?.abort();
      current.current?.video.close();
    };
  }, []);

  const reset = () => {
    abort.current?.abort();
    current.current?.video.close();
    current.current = undefined;
    for (const f of frames) URL.revokeObjectURL(f.thumbUrl);
    setLoaded(undefined);
    setFrames([]);
    setPicked(new Set());
    setProgress(undefined);
    setResult(undefined);
    setError(undefined);
  };

  const onFile = async (file: File | undefined) => {
    reset();
    if (!file) return;
    if (!looksLikeVideo(file)) {
      setError(t('vid_not_video', { name: file.name }));
      return;
    }
    const ctl = new AbortController();
    abort.current = ctl;
    try {
      const video = await openVideo(file);
      const rec = await readRecordedAt(async (o, n) => new Uint8Array(await file.slice(o, o + n).arrayBuffer()), file.size, file.lastModified);
      const l: Loaded = { name: file.name, video, recordedAt: rec.recordedAt, recordedSource: rec.source };
      current.current = l;
      setLoaded(l);
      const found: SampledFrame[] = [];
      await sampleFrames(video, {
        signal: ctl.signal,
        onProgress: (p, f) => {
          setProgress(p);
          if (f) {
            found.push(f);
            setFrames([...found]);
            if (f.preselected) setPicked((s) => new Set(s).add(f.timeMs));
          }
        },
      });
    } catch (e) {
      if ((e as DOMException)?.name === 'AbortError') return;
      if (e instanceof VideoCodecError) setError(t('vid_codec', { name: file.name, type: e.mime }));
      else setError(t('vid_failed', { reason: (e as Error)?.message ?? String(e) }));
    }
  };

  const add = async () => {
    if (!loaded || !lib) return;
    const times = frames.filter((f) => picked.has(f.timeMs)).map((f) => f.timeMs);
    const db = await openLibraryDb();
    const r = { added: 0, skipped: 0 };
    setResult(undefined);
    setAdding({ done: 0, total: times.length });
    try {
      for (let i = 0; i < times.length; i++) {
        const bytes = await grabFrameJpeg(loaded.video, times[i]);
        const rec = await prepareReference(bytes, frameReferenceName(loaded.name, times[i]), lib, { decode: decodeInBrowser, encode: encodeInBrowser }, {
          kind: 'video-frame', video: loaded.name, timeMs: times[i], recordedAt: loaded.recordedAt,
        });
        if (await addReference(db, rec)) r.added++;
        else r.skipped++;
        setAdding({ done: i + 1, total: times.length });
      }
      setResult(r);
      setLibs(await listLibraries(db));
    } catch (e) {
      const err = toCheckError(e);
      setError(t('vid_failed', { reason: (e as DOMException)?.name === 'QuotaExceededError' ? t('lib_quota') : t(err.code, err.params) }));
    } finally {
      setAdding(undefined);
    }
  };

  const sampling = !!progress && progress.doneMs < progress.totalMs;
  const selected = frames.filter((f) => picked.has(f.timeMs)).length;
  const toggle = (ms: number) => setPicked((s) => {
    const n = new Set(s);
    if (n.has(ms)) n.delete(ms);
    else n.add(ms);
    return n;
  });

  return (
    <div data-refundlens="video">
      <p className="muted" style={{ maxWidth: 760 }}>{t('vid_intro')}</p>
      <label className="file-button">
        {t('vid_choose')}
        <input
          type="file"
          accept="video/mp4,video/webm,video/quicktime,.mp4,.m4v,.mov,.webm,.mkv"
          data-refundlens="video-import"
          disabled={sampling || !!adding}
          onChange={(e) => { void onFile(e.target.files?.[0]); e.target.value = ''; }}
        />
      </label>
      <div className="muted" style={{ fontSize: 12, marginTop: 4 }}>{t('vid_interval', { seconds: DEFAULT_INTERVAL_MS / 1000 })}</div>
      {error && <p className="error" role="alert" data-refundlens="video-error">{error}</p>}
      {loaded && (
        <div style={{ marginTop: 10 }}>
          <strong>{loaded.name}</strong>{' '}
          <span className="muted">
            {loaded.video.width}×{loaded.video.height} · {formatTimestamp(loaded.video.durationMs)} ·{' '}
            {loaded.recordedAt && loaded.recordedSource !== 'file-date'
              ? t('vid_recorded', { date: formatTime(loaded.recordedAt, offset()) })
              : t('vid_recorded_unknown', { date: loaded.recordedAt ? formatTime(loaded.recordedAt, offset()) : '—' })}
          </span>
        </div>
      )}
      {progress && (
        <div role="status" aria-live="polite" style={{ marginTop: 8 }}>
          <progress max={Math.max(1, progress.totalMs)} value={progress.doneMs} data-refundlens="video-progress" style={{ width: 320 }} />{' '}
          {sampling
            ? t('vid_sampling', { done: Math.floor(progress.doneMs / 1000), total: Math.ceil(progress.totalMs / 1000) })
            : <span data-refundlens="video-sampled">{t('vid_found', { count: frames.length, selected })}</span>}
        </div>
      )}
      {frames.length > 0 && (
        <>
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'center', marginTop: 10 }}>
            <button onClick={() => setPicked(new Set(frames.map((f) => f.timeMs)))}>{t('vid_select_all')}</button>
            <button onClick={() => setPicked(new Set())}>{t('vid_select_none')}</button>
            <button onClick={() => setPicked(new Set(frames.filter((f) => f.preselected).map((f) => f.timeMs)))}>{t('vid_select_scenes')}</button>
            <label>
              {t('vid_target_library')}{' '}
              <select value={lib} onChange={(e) => setLib(e.target.value)} data-refundlens="video-library">
                {libs.map((l) => <option key={l.id} value={l.id}>{l.name} ({l.count})</option>)}
              </select>
            </label>
            <button
              className="primary"
              disabled={!selected || sampling || !!adding || !lib}
              onClick={() => void add()}
              data-refundlens="video-add"
            >
              {t('vid_add', { count: selected })}
            </button>
          </div>
          {adding && (
            <div role="status" style={{ marginTop: 8 }}>
              <progress max={adding.total} value={adding.done} /> {t('vid_adding', adding)}
            </div>
          )}
          {result && <p data-refundlens="video-done" role="status">{t('vid_added', result)}</p>}
          <div className="grid" style={{ marginTop: 10 }} data-refundlens="video-frames">
            {frames.map((f) => (
              <figure key={f.timeMs} style={{ outline: picked.has(f.timeMs) ? '3px solid #1565c0' : undefined }}>
                <label style={{ display: 'block', cursor: 'pointer' }}>
                  <img src={f.thumbUrl} alt={`${loaded?.name} ${formatTimestamp(f.timeMs)}`} />
                  <figcaption>
                    <input type="checkbox" checked={picked.has(f.timeMs)} onChange={() => toggle(f.timeMs)} data-time-ms={f.timeMs} />{' '}
                    {formatTimestamp(f.timeMs)}{f.reason === 'scene' ? ` · ${t('vid_scene')}` : ''}
                  </figcaption>
                </label>
              </figure>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { t } from '@/utils/i18n';
import {
  applyRetention, deleteChecks, getRetentionDays, openLibraryDb, repeatBuyerCounts, searchChecks, setRetentionDays,
  type HistoryFilter, type HistoryRow,
} from '@/utils/library/db';
import { bytesToDataUrl } from '@/utils/messages';
import { formatTime, ticketOffset } from '@/utils/report/format';
import type { VerdictLevel } from '@/utils/types';
import { LEVEL_COLOUR, LEVEL_KEY } from '@/utils/levels';

const LEVELS: VerdictLevel[] = ['derived-edited', 'derived', 'ai-labelled', 'edited', 'no-evidence', 'error'];
const RETENTION = [0, 30, 90, 180, 365, 730];

/** Local calendar date "YYYY-MM-DD" → ISO time of its start (or, with `end`, its last millisecond). */
function localDayIso(day: string, end = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (end ? 1 : 0));
  return new Date(d.getTime() - (end ? 1 : 0)).toISOString();
}

/** Check history: filters, repeat-buyer flags, delete, retention. */
export function HistoryView() {
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [repeat, setRepeat] = useState<Map<string, number>>(new Map());
  const [text, setText] = useState('');
  const [buyer, setBuyer] = useState('');
  const [order, setOrder] = useState('');
  const [level, setLevel] = useState<VerdictLevel | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [retention, setRetention] = useState(0);
  const [note, setNote] = useState<string>();

  // Filters change faster than queries finish: only the newest query may set the rows.
  const latest = useRef(0);
  const load = useCallback(async () => {
    const seq = ++latest.current;
    const db = await openLibraryDb();
    const f: HistoryFilter = {
      text: text || undefined, buyer: buyer || undefined, order: order || undefined, level: level || undefined,
      from: localDayIso(from), to: localDayIso(to, true),
    };
    const list = await searchChecks(db, f);
    if (seq !== latest.current) return;
    const counts = await repeatBuyerCounts(db, list);
    if (seq !== latest.current) return;
    setRows(list);
    setRepeat(counts);
  }, [text, buyer, order, level, from, to]);

  useEffect(() => {
    void (async () => {
      const db = await openLibraryDb();
      const days = (await getRetentionDays(db)) ?? 0;
      setRetention(days);
      const n = await applyRetention(db);
      if (n) setNote(t('hist_pruned', { count: n, days }));
    })();
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const changeRetention = async (days: number) => {
    const db = await openLibraryDb();
    await setRetentionDays(db, days || undefined);
    setRetention(days);
    const n = await applyRetention(db);
    setNote(n ? t('hist_pruned', { count: n, days }) : undefined);
    await load();
  };

  const remove = async (ids: string[], question: string) => {
    if (!ids.length || !confirm(question)) return;
    await deleteChecks(await openLibraryDb(), ids);
    await load();
  };

  const filtered = !!(text || buyer || order || level || from || to);
  return (
    <div data-refundlens="history">
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'end' }}>
        <label style={{ flex: '1 1 220px' }}>
          <span className="muted" style={{ display: 'block', fontSize: 12 }}>{t('hist_search')}</span>
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} style={{ width: '100%' }} data-refundlens="history-search" />
        </label>
        <label>
          <span className="muted" style={{ display: 'block', fontSize: 12 }}>{t('hist_buyer')}</span>
          <input value={buyer} onChange={(e) => setBuyer(e.target.value)} size={12} data-refundlens="history-buyer" />
        </label>
        <label>
          <span className="muted" style={{ display: 'block', fontSize: 12 }}>{t('hist_order')}</span>
          <input value={order} onChange={(e) => setOrder(e.target.value)} size={14} data-refundlens="history-order" />
        </label>
        <label>
          <span className="muted" style={{ display: 'block', fontSize: 12 }}>{t('hist_verdict')}</span>
          <select value={level} onChange={(e) => setLevel(e.target.value as VerdictLevel | '')} data-refundlens="history-level">
            <option value="">{t('hist_all')}</option>
            {LEVELS.map((l) => <option key={l} value={l}>{t(LEVEL_KEY[l])}</option>)}
          </select>
        </label>
        <label>
          <span className="muted" style={{ display: 'block', fontSize: 12 }}>{t('hist_from')}</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-refundlens="history-from" />
        </label>
        <label>
          <span className="muted" style={{ display: 'block', fontSize: 12 }}>{t('hist_to')}</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-refundlens="history-to" />
        </label>
        {filtered && (
          <button onClick={() => { setText(''); setBuyer(''); setOrder(''); setLevel(''); setFrom(''); setTo(''); }}>{t('hist_clear_filters')}</button>
        )}
      </div>
      <div style={{ display: 'flex', gap: 12, alignItems: 'center', margin: '10px 0', flexWrap: 'wrap' }}>
        <span data-refundlens="history-count" data-count={rows.length}>{t('hist_count', { count: rows.length })}</span>
        {rows.length > 0 && (
          <button className="danger" onClick={() => void remove(rows.map((r) => r.id), t('hist_delete_shown_confirm', { count: rows.length }))}>
            {t('hist_delete_shown')}
          </button>
        )}
        <label style={{ marginLeft: 'auto' }}>
          {t('hist_retention')}{' '}
          <select value={retention} onChange={(e) => void changeRetention(Number(e.target.value))} data-refundlens="history-retention">
            {RETENTION.map((d) => <option key={d} value={d}>{d ? t('hist_retention_days', { days: d }) : t('hist_retention_forever')}</option>)}
          </select>
        </label>
      </div>
      {note && <p role="status" className="muted">{note}</p>}
      {rows.length === 0 ? (
        <p className="muted">{t('hist_empty')}</p>
      ) : (
        <table>
          <tbody>
            {rows.map((r) => {
              const n = repeat.get(r.id);
              return (
                <tr key={r.id} data-refundlens="history-row" data-check-id={r.id} data-verdict={r.level}>
                  <td style={{ width: 72 }}>{r.thumb && <img src={bytesToDataUrl(r.thumb, 'image/jpeg')} alt="" style={{ width: 64, display: 'block' }} />}</td>
                  <td>
                    <span className="badge" style={{ background: LEVEL_COLOUR[r.level] }}>{t(LEVEL_KEY[r.level])}</span>
                    <div className="muted" style={{ fontSize: 12 }}>{formatTime(r.checkedAt, ticketOffset(r.result.ticket, -new Date().getTimezoneOffset()))}</div>
                    {r.result.match && <div style={{ fontSize: 12 }}>{t('card_your_photo')}: {r.result.match.referenceName}</div>}
                  </td>
                  <td>
                    {r.buyer ?? '—'}
                    {n ? <div className="error" style={{ fontSize: 12, fontWeight: 600 }} data-refundlens="history-repeat">⚠ {t('hist_repeat', { count: n })}</div> : null}
                    <div className="muted" style={{ fontSize: 12 }}>{r.orderId}</div>
                  </td>
                  <td style={{ maxWidth: 260, overflowWrap: 'anywhere', fontSize: 12 }} className="muted">{r.result.file?.sourceUrl}</td>
                  <td className="row-actions">
                    <a className="button primary" href={`/report.html?check=${r.id}`} target="_blank" rel="noreferrer">{t('btn_open_report')}</a>
                    <button className="danger" onClick={() => void remove([r.id], t('hist_delete_confirm'))} aria-label={`${t('hist_delete')} ${r.orderId ?? ''}`}>
                      {t('hist_delete')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

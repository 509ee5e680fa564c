import { useEffect, useState } from 'react';
import { t } from '@/utils/i18n';
import { listChecks, openLibraryDb, type CheckRecord } from '@/utils/library/db';
import { bytesToDataUrl } from '@/utils/messages';
import { LEVEL_COLOUR, LEVEL_KEY } from './labels';

/** Check history, newest first, with a text filter (buyer, order, URL, matched photo). */
export function HistoryView() {
  const [rows, setRows] = useState<Omit<CheckRecord, 'image'>[]>([]);
  const [text, setText] = useState('');
  useEffect(() => {
    void openLibraryDb().then((db) => listChecks(db, { text: text || undefined })).then(setRows);
  }, [text]);
  return (
    <div>
      <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="🔍" aria-label="search" />
      <table style={{ marginTop: 8 }}>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{r.thumb && <img src={bytesToDataUrl(r.thumb, 'image/jpeg')} alt="" style={{ width: 64 }} />}</td>
              <td>
                <span className="badge" style={{ background: LEVEL_COLOUR[r.level] }}>{t(LEVEL_KEY[r.level])}</span>
                <div className="muted">{new Date(r.checkedAt).toLocaleString()}</div>
              </td>
              <td>{r.buyer}<div className="muted">{r.orderId}</div></td>
              <td><a href={`/report.html?check=${r.id}`} target="_blank" rel="noreferrer">{t('btn_open_report')}</a></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

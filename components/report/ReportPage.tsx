import { useEffect, useState } from 'react';
import { t } from '@/utils/i18n';
import { getCheck, getReference, openLibraryDb, type CheckRecord } from '@/utils/library/db';
import { bytesToDataUrl } from '@/utils/messages';
import { LEVEL_COLOUR, LEVEL_KEY } from '../labels';

/** Evidence report of one stored check: `report.html?check=<id>`. */
export function ReportPage({ id }: { id: string }) {
  const [rec, setRec] = useState<CheckRecord | null>();
  const [refThumb, setRefThumb] = useState<string>();
  useEffect(() => {
    void (async () => {
      const db = await openLibraryDb();
      const r = (await getCheck(db, id)) ?? null;
      setRec(r);
      const refId = r?.result.match?.referenceId;
      if (refId) {
        const ref = await getReference(db, refId);
        if (ref) setRefThumb(bytesToDataUrl(ref.working, 'image/jpeg'));
      }
    })();
  }, [id]);
  if (rec === undefined) return <progress />;
  if (rec === null) return <p className="error">{t('report_not_found')}</p>;
  const r = rec.result;
  return (
    <main style={{ maxWidth: 1000, margin: '0 auto', padding: 16 }} data-refundlens="report" data-verdict={r.level}>
      <h1 style={{ fontSize: 20 }}>{t('report_title')}</h1>
      <p><span className="badge" style={{ background: LEVEL_COLOUR[r.level], fontSize: 16 }}>{t(LEVEL_KEY[r.level])}</span></p>
      <div style={{ display: 'flex', gap: 12 }}>
        {rec.image && <figure style={{ flex: 1, margin: 0 }}><img src={bytesToDataUrl(rec.image, 'image/jpeg')} style={{ width: '100%' }} alt="" /><figcaption>{t('card_buyer_photo')}</figcaption></figure>}
        {refThumb && <figure style={{ flex: 1, margin: 0 }}><img src={refThumb} style={{ width: '100%' }} alt="" /><figcaption>{t('card_your_photo')}: {r.match?.referenceName}</figcaption></figure>}
      </div>
      <h2 style={{ fontSize: 16 }}>{t('card_reasons')}</h2>
      <ul>{r.reasons.map((x, i) => <li key={i}>{t(x.code, x.params)}</li>)}</ul>
      <h2 style={{ fontSize: 16 }}>{t('card_metadata')}</h2>
      <table><tbody>
        <tr><th>SHA-256</th><td><code>{r.file?.sha256}</code></td></tr>
        <tr><th>URL</th><td style={{ wordBreak: 'break-all' }}>{r.file?.sourceUrl}</td></tr>
        <tr><th>{t('meta_format')}</th><td>{r.file?.format} {r.file?.width}×{r.file?.height}, {r.file?.bytes} B</td></tr>
        <tr><th>{t('meta_camera')}</th><td>{[r.metadata?.summary.make, r.metadata?.summary.model].filter(Boolean).join(' ')}</td></tr>
        <tr><th>{t('meta_capture_time')}</th><td>{r.metadata?.summary.captureTime}</td></tr>
        <tr><th>{t('meta_software')}</th><td>{r.metadata?.summary.software}</td></tr>
      </tbody></table>
    </main>
  );
}

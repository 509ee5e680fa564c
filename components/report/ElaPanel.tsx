import { t } from '@/utils/i18n';
import type { CheckRecord } from '@/utils/library/db';
import { bytesToDataUrl } from '@/utils/messages';

/** Error level analysis of the buyer photo, shown beside it: a hint for the reviewer, not proof. */
export function ElaPanel({ ela, buyerUrl }: { ela: NonNullable<CheckRecord['ela']>; buyerUrl?: string }) {
  return (
    <section data-refundlens="report-ela">
      <h2>{t('ela_title')}</h2>
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
        {buyerUrl && <img src={buyerUrl} alt={t('card_buyer_photo')} style={{ maxWidth: 'min(460px, 100%)' }} />}
        <img src={bytesToDataUrl(ela.png, 'image/png')} alt={t('ela_title')} style={{ maxWidth: 'min(460px, 100%)', background: '#000' }} />
      </div>
      <p className="muted small">{t('rpt_ela_figures', { quality: ela.quality, mean: ela.mean.toFixed(1), p99: ela.p99, gain: ela.gain.toFixed(1) })}</p>
    </section>
  );
}

import { useState } from 'react';
import { t } from '@/utils/i18n';
import type { CardResult } from '@/utils/messages';
import { LEVEL_COLOUR, LEVEL_KEY } from '@/utils/levels';

export interface ResultCardProps {
  state: 'pending' | 'done';
  result?: CardResult;
  /** URL of the buyer photo as shown on the page (drawn as an <img>, never as HTML). */
  buyerSrc: string;
  onClose: () => void;
  onOpenReport?: (id: string) => void;
  onRetry?: () => void;
}

/** The in-page verdict: words, colour, reasons, buyer photo beside the matched reference. */
export function ResultCard({ state, result, buyerSrc, onClose, onOpenReport, onRetry }: ResultCardProps) {
  const level = state === 'pending' || !result ? 'pending' : result.level;
  const [showOverlay, setShowOverlay] = useState(true);
  return (
    <section className="card" role="dialog" aria-label={t('card_title')} style={{ borderColor: LEVEL_COLOUR[level] }}>
      <header style={{ background: LEVEL_COLOUR[level] }}>
        <strong className="verdict">{t(LEVEL_KEY[level])}</strong>
        <button className="close" onClick={onClose} aria-label={t('btn_close')}>
          ×
        </button>
      </header>
      {state === 'pending' && <progress className="busy" aria-label={t('btn_checking')} />}
      {result && state === 'done' && (
        <>
          {result.repeatBuyer && (
            <p className="repeat">⚠ {t('why_repeat_buyer', { buyer: result.repeatBuyer.buyer, count: result.repeatBuyer.count })}</p>
          )}
          {(result.match || result.level !== 'error') && (
            <div className="pair">
              <figure>
                <div className="frame">
                  <img src={buyerSrc} alt={t('card_buyer_photo')} referrerPolicy="no-referrer" />
                  {result.overlay && showOverlay && <img className="overlay" src={result.overlay} alt="" />}
                  {!result.overlay && showOverlay && result.regions && result.size &&
                    result.regions.map((b, i) => (
                      <span
                        key={i}
                        className="region"
                        style={{
                          left: `${(b[0] / result.size!.width) * 100}%`,
                          top: `${(b[1] / result.size!.height) * 100}%`,
                          width: `${((b[2] - b[0]) / result.size!.width) * 100}%`,
                          height: `${((b[3] - b[1]) / result.size!.height) * 100}%`,
                        }}
                      />
                    ))}
                </div>
                <figcaption>{t('card_buyer_photo')}</figcaption>
              </figure>
              {result.match && (
                <figure>
                  <div className="frame">{result.match.thumb && <img src={result.match.thumb} alt={result.match.referenceName} />}</div>
                  <figcaption title={result.match.referenceName}>
                    {t('card_your_photo')}: {result.match.referenceName}
                  </figcaption>
                </figure>
              )}
            </div>
          )}
          {(result.overlay || result.regions?.length) ? (
            <label className="toggle">
              <input type="checkbox" checked={showOverlay} onChange={(e) => setShowOverlay(e.target.checked)} /> {t('card_show_changes')}
            </label>
          ) : null}
          <h4>{t('card_reasons')}</h4>
          <ul className="reasons">
            {result.reasons.map((r, i) => (
              <li key={i} className={r.weight >= 0.8 ? 'strong' : r.weight >= 0.5 ? 'medium' : 'weak'}>
                {t(r.code, r.params)}
              </li>
            ))}
          </ul>
          {result.summary && (
            <dl className="facts">
              <dt>{t('meta_format')}</dt>
              <dd>{result.summary.format.toUpperCase()}{result.size ? ` · ${result.size.width}×${result.size.height}` : ''}</dd>
              <dt>{t('meta_camera')}</dt>
              <dd>{[result.summary.make, result.summary.model].filter(Boolean).join(' ') || t('meta_none')}</dd>
              <dt>{t('meta_capture_time')}</dt>
              <dd>{result.summary.captureTime ?? t('meta_none')}</dd>
              <dt>{t('meta_software')}</dt>
              <dd>{result.summary.software ?? t('meta_none')}</dd>
            </dl>
          )}
          <footer>
            {result.id && onOpenReport && <button onClick={() => onOpenReport(result.id)}>{t('btn_open_report')}</button>}
            {result.level === 'error' && onRetry && <button onClick={onRetry}>{t('btn_retry')}</button>}
          </footer>
        </>
      )}
    </section>
  );
}

export const CARD_CSS = `
:host { all: initial; }
.card { font: 13px/1.45 system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; color: #222; background: #fff;
  border: 2px solid; border-radius: 8px; width: 340px; max-width: 92vw; box-shadow: 0 4px 18px rgba(0,0,0,.18);
  overflow: hidden; margin: 6px 0; text-align: left; }
header { display: flex; align-items: center; justify-content: space-between; color: #fff; padding: 6px 10px; }
.verdict { font-size: 14px; }
.close { background: transparent; color: #fff; border: 0; font-size: 18px; cursor: pointer; line-height: 1; }
.busy { width: calc(100% - 20px); margin: 10px; }
.pair { display: flex; gap: 8px; padding: 8px 10px 0; }
figure { margin: 0; flex: 1; min-width: 0; }
.frame { position: relative; background: #f3f3f3; border-radius: 4px; overflow: hidden; }
.frame img { display: block; width: 100%; height: auto; max-height: 160px; object-fit: contain; }
.frame .overlay { position: absolute; inset: 0; height: 100%; max-height: none; opacity: .6; mix-blend-mode: multiply; }
.region { position: absolute; border: 2px solid #ff1744; box-shadow: 0 0 0 1px #fff; }
figcaption { font-size: 11px; color: #555; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.toggle { display: inline-block; margin: 4px 10px 0; font-size: 12px; }
h4 { margin: 8px 10px 2px; font-size: 12px; color: #555; }
.reasons { margin: 0; padding: 0 10px 0 28px; }
.reasons li.strong { font-weight: 600; }
.reasons li.weak { color: #666; }
.repeat { background: #fff3e0; color: #bf360c; margin: 0; padding: 6px 10px; font-weight: 600; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 0 8px; margin: 6px 10px; font-size: 12px; }
.facts dt { color: #777; } .facts dd { margin: 0; overflow-wrap: anywhere; }
footer { display: flex; gap: 8px; padding: 8px 10px 10px; }
footer button { font: inherit; padding: 4px 10px; border: 1px solid #1565c0; color: #1565c0; background: #fff; border-radius: 4px; cursor: pointer; }
button:focus-visible { outline: 3px solid #ffab00; outline-offset: 1px; }
`;

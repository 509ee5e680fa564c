import { useEffect, useRef, useState } from 'react';
import { t } from '@/utils/i18n';
import type { CardResult } from '@/utils/messages';
import { LEVEL_COLOUR, LEVEL_KEY } from '@/utils/levels';
import type { Box } from '@/utils/types';

export interface ResultCardProps {
  state: 'pending' | 'done';
  result?: CardResult;
  /** URL of the buyer photo as shown on the page (drawn as an <img>, never as HTML). */
  buyerSrc: string;
  /** 'chip': the verdict as a small badge on the photo's corner; 'card': the full popover. */
  mode?: 'chip' | 'card';
  /** Dark colours (the page is dark, or it cannot be read and the system is). */
  dark?: boolean;
  /** Move the keyboard focus into the card when it opens. */
  focus?: boolean;
  onClose: () => void;
  onExpand?: () => void;
  onOpenReport?: (id: string) => void;
  onRetry?: () => void;
}

/** The changed regions drawn over a picture; `size` is the frame the boxes are in. */
export function RegionBoxes({ regions, size }: { regions: Box[]; size: { width: number; height: number } }) {
  return (
    <>
      {regions.map((b, i) => (
        <span
          key={i}
          className="region"
          data-region={i + 1}
          style={{
            left: `${(b[0] / size.width) * 100}%`,
            top: `${(b[1] / size.height) * 100}%`,
            width: `${(Math.max(1, b[2] - b[0]) / size.width) * 100}%`,
            height: `${(Math.max(1, b[3] - b[1]) / size.height) * 100}%`,
          }}
        >
          {regions.length > 1 && regions.length <= 9 && <em>{i + 1}</em>}
        </span>
      ))}
    </>
  );
}

/** The in-page verdict: words, colour, reasons, buyer photo (with the changed regions) beside the matched reference. */
export function ResultCard({ state, result, buyerSrc, mode = 'card', dark, focus, onClose, onExpand, onOpenReport, onRetry }: ResultCardProps) {
  const level = state === 'pending' || !result ? 'pending' : result.level;
  const [showMarks, setShowMarks] = useState(true);
  const dialog = useRef<HTMLElement>(null);
  useEffect(() => {
    if (mode === 'card' && focus) dialog.current?.focus({ preventScroll: true });
  }, [mode, focus]);
  const cls = dark ? 'dark' : 'light';

  if (mode === 'chip') {
    return (
      <button
        type="button"
        className={`chip ${cls}`}
        style={{ background: LEVEL_COLOUR[level] }}
        onClick={onExpand}
        aria-label={`${t(LEVEL_KEY[level])} — ${t('card_open')}`}
        title={t('card_open')}
      >
        {t(LEVEL_KEY[level])}
      </button>
    );
  }

  const regions = result?.regions ?? [];
  const size = result?.size;
  return (
    <section
      ref={dialog}
      tabIndex={-1}
      className={`card ${cls}`}
      role="dialog"
      aria-label={`${t('card_title')}: ${t(LEVEL_KEY[level])}`}
      style={{ borderColor: LEVEL_COLOUR[level] }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header style={{ background: LEVEL_COLOUR[level] }}>
        <strong className="verdict">{t(LEVEL_KEY[level])}</strong>
        <button type="button" className="close" onClick={onClose} aria-label={t('btn_close')} title={t('btn_close')}>
          ×
        </button>
      </header>
      {state === 'pending' && <progress className="busy" aria-label={t('btn_checking')} />}
      {result && state === 'done' && (
        <div className="body">
          {result.repeatBuyer && (
            <p className="repeat">⚠ {t('why_repeat_buyer', { buyer: result.repeatBuyer.buyer, count: result.repeatBuyer.count })}</p>
          )}
          {(result.match || result.level !== 'error') && (
            <div className="pair">
              <figure>
                <div className="frame">
                  <div className="pic">
                    <img src={buyerSrc} alt={t('card_buyer_photo')} referrerPolicy="no-referrer" />
                    {showMarks && size && <RegionBoxes regions={regions} size={size} />}
                  </div>
                </div>
                <figcaption>{t('card_buyer_photo')}</figcaption>
              </figure>
              {result.match && (
                <figure>
                  <div className="frame">
                    <div className="pic">{result.match.thumb && <img src={result.match.thumb} alt={result.match.referenceName} />}</div>
                  </div>
                  <figcaption title={result.match.referenceName}>
                    {t('card_your_photo')}: {result.match.referenceName}
                  </figcaption>
                </figure>
              )}
            </div>
          )}
          {regions.length > 0 && size ? (
            <label className="toggle">
              <input type="checkbox" checked={showMarks} onChange={(e) => setShowMarks(e.target.checked)} /> {t('card_show_changes')}
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
            {result.id && onOpenReport && <button type="button" onClick={() => onOpenReport(result.id)}>{t('btn_open_report')}</button>}
            {result.level === 'error' && onRetry && <button type="button" onClick={onRetry}>{t('btn_retry')}</button>}
          </footer>
        </div>
      )}
    </section>
  );
}

/** One line per photo of the ticket: the summary of 「检测本工单全部图片」. */
export interface SummaryItem {
  n: number;
  state: 'pending' | 'done';
  level?: CardResult['level'];
}

export function SummaryPanel({ items, dark, onOpen, onClose }: { items: SummaryItem[]; dark?: boolean; onOpen: (n: number) => void; onClose: () => void }) {
  const done = items.filter((i) => i.state === 'done').length;
  return (
    <section
      className={`summary ${dark ? 'dark' : 'light'}`}
      role="region"
      aria-label={t('summary_title')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <strong>{t('summary_title')}</strong>
      <span className="muted">{t('summary_progress', { done, count: items.length })}</span>
      <ol className="summary-list">
        {items.map((i) => {
          const level = i.state === 'done' && i.level ? i.level : 'pending';
          return (
            <li key={i.n}>
              <button type="button" onClick={() => onOpen(i.n)} style={{ borderColor: LEVEL_COLOUR[level] }}>
                <span className="dot" style={{ background: LEVEL_COLOUR[level] }} />
                {t('summary_photo', { n: i.n })} · {t(LEVEL_KEY[level])}
              </button>
            </li>
          );
        })}
      </ol>
      <button type="button" className="close" onClick={onClose} aria-label={t('btn_close')} title={t('btn_close')}>×</button>
    </section>
  );
}

export const CARD_CSS = `
:host { all: initial; }
.card, .summary, .chip { font: 13px/1.45 system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; text-align: left; }
.light { --bg: #fff; --fg: #222; --muted: #555; --soft: #666; --frame: #f3f3f3; --btn-bg: #fff; --btn-fg: #1565c0; --repeat-bg: #fff3e0; --repeat-fg: #bf360c; --shadow: rgba(0,0,0,.22); }
.dark { --bg: #1f2227; --fg: #e8eaed; --muted: #b0b5bb; --soft: #9aa0a6; --frame: #2b2f35; --btn-bg: #1f2227; --btn-fg: #8ab4f8; --repeat-bg: #3e2a17; --repeat-fg: #ffb74d; --shadow: rgba(0,0,0,.6); }
.card { color: var(--fg); background: var(--bg); border: 2px solid; border-radius: 8px; width: 340px; box-sizing: border-box;
  max-width: calc(100vw - 16px); max-height: calc(100vh - 16px); overflow: auto; box-shadow: 0 6px 24px var(--shadow); outline: none; }
.card:focus { outline: none; }
header { display: flex; align-items: center; justify-content: space-between; color: #fff; padding: 6px 10px; position: sticky; top: 0; }
.verdict { font-size: 14px; }
.close { background: transparent; color: inherit; border: 0; font-size: 18px; cursor: pointer; line-height: 1; padding: 0 4px; }
header .close { color: #fff; }
.busy { width: calc(100% - 20px); margin: 10px; }
.pair { display: flex; gap: 8px; padding: 8px 10px 0; }
figure { margin: 0; flex: 1; min-width: 0; }
.frame { background: var(--frame); border-radius: 4px; overflow: hidden; display: flex; justify-content: center; align-items: center; min-height: 60px; }
.pic { position: relative; display: inline-block; max-width: 100%; line-height: 0; }
.pic img { display: block; max-width: 100%; max-height: 160px; width: auto; height: auto; }
.region { position: absolute; box-sizing: border-box; border: 2px solid #ff1744; box-shadow: 0 0 0 1px #fff; min-width: 4px; min-height: 4px; }
.region em { position: absolute; top: -2px; left: -2px; transform: translateY(-100%); background: #ff1744; color: #fff; font: 600 10px/1.2 system-ui, sans-serif; padding: 0 3px; font-style: normal; }
figcaption { font-size: 11px; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.toggle { display: inline-block; margin: 4px 10px 0; font-size: 12px; }
h4 { margin: 8px 10px 2px; font-size: 12px; color: var(--muted); }
.reasons { margin: 0; padding: 0 10px 0 28px; }
.reasons li.strong { font-weight: 600; }
.reasons li.weak { color: var(--soft); }
.repeat { background: var(--repeat-bg); color: var(--repeat-fg); margin: 0; padding: 6px 10px; font-weight: 600; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 0 8px; margin: 6px 10px; font-size: 12px; }
.facts dt { color: var(--soft); } .facts dd { margin: 0; overflow-wrap: anywhere; }
footer { display: flex; gap: 8px; padding: 8px 10px 10px; }
footer button, .summary-list button { font: inherit; padding: 4px 10px; border: 1px solid var(--btn-fg); color: var(--btn-fg); background: var(--btn-bg); border-radius: 4px; cursor: pointer; }
button:focus-visible { outline: 3px solid #ffab00; outline-offset: 1px; }
.chip { display: block; color: #fff; border: 1px solid rgba(255,255,255,.85); border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600;
  cursor: pointer; box-shadow: 0 1px 4px rgba(0,0,0,.35); white-space: nowrap; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
.summary { display: grid; grid-template-columns: auto 1fr auto; align-items: center; gap: 2px 10px; color: var(--fg); background: var(--bg); border: 1px solid var(--soft); border-radius: 8px;
  box-shadow: 0 4px 16px var(--shadow); padding: 3px 6px 3px 10px; max-width: min(920px, calc(100vw - 16px)); box-sizing: border-box; }
.summary > strong { grid-column: 1; grid-row: 1; } .summary > .muted { grid-column: 1; grid-row: 2; }
.summary-list { grid-column: 2; grid-row: 1 / span 2; } .summary > .close { grid-column: 3; grid-row: 1 / span 2; align-self: start; }
.muted { color: var(--muted); font-size: 12px; }
.summary-list { display: flex; flex-wrap: wrap; gap: 4px 6px; list-style: none; margin: 0; padding: 0; }
.summary-list button { font-size: 12px; padding: 2px 8px; color: var(--fg); }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 5px; }
`;

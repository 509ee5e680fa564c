import { useEffect, useRef, useState } from 'react';
import { t } from '@/utils/i18n';
import { frameText } from '@/utils/report/document';
import { displayRegions, type ReportModel } from '@/utils/report/model';
import type { Translate } from '@/utils/report/translate';
import { invertAffine } from '@/utils/report/geometry';

interface Props {
  model: ReportModel;
  buyerUrl?: string;
  referenceUrl?: string;
  overlayUrl?: string;
  /** The reference warped into the buyer photo's frame, and the difference picture (same frame). */
  alignedUrl?: string;
  differenceUrl?: string;
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((ok, no) => {
    const img = new Image();
    img.onload = () => ok(img);
    img.onerror = () => no(new Error('image'));
    img.src = src;
  });
}

/**
 * Buyer photo beside the matched reference (with changed regions and the difference map), and a
 * wipe view: the reference warped into the buyer photo's frame by the match's transform, the
 * buyer photo on top, clipped at the slider.
 */
export function Compare({ model, buyerUrl, referenceUrl, overlayUrl, alignedUrl, differenceUrl }: Props) {
  const [showOverlay, setShowOverlay] = useState(false);
  const [showRegions, setShowRegions] = useState(true);
  const [wipe, setWipe] = useState(50);
  const [aligned, setAligned] = useState<boolean>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const full = model.file?.width && model.file.height ? { w: model.file.width, h: model.file.height } : undefined;
  const regions = full ? displayRegions(model) : [];
  const label = full && model.visibleLabel?.status === 'found' ? model.visibleLabel.box : undefined;
  const buyer = model.images.buyer;

  // Draw the reference in the buyer photo's pixel frame (analysis size).
  useEffect(() => {
    if (!buyer || !referenceUrl || !canvas.current) return;
    let gone = false;
    void loadImage(referenceUrl).then((ref) => {
      const c = canvas.current;
      if (gone || !c) return;
      c.width = buyer.width;
      c.height = buyer.height;
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = '#f2f2f2';
      ctx.fillRect(0, 0, c.width, c.height);
      const H = model.match?.homography;
      const inv = H && H.length >= 6 ? invertAffine(H) : undefined;
      if (inv) {
        // H maps buyer (analysis) pixels → reference working-copy pixels; draw with its inverse.
        ctx.setTransform(inv[0], inv[3], inv[1], inv[4], inv[2], inv[5]);
        ctx.drawImage(ref, 0, 0);
        ctx.setTransform(1, 0, 0, 1, 0, 0);
      } else {
        ctx.drawImage(ref, 0, 0, c.width, c.height);
      }
      setAligned(!!inv);
    });
    return () => {
      gone = true;
    };
  }, [buyer, referenceUrl, model.match?.homography]);

  const box = (b: number[], i: number) => (
    <span
      key={i}
      className="region"
      style={{
        left: `${(b[0] / full!.w) * 100}%`,
        top: `${(b[1] / full!.h) * 100}%`,
        width: `${((b[2] - b[0]) / full!.w) * 100}%`,
        height: `${((b[3] - b[1]) / full!.h) * 100}%`,
      }}
    />
  );

  return (
    <div className="compare">
      <div className="pair">
        {buyerUrl && (
          <figure>
            <div className="frame" data-refundlens="report-buyer">
              <img src={buyerUrl} alt={t('card_buyer_photo')} />
              {showOverlay && overlayUrl && <img className="overlay" src={overlayUrl} alt="" data-refundlens="report-overlay" />}
              {showRegions && regions.map(box)}
              {label && (
                <span
                  className="ai-label"
                  data-refundlens="report-ai-label"
                  title={`${t('card_ai_label_box')}: 「${model.visibleLabel?.text ?? ''}」`}
                  style={{
                    left: `${(label[0] / full!.w) * 100}%`,
                    top: `${(label[1] / full!.h) * 100}%`,
                    width: `${((label[2] - label[0]) / full!.w) * 100}%`,
                    height: `${((label[3] - label[1]) / full!.h) * 100}%`,
                  }}
                />
              )}
            </div>
            <figcaption>{t(regions.length ? 'rpt_buyer_caption' : 'rpt_buyer_caption_plain', { width: model.file?.width ?? '', height: model.file?.height ?? '' })}</figcaption>
          </figure>
        )}
        {referenceUrl && (
          <figure>
            <div className="frame" data-refundlens="report-reference">
              <img src={referenceUrl} alt={model.match?.referenceName ?? ''} />
            </div>
            <figcaption>{frameText(model, t as Translate, -new Date().getTimezoneOffset()) ?? t('rpt_reference_caption', { name: model.match?.referenceName ?? '' })}</figcaption>
          </figure>
        )}
      </div>
      {(alignedUrl || differenceUrl) && (
        <div className="pair">
          {alignedUrl && (
            <figure>
              <div className="frame" data-refundlens="report-aligned">
                <img src={alignedUrl} alt={t('rpt_aligned_caption')} />
                {showRegions && regions.map(box)}
              </div>
              <figcaption>{t('rpt_aligned_caption')}</figcaption>
            </figure>
          )}
          {differenceUrl && (
            <figure>
              <div className="frame" data-refundlens="report-difference">
                <img src={differenceUrl} alt={t('rpt_difference_caption')} />
                {showRegions && regions.map(box)}
              </div>
              <figcaption>{t('rpt_difference_caption')}</figcaption>
            </figure>
          )}
        </div>
      )}
      {regions.length > 0 && <p className="muted small">{t('rpt_boxes_note')}</p>}
      {label && <p className="muted small">{t('rpt_label_box_note')}</p>}
      <div className="toggles no-print">
        {overlayUrl && (
          <label>
            <input type="checkbox" checked={showOverlay} onChange={(e) => setShowOverlay(e.target.checked)} data-refundlens="report-overlay-toggle" /> {t('rpt_show_overlay')}
          </label>
        )}
        {regions.length > 0 && (
          <label>
            <input type="checkbox" checked={showRegions} onChange={(e) => setShowRegions(e.target.checked)} /> {t('rpt_show_regions')}
          </label>
        )}
      </div>
      {buyerUrl && referenceUrl && buyer && (
        <div className="wipe-wrap no-print">
          <h3>{t('rpt_compare')}</h3>
          <div className="wipe" style={{ aspectRatio: `${buyer.width} / ${buyer.height}` }}>
            <canvas ref={canvas} aria-hidden="true" />
            <img src={buyerUrl} alt="" style={{ clipPath: `inset(0 ${100 - wipe}% 0 0)` }} />
            {showOverlay && overlayUrl && <img className="overlay" src={overlayUrl} alt="" style={{ clipPath: `inset(0 ${100 - wipe}% 0 0)` }} />}
            <div className="wipe-line" style={{ left: `${wipe}%` }} />
          </div>
          <input
            type="range"
            min={0}
            max={100}
            value={wipe}
            onChange={(e) => setWipe(Number(e.target.value))}
            aria-label={t('rpt_wipe')}
            data-refundlens="report-wipe"
            style={{ width: '100%' }}
          />
          <div className="muted small">{t('rpt_wipe')}</div>
          {aligned === false && <div className="muted small">{t('rpt_not_aligned')}</div>}
        </div>
      )}
    </div>
  );
}

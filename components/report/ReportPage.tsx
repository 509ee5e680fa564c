import { useEffect, useMemo, useState } from 'react';
import { browser } from 'wxt/browser';
import { t, uiLanguage } from '@/utils/i18n';
import { getCheck, getReference, openLibraryDb, suspiciousChecksOfBuyer, type CheckRecord } from '@/utils/library/db';
import { bytesToDataUrl } from '@/utils/messages';
import { buildReportModel, type ReportImages, type ReportModel } from '@/utils/report/model';
import { fileRows, imageHashRows, matchRows, ticketRows, verdictSentences, LEVEL_COLOURS, LEVEL_KEYS } from '@/utils/report/document';
import { exportStem, formatBytes, formatDate } from '@/utils/report/format';
import { exportLangFor, type ExportLang } from '@/utils/report/translate';
import type { Translate } from '@/utils/report/translate';
import { download } from './download';
import type { ExportFile } from './exports';
import { Compare } from './Compare';
import { ElaPanel } from './ElaPanel';
import './report.css';

interface Loaded {
  rec: CheckRecord;
  model: ReportModel;
  images: ReportImages;
}

const offsetNow = () => -new Date().getTimezoneOffset();

function Rows({ rows }: { rows: { k: string; v: string }[] }) {
  return (
    <table className="kv">
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <th scope="row">{r.k}</th>
            <td>{r.v || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** 200 ms polls for a record or its pictures still being written (about 6 s). */
const RECORD_WAIT_TRIES = 30;

/** Evidence report of one stored check: `report.html?check=<id>`. */
export function ReportPage({ id }: { id: string }) {
  const [data, setData] = useState<Loaded | null>();
  const [lang, setLang] = useState<ExportLang>(() => exportLangFor(uiLanguage()));
  const [busy, setBusy] = useState<string>();
  const [status, setStatus] = useState<{ text: string; file?: ExportFile; error?: boolean }>();

  useEffect(() => {
    void (async () => {
      const db = await openLibraryDb();
      // A check's pictures are stored just after its verdict is shown: a report opened at that
      // very moment waits for them a little (and for the record, before saying "not found").
      let rec = await getCheck(db, id);
      // (pictures still pending a minute after the check will not come: the worker was stopped)
      const stillComing = (r: typeof rec) => !r || (!!r.pending && Date.now() - Date.parse(r.checkedAt) < 60_000);
      for (let i = 0; stillComing(rec) && i < RECORD_WAIT_TRIES; i++) {
        await new Promise((r) => setTimeout(r, 200));
        rec = await getCheck(db, id);
      }
      if (!rec) {
        setData(null);
        return;
      }
      const refId = rec.result.match?.referenceId;
      const ref = refId ? await getReference(db, refId) : undefined;
      const lib = ref ? await db.get('libraries', ref.libraryId) : undefined;
      const buyer = rec.result.ticket?.buyer ?? rec.buyer;
      const repeat = buyer ? await suspiciousChecksOfBuyer(db, buyer, { id: rec.id, orderId: rec.result.ticket?.orderId ?? rec.orderId }) : 0;
      let version = '';
      try {
        version = browser.runtime.getManifest().version;
      } catch {
        /* not in an extension page (tests) */
      }
      const { model, images } = await buildReportModel({ check: rec, reference: ref, libraryName: lib?.name, repeatBuyerCount: repeat, version });
      setData({ rec, model, images });
      document.title = `${t('report_title')} — ${rec.result.ticket?.orderId ?? rec.id}`;
    })();
  }, [id]);

  const urls = useMemo(() => {
    if (!data) return {};
    const { images, model } = data;
    return {
      buyer: images.buyer && model.images.buyer ? bytesToDataUrl(images.buyer, model.images.buyer.type) : undefined,
      reference: images.reference && model.images.reference ? bytesToDataUrl(images.reference, model.images.reference.type) : undefined,
      overlay: images.overlay ? bytesToDataUrl(images.overlay, 'image/png') : undefined,
    };
  }, [data]);

  if (data === undefined) return <progress aria-label={t('rpt_exporting')} />;
  if (data === null) {
    return (
      <main className="report" data-refundlens="report" data-verdict="missing">
        <p className="error">{t('report_not_found')}</p>
      </main>
    );
  }
  const { model, images } = data;
  const tr = t as Translate;
  const off = offsetNow();
  const stem = exportStem([model.ticket?.orderId, formatDate(model.checkedAt, off), model.id.slice(0, 8)]);

  const run = async (kind: 'pdf' | 'png' | 'json') => {
    setBusy(kind);
    setStatus({ text: t('rpt_exporting') });
    try {
      // pdf-lib and fontkit (~1 MB) load only when an export is asked for.
      const { exportJson, exportPdf, exportPng } = await import('./exports');
      const file = kind === 'pdf' ? await exportPdf(model, images, lang, stem) : kind === 'png' ? await exportPng(model, images, lang, stem) : await exportJson(model, lang, stem);
      download(file.bytes, file.name, file.type);
      setStatus({ text: t('rpt_export_done', { name: file.name, size: formatBytes(file.bytes.length) }), file });
    } catch (e) {
      setStatus({ text: t('rpt_export_failed', { reason: (e as Error)?.message ?? String(e) }), error: true });
    } finally {
      setBusy(undefined);
    }
  };

  const frameRows = matchRows(model, tr, off);
  const tk = ticketRows(model, tr, off);
  return (
    <main className="report" data-refundlens="report" data-verdict={model.level} data-check-id={model.id}>
      <header className="report-head">
        <h1>{t('rpt_doc_title')}</h1>
        <p className="muted small">{t('rpt_subtitle', { version: model.generator.version })}</p>
      </header>

      <section className="verdict" style={{ borderColor: LEVEL_COLOURS[model.level] }} aria-labelledby="verdict-h">
        <h2 id="verdict-h" style={{ background: LEVEL_COLOURS[model.level] }}>{t('rpt_banner', { verdict: t(LEVEL_KEYS[model.level]) })}</h2>
        {verdictSentences(model, tr, off).map((s, i) => (
          <p key={i} className={i === 0 ? 'lead' : ''} data-refundlens={model.repeatBuyer && s.includes(model.repeatBuyer.buyer) ? 'report-repeat-buyer' : undefined}>{s}</p>
        ))}
      </section>

      <nav className="exports no-print" aria-label={t('rpt_export')}>
        <strong>{t('rpt_export')}</strong>
        <label>
          {t('rpt_export_lang')}{' '}
          <select value={lang} onChange={(e) => setLang(e.target.value as ExportLang)} data-refundlens="report-export-lang">
            <option value="zh_CN">{t('rpt_lang_zh')}</option>
            <option value="en">{t('rpt_lang_en')}</option>
          </select>
        </label>
        <button className="primary" disabled={!!busy} onClick={() => void run('pdf')} data-refundlens="report-export-pdf">{t('rpt_export_pdf')}</button>
        <button className="primary" disabled={!!busy} onClick={() => void run('png')} data-refundlens="report-export-png">{t('rpt_export_png')}</button>
        <button disabled={!!busy} onClick={() => void run('json')} data-refundlens="report-export-json">{t('rpt_export_json')}</button>
        <button disabled={!!busy} onClick={() => window.print()}>{t('rpt_print')}</button>
        {status && (
          <div role="status" aria-live="polite" className={status.error ? 'error' : 'muted'} data-refundlens="report-export-status">
            {status.text}
            {status.file && <div className="small mono">SHA-256 {status.file.sha256} · {Math.round(status.file.ms)} ms</div>}
          </div>
        )}
      </nav>

      {tk.length > 0 && (
        <section>
          <h2>{t('rpt_section_ticket')}</h2>
          <Rows rows={tk} />
        </section>
      )}

      {data.rec.pending && <p className="error" data-refundlens="pictures-lost">{t('rpt_pictures_lost')}</p>}

      {(urls.buyer || urls.reference) && (
        <section>
          <h2>{t('rpt_section_photos')}</h2>
          <Compare model={model} buyerUrl={urls.buyer} referenceUrl={urls.reference} overlayUrl={urls.overlay} />
        </section>
      )}

      {data.rec.ela && <ElaPanel ela={data.rec.ela} buyerUrl={urls.buyer} />}

      <section>
        <h2>{t('rpt_section_reasons')}</h2>
        <ul className="reasons">
          {model.reasons.map((r, i) => (
            <li key={i} className={r.weight >= 0.8 ? 'strong' : r.weight >= 0.5 ? '' : 'weak'}>{t(r.code, r.params)}</li>
          ))}
        </ul>
      </section>

      {frameRows.length > 0 && (
        <section>
          <h2>{t('rpt_section_match')}</h2>
          <Rows rows={frameRows} />
        </section>
      )}

      <section>
        <h2>{t('rpt_section_signals')}</h2>
        {model.signals.length === 0 && <p className="muted">{t('rpt_no_signals')}</p>}
        {model.signals.map((s, i) => (
          <div key={i} className="signal" data-refundlens="report-signal" data-code={s.code}>
            <p className={s.weight >= 0.8 ? 'strong' : ''}>
              {t(s.code, s.params)} <span className="muted small">({t('rpt_signal_from')} {s.source})</span>
            </p>
            {s.raw && s.raw.length > 0 && (
              <details className="raw-fold">
              <summary>{t('rpt_raw_details')}</summary>
              <table className="raw">
                <thead>
                  <tr><th scope="col">{t('rpt_raw_field')}</th><th scope="col">{t('rpt_raw_value')}</th></tr>
                </thead>
                <tbody>
                  {s.raw.map((r, j) => (
                    <tr key={j}><td className="mono">{r.field}</td><td className="mono">{r.value}</td></tr>
                  ))}
                </tbody>
              </table>
              </details>
            )}
          </div>
        ))}
      </section>

      <section>
        <h2>{t('rpt_section_file')}</h2>
        <Rows rows={fileRows(model, tr, off)} />
      </section>

      <section>
        <h2>{t('rpt_section_verify')}</h2>
        <p className="small">{t('rpt_verify_text')}</p>
        <Rows rows={imageHashRows(model, tr)} />
      </section>
    </main>
  );
}

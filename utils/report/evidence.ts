/**
 * The JSON evidence file: every fact of the check with the SHA-256 values a reviewer can verify
 * (the exact bytes checked, the merchant's original reference, and each image embedded in the
 * PDF/PNG). Deterministic: fixed key order, times from the check, two-space indentation, LF.
 */
import { verdictSentences, LEVEL_KEYS, frameText } from './document';
import type { ReportModel } from './model';
import type { ExportLang, Translate } from './translate';

export const EVIDENCE_FORMAT = 'refundlens-evidence';
export const EVIDENCE_VERSION = 1;

export function buildEvidence(model: ReportModel, tr: Translate, lang: ExportLang, offsetMin = 0): unknown {
  const m = model.match;
  const ref = model.reference;
  return {
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    generator: model.generator,
    language: lang,
    check: {
      id: model.id,
      checkedAt: model.checkedAt,
      level: model.level,
      verdict: tr(LEVEL_KEYS[model.level]),
      summary: verdictSentences(model, tr, offsetMin),
      reasons: model.reasons.map((r) => ({ code: r.code, params: r.params ?? {}, weight: r.weight, text: tr(r.code, r.params) })),
      error: model.error ?? null,
    },
    file: model.file
      ? {
        sha256: model.file.sha256,
        bytes: model.file.bytes,
        format: model.file.format,
        width: model.file.width ?? null,
        height: model.file.height ?? null,
        sourceUrl: model.file.sourceUrl ?? null,
        pageUrl: model.file.pageUrl ?? null,
      }
      : null,
    ticket: model.ticket ?? null,
    repeatBuyer: model.repeatBuyer ?? null,
    metadata: {
      summary: model.summary ?? null,
      signals: model.signals.map((s) => ({
        source: s.source,
        kind: s.kind,
        weight: s.weight,
        code: s.code,
        params: s.params ?? {},
        text: tr(s.code, s.params),
        raw: s.raw ?? [],
      })),
      warnings: model.warnings,
    },
    match: m
      ? {
        referenceId: m.referenceId,
        referenceName: m.referenceName,
        libraryId: m.libraryId ?? null,
        confidence: m.confidence,
        distance: m.distance,
        method: m.method,
        variant: m.variant ?? null,
        homography: m.homography ?? null,
        reference: ref
          ? {
            sha256: ref.sha256,
            originalBytes: ref.originalBytes,
            width: ref.width,
            height: ref.height,
            addedAt: ref.addedAt,
            libraryName: ref.libraryName ?? null,
            source: ref.source,
            sourceText: frameText(model, tr, offsetMin) ?? null,
          }
          : null,
      }
      : null,
    localisation: model.localisation
      ? {
        regions: model.localisation.regions,
        regionsCoordinates: 'pixels of the full-size checked file, [x0, y0, x1, y1), x1/y1 exclusive',
        changedShare: model.localisation.changedShare,
        edited: model.localisation.edited,
      }
      : null,
    visibleLabel: model.visibleLabel
      ? {
        status: model.visibleLabel.status,
        text: model.visibleLabel.text ?? null,
        box: model.visibleLabel.box ?? null,
        boxCoordinates: 'pixels of the full-size checked file, [x0, y0, x1, y1)',
        position: model.visibleLabel.position ?? null,
      }
      : null,
    images: {
      buyerAnalysisCopy: model.images.buyer ?? null,
      referenceWorkingCopy: model.images.reference ?? null,
      differenceOverlay: model.images.overlay ?? null,
    },
  };
}

/** UTF-8 bytes of the evidence JSON. */
export function evidenceBytes(model: ReportModel, tr: Translate, lang: ExportLang, offsetMin = 0): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(buildEvidence(model, tr, lang, offsetMin), null, 2) + '\n');
}

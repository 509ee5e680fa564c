/**
 * The background's work, without the browser: keeps the in-memory reference index in step
 * with IndexedDB, runs checks through a bounded queue with a time budget, records them in the
 * history and shapes the small result the in-page card shows. background.ts only wires
 * browser events to this; tests drive it in Node with fake-indexeddb and the Node decoder.
 */
import { runCheck, type CheckDeps } from './check';
import { clearMatchCache } from './compare/match';
import { warmUpMatching } from './compare/warmup';
import type { Decoder } from './image/decode';
import type { Encoder } from './library/prepare';
import { ReferenceIndex } from './hash/index';
import { FINGERPRINT_VERSION, computeFingerprint } from './hash/fingerprint';
import {
  type CheckRecord,
  addCheck, completeCheck, fingerprintChunks, getFingerprints, getReference, getRevision, suspiciousChecksOfBuyer, updateFingerprints, type DB,
} from './library/db';
import { IN_MEMORY_MAX_REFERENCES, LIMITS } from './limits';
import { TaskQueue } from './queue';
import { LruMap } from './lru';
import { bytesToDataUrl, type CardResult } from './messages';
import type { CheckError, CheckResult, RGBAImage, TicketInfo } from './types';
import { decideVerdict } from './verdict';
import { editRegions } from './regions';
import { makePictures, type CheckPictures } from './library/pictures';

export interface ServicePlatform {
  db: () => Promise<DB>;
  decode: Decoder;
  encode: Encoder;
  decodeFull?: CheckDeps['decodeFull'];
  /** The official C2PA reader (off this thread, with a time limit). */
  validateC2pa?: CheckDeps['validateC2pa'];
  /** Reads metadata off this thread, under a time limit that can stop it (CheckDeps.readMetadata). */
  readMetadata?: CheckDeps['readMetadata'];
  /** Reads the visible AI label in a worker with a time limit (utils/ocr/remote.ts). */
  readLabel?: CheckDeps['readLabel'];
  /** Loads the label reader's models ahead of the first check (a page with check buttons opened). */
  warmLabel?: () => void;
  /** Makes a check's pictures on another thread (from a copy of the pixels); else made here. */
  pictures?: (img: RGBAImage, jpeg: boolean) => Promise<CheckPictures>;
}

/** Fingerprint records read per step when the index is (re)built from IndexedDB. */
export const LOAD_CHUNK = 2000;
/** Longest wait, after a verdict, for its card to be shaped before its pictures start. */
export const ANSWER_GRACE_MS = 1000;
/** Longest time a check's pictures yield to running checks. */
export const PICTURES_DEFER_MS = 5000;
/** Pictures wait until no check has run for this long. */
export const PICTURES_QUIET_MS = 400;
/** Checks waiting for their pictures before a new check holds its queue slot until they are done. */
export const PICTURES_BACKLOG = 4;

export class CheckService {
  private index = new ReferenceIndex();
  private revision = -1;
  private loading?: Promise<void>;
  /** Decoded working copies of recently matched references. */
  private refCache = new LruMap<string, RGBAImage>(8);
  /** Reference thumbnails as data: URLs for cards (the record also holds the working copy). */
  private thumbCache = new LruMap<string, string>(64);
  private queue = new TaskQueue(LIMITS.concurrency);
  /** History records being written, by check id. */
  private writing = new Map<string, Promise<void>>();
  /** Starts a check's pictures (called when its card is shaped). */
  private answered = new Map<string, () => void>();
  /** Pictures are added one check at a time, in order. */
  private picturesChain: Promise<void> = Promise.resolve();
  private backlog = 0;
  /** Checks running right now (between start and verdict). */
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  /** performance.now() when a check last ended. */
  private lastBusy = 0;
  /** Someone waits for a record (report opening): its pictures stop yielding to checks. */
  private hurry = 0;
  /** The matcher's warm-up (once per worker). */
  private warmed?: Promise<void>;
  private checksStarted = 0;

  constructor(private platform: ServicePlatform) {}

  get queued(): number {
    return this.queue.pending;
  }

  /**
   * Get ready while idle (a fresh service worker, a page showing check buttons, a hovered button):
   * load the index if the library changed, then warm the matcher's JIT once per worker
   * (utils/compare/warmup.ts). Each warm-up step first waits until no check has run for
   * PICTURES_QUIET_MS; a check started meanwhile ends it. Never throws.
   */
  async warmUp(): Promise<void> {
    try {
      this.platform.warmLabel?.();
      await this.ensureIndex();
      // Once per worker (the JIT stays warm for its life), only while idle: a check started
      // meanwhile ends it, as real work warms the same code, so back-to-back checks never share the
      // CPU with it.
      const seen = this.checksStarted;
      this.warmed ??= warmUpMatching(2, async () => {
        await this.noCheckRunning(performance.now() + 60_000);
        if (this.checksStarted !== seen) throw new Error('a check ran');
      }).then(() => {}, () => {});
      await this.warmed;
    } catch {
      /* only an optimisation: the first check loads what is missing */
    }
  }

  /** Reload the index when the library changed since the last check. */
  async ensureIndex(): Promise<ReferenceIndex> {
    const db = await this.platform.db();
    const rev = await getRevision(db);
    if (rev !== this.revision) {
      this.loading ??= this.reload(db, rev).finally(() => (this.loading = undefined));
      await this.loading;
    }
    return this.index;
  }

  /**
   * Build a new index from the fingerprint store, LOAD_CHUNK records at a time with a yield to the
   * event loop between chunks (a library of a million references loads without holding the worker
   * for seconds). Over IN_MEMORY_MAX_REFERENCES the index keeps only what its search needs and full
   * fingerprints are read back from IndexedDB for the few shortlisted references of each lookup.
   */
  private async reload(db: DB, rev: number): Promise<void> {
    // a library that fits in memory keeps its fingerprints there (no read per check); a larger one
    // keeps only what the search needs and reads the shortlist's fingerprints back per lookup
    const count = await db.count('fingerprints');
    const index = count > IN_MEMORY_MAX_REFERENCES
      ? new ReferenceIndex({ load: async (ids) => getFingerprints(await this.platform.db(), ids) })
      : new ReferenceIndex();
    for await (const chunk of fingerprintChunks(db, LOAD_CHUNK)) {
      const stale = chunk.filter((f) => f.fp?.v !== FINGERPRINT_VERSION);
      if (stale.length) {
        // Fingerprint algorithm changed since import: recompute from the stored working copies.
        const updates = [];
        for (const f of stale) {
          const ref = await getReference(db, f.id);
          if (!ref) continue;
          const d = await this.platform.decode(ref.working, 'jpeg', LIMITS.workingMaxSide);
          f.fp = computeFingerprint(d.image);
          updates.push({ id: f.id, fp: f.fp });
        }
        await updateFingerprints(db, updates);
      }
      for (const f of chunk) index.add({ id: f.id, name: f.name, libraryId: f.libraryId, fp: f.fp });
      await new Promise((r) => setTimeout(r, 0));
    }
    index.build(); // the bulk postings now, not at the first check's lookup
    this.index = index;
    this.refCache.clear();
    this.thumbCache.clear();
    clearMatchCache();
    this.revision = rev;
  }

  private async loadReference(id: string): Promise<RGBAImage | undefined> {
    const hit = this.refCache.get(id);
    if (hit) return hit;
    const ref = await getReference(await this.platform.db(), id);
    if (!ref) return undefined;
    const d = await this.platform.decode(ref.working, 'jpeg', LIMITS.workingMaxSide);
    this.refCache.set(id, d.image);
    return d.image;
  }

  /**
   * Check bytes, store the verdict and return the full result. The pictures of the record
   * (analysis-size copy, thumbnail, error level analysis) are added afterwards, one check at a
   * time, while no check is running (verdicts first); `recorded(id)` / `idle()` wait for them.
   * A check keeps its queue slot while PICTURES_BACKLOG checks wait for pictures, so the decoded
   * copies kept for them stay bounded. Never throws.
   */
  check(bytes: Uint8Array, ctx: { sourceUrl?: string; pageUrl?: string; ticket?: TicketInfo }): Promise<CheckResult> {
    return new Promise<CheckResult>((resolve, reject) => {
      this.queue.run(async () => {
        this.checksStarted++;
        // the revision read (and a reload after library changes) overlaps the decode
        const index = this.ensureIndex();
        let kept: RGBAImage | undefined;
        const ctl = new AbortController();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => (ctl.abort(), r('timeout')), LIMITS.checkTimeoutMs)));
        const work = runCheck(
          { bytes, sourceUrl: ctx.sourceUrl, pageUrl: ctx.pageUrl, ticket: ctx.ticket },
          { index, loadReference: (id) => this.loadReference(id), decode: this.platform.decode, decodeFull: this.platform.decodeFull, validateC2pa: this.platform.validateC2pa, readMetadata: this.platform.readMetadata, readLabel: this.platform.readLabel, onDecoded: (img) => (kept = img), signal: ctl.signal },
        );
        const raced = await this.working(() => Promise.race([work, timeout])).finally(() => clearTimeout(timer));
        if (raced === 'timeout') {
          resolve(await this.fail({ code: 'err_timeout' }, ctx));
          return;
        }
        const result = raced;
        // The verdict is stored as it is shown (a small write, in flight for a few ms: the history,
        // the report and the repeat-buyer count of later checks find it); the pictures follow.
        const img = kept;
        // (the write's transaction is opened before the result is handed out, so any read after it sees it)
        const storing = this.record(result, !!img, await this.platform.db().catch(() => undefined));
        if (!img) {
          const written = this.track(result.id, storing.then(() => {}));
          resolve(result);
          await written;
          return;
        }
        // Pictures start once the card is shaped (or after ANSWER_GRACE_MS), after the pictures of
        // earlier checks, and each step waits while a check is running (at most PICTURES_DEFER_MS).
        const answered = new Promise<void>((r) => {
          this.answered.set(result.id, r);
          setTimeout(r, ANSWER_GRACE_MS);
        });
        this.backlog++;
        const job = this.picturesChain.then(async () => {
          await answered;
          if (await storing) await this.addPictures(result, img, performance.now() + PICTURES_DEFER_MS);
        }).finally(() => this.backlog--);
        this.picturesChain = job;
        const recording = this.track(result.id, job);
        resolve(result);
        if (this.backlog > PICTURES_BACKLOG) await recording;
      }).catch(reject);
    });
  }

  private track(id: string, p: Promise<void>): Promise<void> {
    this.writing.set(id, p);
    return p.finally(() => {
      this.writing.delete(id);
      this.answered.delete(id);
    });
  }

  /** Run `f` (e.g. fetching a photo to check) as part of a check: pictures of earlier checks wait. */
  async working<T>(f: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await f();
    } finally {
      this.running--;
      this.wakeIdle();
    }
  }

  private wakeIdle(): void {
    this.lastBusy = performance.now();
    if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Resolves when no check has run for PICTURES_QUIET_MS (a merchant going through photos clicks
   * the next one right after a verdict), or at `deadline` (performance.now() time).
   */
  private async noCheckRunning(deadline: number): Promise<void> {
    for (;;) {
      const now = performance.now();
      if (now >= deadline) return;
      if (this.running === 0) {
        const wait = this.lastBusy + PICTURES_QUIET_MS - now;
        if (wait <= 0) return;
        await new Promise((r) => setTimeout(r, Math.min(wait, deadline - now)));
        continue;
      }
      await new Promise<void>((r) => {
        this.idleWaiters.push(r);
        setTimeout(r, deadline - now);
      });
    }
  }

  /** Resolves once the check's history record is written (at once when it already is, or unknown). */
  async recorded(id: string): Promise<void> {
    this.answered.get(id)?.();
    this.hurry++;
    try {
      await this.writing.get(id);
    } finally {
      this.hurry--;
    }
  }

  /** Resolves once every history record started so far is written. */
  async idle(): Promise<void> {
    for (const go of this.answered.values()) go();
    while (this.writing.size) await Promise.all([...this.writing.values()]);
  }

  /** Record a check that failed before any bytes could be read (404, HTML, permission…). */
  async fail(error: CheckError, ctx: { sourceUrl?: string; pageUrl?: string; ticket?: TicketInfo }): Promise<CheckResult> {
    const result: CheckResult = {
      id: crypto.randomUUID(),
      checkedAt: new Date().toISOString(),
      ...decideVerdict({ signals: [], error }),
      error,
      ticket: ctx.ticket,
      file: ctx.sourceUrl ? { bytes: 0, sha256: '', format: 'unknown', sourceUrl: ctx.sourceUrl, pageUrl: ctx.pageUrl } : undefined,
    };
    await this.record(result);
    return result;
  }

  /** Store a check without pictures (`pending` when they follow). Returns whether it was stored. */
  private async record(result: CheckResult, pending = false, opened?: DB): Promise<boolean> {
    try {
      const db = opened ?? (await this.platform.db());
      await addCheck(db, {
        id: result.id,
        checkedAt: result.checkedAt,
        level: result.level,
        buyer: result.ticket?.buyer,
        orderId: result.ticket?.orderId,
        ticket: result.ticket,
        result,
        ...(pending ? { pending: true } : {}),
      });
      return true;
    } catch (e) {
      // The verdict still reaches the merchant; the history write failing (quota) is logged.
      console.warn('RefundLens: could not record check', e);
      return false;
    }
  }

  private async addPictures(result: CheckResult, img: RGBAImage, deadline: number): Promise<void> {
    try {
      const pictures = await this.pictures(result, img, () => (this.hurry > 0 ? undefined : this.noCheckRunning(deadline)));
      await completeCheck(await this.platform.db(), result.id, pictures);
    } catch (e) {
      console.warn('RefundLens: could not store the pictures of a check', e);
    }
  }

  /** The buyer photo at analysis size, its thumbnail and (JPEG) its error level analysis. */
  private async pictures(result: CheckResult, img: RGBAImage, yieldToChecks?: () => Promise<void> | undefined): Promise<CheckPictures> {
    const jpeg = result.file?.format === 'jpeg';
    if (this.platform.pictures) {
      // another thread makes them: no need to wait for the checks (this thread only sends pixels)
      try {
        return await this.platform.pictures(img, jpeg);
      } catch {
        /* made here instead */
      }
    }
    return makePictures(img, jpeg, this.platform, yieldToChecks);
  }

  /** A reference's thumbnail as a data: URL. */
  private async referenceThumb(id: string): Promise<string | undefined> {
    let url = this.thumbCache.get(id);
    if (url === undefined) {
      const ref = await getReference(await this.platform.db(), id);
      if (!ref) return undefined;
      this.thumbCache.set(id, (url = bytesToDataUrl(ref.thumb, 'image/jpeg')));
    }
    return url;
  }

  /** Shape the in-page card's data (small, text only plus data: URLs we made ourselves). */
  async toCard(result: CheckResult): Promise<CardResult> {
    const db = await this.platform.db();
    const card: CardResult = {
      id: result.id,
      level: result.level,
      reasons: result.reasons,
      signals: result.metadata?.signals ?? [],
      summary: result.metadata?.summary,
      error: result.error,
      regions: editRegions(result.localisation),
      ...(result.visibleLabel?.box ? { label: { box: result.visibleLabel.box, text: result.visibleLabel.text ?? '' } } : {}),
      size: result.file?.width && result.file.height ? { width: result.file.width, height: result.file.height } : undefined,
    };
    if (result.match) {
      card.match = {
        referenceName: result.match.referenceName,
        confidence: result.match.confidence,
        variant: result.match.variant,
        method: result.match.method,
        thumb: await this.referenceThumb(result.match.referenceId),
      };
    }
    const buyer = result.ticket?.buyer;
    if (buyer) {
      // (earlier checks' verdicts are stored before they are shown)
      const count = await suspiciousChecksOfBuyer(db, buyer, { id: result.id, orderId: result.ticket?.orderId });
      if (count > 0) card.repeatBuyer = { buyer, count };
    }
    this.answered.get(result.id)?.();
    return card;
  }
}

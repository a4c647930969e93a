import { type Clock, Duration, type Logger, systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { BlobStorage } from "./blob-storage.js";
import { parseDigest } from "./digest.js";
import { ImagesStore } from "./store.js";

export interface GarbageCollectorOptions {
  readonly db: Database;
  readonly blobs: BlobStorage;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Uploads untouched this long are removed; default 24 hours. */
  readonly uploadTtl?: Duration;
  /**
   * Unreferenced blobs younger than this are kept, so a push that uploaded its layers has time to
   * put its manifest; default 24 hours.
   */
  readonly blobGrace?: Duration;
  /** How often `start` collects; default hourly. */
  readonly interval?: Duration;
  /**
   * Every how many collections the object store is also listed for objects without a row (left by a
   * crash between a row's deletion and its object's); default 24 (daily, at the default interval).
   * The first collection always sweeps.
   */
  readonly orphanSweepEvery?: number;
}

export interface Collected {
  readonly uploads: number;
  readonly blobs: number;
  /** Objects removed that no row accounted for. */
  readonly orphans: number;
}

const BATCH = 500;

/**
 * Removes expired uploads and blobs no manifest references. Safe beside concurrent pushes: a blob's
 * row is locked while it is deleted, a push records (and so locks) the blob's row before moving its
 * bytes into place and locks the rows of the blobs its manifest references, and a blob touched
 * within the grace period is never collected.
 */
export class GarbageCollector {
  readonly #store: ImagesStore;
  readonly #blobs: BlobStorage;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #uploadTtl: Duration;
  readonly #blobGrace: Duration;
  readonly #interval: Duration;
  readonly #orphanSweepEvery: number;
  #collections = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<Collected> | undefined;

  constructor(options: GarbageCollectorOptions) {
    this.#store = new ImagesStore(options.db);
    this.#blobs = options.blobs;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#uploadTtl = options.uploadTtl ?? Duration.hours(24);
    this.#blobGrace = options.blobGrace ?? Duration.hours(24);
    this.#interval = options.interval ?? Duration.hours(1);
    this.#orphanSweepEvery = options.orphanSweepEvery ?? 24;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.collect().catch((error: unknown) =>
        this.#logger?.error({ err: error }, "registry garbage collection failed"),
      );
    }, this.#interval.milliseconds);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#running?.catch(() => {});
  }

  /** One collection; a second call while one runs joins it. */
  collect(): Promise<Collected> {
    this.#running ??= this.#collect().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #collect(): Promise<Collected> {
    const now = this.#clock.now().getTime();
    let uploads = 0;
    const uploadsBefore = new Date(now - this.#uploadTtl.milliseconds);
    for (;;) {
      const stale = await this.#store.staleUploads(uploadsBefore, BATCH);
      for (const upload of stale) {
        if (await this.#store.deleteUpload(upload.id)) uploads++;
        await this.#blobs.deleteUpload(upload.id);
      }
      if (stale.length < BATCH) break;
    }

    let blobs = 0;
    const blobsBefore = new Date(now - this.#blobGrace.milliseconds);
    let candidates = await this.#store.unreferencedBlobs(blobsBefore, BATCH);
    while (candidates.length > 0) {
      for (const digest of candidates) {
        // The object goes while the row's lock is held, so no push can re-create the blob between.
        const deleted = await this.#store.transaction(async (store) => {
          if (!(await store.deleteBlobIfUnreferenced(digest, blobsBefore))) return false;
          await this.#blobs.delete(digest);
          return true;
        });
        if (deleted) blobs++;
      }
      if (candidates.length < BATCH) break;
      candidates = await this.#store.unreferencedBlobs(blobsBefore, BATCH);
    }
    const orphans =
      this.#collections++ % this.#orphanSweepEvery === 0
        ? await this.#sweepOrphans(blobsBefore, uploadsBefore)
        : 0;
    if (uploads > 0 || blobs > 0 || orphans > 0) {
      this.#logger?.info({ uploads, blobs, orphans }, "registry garbage collected");
    }
    return { uploads, blobs, orphans };
  }

  /**
   * Removes old objects no row accounts for: parts of uploads whose row is gone, and blobs whose row
   * is gone. A push writes a blob's row before its bytes, so an old blob object without a row is
   * left over; it is deleted only if it was not rewritten since it was listed.
   */
  async #sweepOrphans(blobsBefore: Date, uploadsBefore: Date): Promise<number> {
    let removed = 0;
    const uploads: Array<{ uploadId: string; key: string; modifiedAt: Date }> = [];
    const flushUploads = async () => {
      const live = await this.#store.existingUploads([...new Set(uploads.map((u) => u.uploadId))]);
      const dead = uploads.filter((u) => !live.has(u.uploadId)).map((u) => u.key);
      await this.#blobs.deleteKeys(dead);
      removed += dead.length;
      uploads.length = 0;
    };
    for await (const object of this.#blobs.storedUploadObjects()) {
      if (object.modifiedAt >= uploadsBefore) continue;
      uploads.push(object);
      if (uploads.length >= BATCH) await flushUploads();
    }
    await flushUploads();

    const blobs: Array<{ digest: string; modifiedAt: Date }> = [];
    const flushBlobs = async () => {
      const live = await this.#store.existingBlobs(blobs.map((b) => b.digest));
      for (const blob of blobs.filter((b) => !live.has(b.digest))) {
        const key = BlobStorage.blobKey(parseDigest(blob.digest));
        if ((await this.#blobs.modifiedAt(key))?.getTime() !== blob.modifiedAt.getTime()) continue;
        if ((await this.#store.existingBlobs([blob.digest])).size > 0) continue;
        await this.#blobs.delete(blob.digest);
        removed++;
      }
      blobs.length = 0;
    };
    for await (const blob of this.#blobs.storedBlobs()) {
      if (blob.modifiedAt >= blobsBefore) continue;
      blobs.push(blob);
      if (blobs.length >= BATCH) await flushBlobs();
    }
    await flushBlobs();
    return removed;
  }
}

import { type Clock, Duration, type Logger, systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import type { BlobStorage } from "./blob-storage.js";
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
}

export interface Collected {
  readonly uploads: number;
  readonly blobs: number;
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
    if (uploads > 0 || blobs > 0) this.#logger?.info({ uploads, blobs }, "registry garbage collected");
    return { uploads, blobs };
  }
}

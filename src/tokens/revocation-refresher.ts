import { type Clock, Duration, epochSeconds, systemClock } from "../core/index.js";
import type { RevocationList } from "./revocation-list.js";
import type { RevocationFeed } from "./revocation-types.js";

export interface RevocationRefresherOptions {
  readonly list: RevocationList;
  /**
   * Revocations made at or after `from` (seconds): the server reads its table, a sidecar the API.
   * May answer one page at a time: `meta.NEXT_FROM` is followed until a page comes without it.
   */
  readonly fetchFeed: (from: number) => Promise<RevocationFeed>;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** How often to poll; default 10 s (Plan B tokeninfo). */
  readonly interval?: Duration;
  /** How far before the last poll the next one starts, for clock skew and slow commits; default 60 s. */
  readonly tolerance?: Duration;
  /** How far back the first poll (and a forced full reload) reaches; default 30 days. */
  readonly lookBack?: Duration;
  /** Told about failed polls; the list keeps what it had. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps a `RevocationList` up to date by polling a feed with overlapping windows (`from` = last
 * poll − tolerance), as Plan B's tokeninfo does; adding a revocation twice changes nothing. A feed
 * whose `meta.REFRESH_TIMESTAMP` is newer than the last one seen makes it rebuild the list.
 */
export class RevocationRefresher {
  readonly #list: RevocationList;
  readonly #fetchFeed: (from: number) => Promise<RevocationFeed>;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #toleranceSeconds: number;
  readonly #lookBackSeconds: number;
  readonly #onError: (error: unknown) => void;
  #lastPoll: number | undefined;
  #refreshTimestamp: number | undefined;
  #polling: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: RevocationRefresherOptions) {
    this.#list = options.list;
    this.#fetchFeed = options.fetchFeed;
    this.#clock = options.clock ?? systemClock;
    this.#intervalMs = (options.interval ?? Duration.seconds(10)).milliseconds;
    this.#toleranceSeconds = (options.tolerance ?? Duration.seconds(60)).seconds;
    this.#lookBackSeconds = (options.lookBack ?? Duration.days(30)).seconds;
    this.#onError = options.onError ?? (() => {});
    if (this.#intervalMs <= 0) throw new RangeError("interval must be longer than 0 ms");
  }

  /** Whether one poll has succeeded, so the list reflects the feed. */
  get loaded(): boolean {
    return this.#lastPoll !== undefined;
  }

  /** Polls once, then every `interval` until `stop()`. Never throws: see `onError`. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.refresh().catch((error: unknown) => this.#report(error));
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Polls now (concurrent callers share one poll). Resolves to whether it succeeded. */
  refresh(): Promise<boolean> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async #poll(): Promise<boolean> {
    const startedAt = epochSeconds(this.#clock);
    try {
      const from =
        this.#lastPoll === undefined
          ? startedAt - this.#lookBackSeconds
          : this.#lastPoll - this.#toleranceSeconds;
      const feed = await this.#fetchAll(from);
      const forced = feed.meta.REFRESH_TIMESTAMP;
      if (forced !== undefined && (this.#refreshTimestamp === undefined || forced > this.#refreshTimestamp)) {
        const isFirst = this.#refreshTimestamp === undefined && this.#lastPoll === undefined;
        this.#refreshTimestamp = forced;
        if (!isFirst) {
          const full = await this.#fetchAll(startedAt - this.#lookBackSeconds);
          // Cleared and refilled in one synchronous step: no verification sees a half-built list.
          this.#list.clear();
          this.#list.addAll(full.revocations);
          this.#lastPoll = startedAt;
          return true;
        }
      }
      this.#list.addAll(feed.revocations);
      this.#lastPoll = startedAt;
      return true;
    } catch (error) {
      this.#report(error);
      return false;
    }
  }

  /**
   * Every page from `from` on, following `meta.NEXT_FROM`; the first page's meta is kept. All pages
   * are read before any is applied, so a failure halfway leaves the list as it was and the next
   * poll starts from the same place.
   */
  async #fetchAll(from: number): Promise<RevocationFeed> {
    const first = await this.#fetchFeed(from);
    let next = first.meta.NEXT_FROM;
    if (next === undefined) return first;
    const revocations = [...first.revocations];
    let at = from;
    while (next !== undefined) {
      if (!(next > at)) {
        throw new Error(`the revocation feed does not advance: NEXT_FROM ${next} after from=${at}`);
      }
      at = next;
      const page = await this.#fetchFeed(at);
      for (const revocation of page.revocations) revocations.push(revocation);
      next = page.meta.NEXT_FROM;
    }
    const { NEXT_FROM: _, ...meta } = first.meta;
    return { meta, revocations };
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      // A rejection here would be unhandled and end the process; report it and keep the schedule.
      void this.refresh()
        .catch((error: unknown) => this.#report(error))
        .finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** `onError`, made safe to call from a timer: a throwing listener must not end the process. */
  #report(error: unknown): void {
    try {
      this.#onError(error);
    } catch {}
  }
}

import { type Clock, Duration, epochSeconds, systemClock } from "../core/index.js";
import type { RevocationList } from "./revocation-list.js";
import type { RevocationFeed } from "./revocation-types.js";

export interface RevocationRefresherOptions {
  readonly list: RevocationList;
  /** Revocations made at or after `from` (seconds): the server reads its table, a sidecar the API. */
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
    await this.refresh();
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
      const feed = await this.#fetchFeed(from);
      const forced = feed.meta.REFRESH_TIMESTAMP;
      if (forced !== undefined && (this.#refreshTimestamp === undefined || forced > this.#refreshTimestamp)) {
        const isFirst = this.#refreshTimestamp === undefined && this.#lastPoll === undefined;
        this.#refreshTimestamp = forced;
        if (!isFirst) {
          const full = await this.#fetchFeed(startedAt - this.#lookBackSeconds);
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
      this.#onError(error);
      return false;
    }
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      void this.refresh().then(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }
}

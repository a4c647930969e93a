import type { Clock } from "../core/index.js";
import { IdentityErrors } from "./errors.js";

export interface LoginThrottleOptions {
  readonly clock: Clock;
  /** Failures in a row a user id may have before attempts slow down; default 5. */
  readonly freeFailures?: number;
  /** Longest wait imposed between attempts, in milliseconds; default 60 s. */
  readonly maxDelayMs?: number;
  /** Password checks running at once (each costs ~32 MiB and a thread-pool slot); default 8. */
  readonly concurrency?: number;
  /** Checks allowed to wait for a slot before new ones are refused; default 64. */
  readonly queueLimit?: number;
  /** User ids remembered; the oldest are forgotten first; default 10,000. */
  readonly capacity?: number;
}

interface Failures {
  count: number;
  lastAt: number;
}

/**
 * Slows password guessing and caps the CPU and memory password checks can take. After a few
 * failures in a row, a user id must wait (doubling, up to a minute) before its next check runs; a
 * success clears it. The wait is capped so that an attacker can delay but never lock out a person.
 * Per replica, in memory: several replicas multiply the rate, which stays small.
 */
export class LoginThrottle {
  readonly #clock: Clock;
  readonly #freeFailures: number;
  readonly #maxDelayMs: number;
  readonly #concurrency: number;
  readonly #queueLimit: number;
  readonly #capacity: number;
  readonly #failures = new Map<string, Failures>();
  readonly #waiting: Array<() => void> = [];
  #running = 0;

  constructor(options: LoginThrottleOptions) {
    this.#clock = options.clock;
    this.#freeFailures = options.freeFailures ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#concurrency = options.concurrency ?? 8;
    this.#queueLimit = options.queueLimit ?? 64;
    this.#capacity = options.capacity ?? 10_000;
  }

  /** Runs one password check for `userId`, or throws `IDENTITY_TOO_MANY_ATTEMPTS`. */
  async attempt<T>(userId: string, check: () => Promise<{ ok: boolean; value: T }>): Promise<T | undefined> {
    const now = this.#clock.now().getTime();
    const failures = this.#failures.get(userId);
    if (failures !== undefined && failures.count >= this.#freeFailures) {
      const delay = Math.min(this.#maxDelayMs, 1_000 * 2 ** (failures.count - this.#freeFailures));
      if (now - failures.lastAt < delay) {
        throw IdentityErrors.IDENTITY_TOO_MANY_ATTEMPTS(
          `too many failed logins for "${userId}"; try again in ${Math.ceil((delay - (now - failures.lastAt)) / 1000)} s`,
        );
      }
    }
    await this.#slot();
    try {
      const result = await check();
      if (result.ok) {
        this.#failures.delete(userId);
        return result.value;
      }
      this.#fail(userId, failures);
      return undefined;
    } finally {
      this.#release();
    }
  }

  #fail(userId: string, failures: Failures | undefined): void {
    const now = this.#clock.now().getTime();
    this.#failures.delete(userId);
    this.#failures.set(userId, { count: (failures?.count ?? 0) + 1, lastAt: now });
    if (this.#failures.size > this.#capacity) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }

  async #slot(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running += 1;
      return;
    }
    if (this.#waiting.length >= this.#queueLimit) {
      throw IdentityErrors.IDENTITY_TOO_MANY_ATTEMPTS("too many logins at once; try again shortly");
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#running -= 1;
  }
}

import { createHash, randomBytes } from "node:crypto";
import { type Clock, Duration, systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { AuthorizationCodeStore, type CodeGrant } from "./authorization-code-store.js";

export type { CodeGrant } from "./authorization-code-store.js";

export interface AuthorizationCodesOptions {
  readonly db: Database;
  /** How long a code may be exchanged; default 60 s (RFC 6749 recommends at most 10 min). */
  readonly lifetime?: Duration;
  readonly clock?: Clock;
}

/**
 * Single-use authorization codes: 256 random bits, stored only as their SHA-256, so a database
 * reader cannot redeem one. Redeeming deletes the row in the same statement that reads it.
 */
export class AuthorizationCodes {
  readonly #store: AuthorizationCodeStore;
  readonly #clock: Clock;
  readonly #lifetime: number;

  constructor(options: AuthorizationCodesOptions) {
    this.#store = new AuthorizationCodeStore(options.db);
    this.#clock = options.clock ?? systemClock;
    this.#lifetime = (options.lifetime ?? Duration.seconds(60)).milliseconds;
    if (this.#lifetime < 1_000 || this.#lifetime > 600_000) {
      throw new RangeError(
        `lifetime must be between 1s and 10m, got ${Duration.milliseconds(this.#lifetime)}`,
      );
    }
  }

  /** Stores a grant and returns the code that redeems it. Expired codes are swept on the way. */
  async create(grant: Omit<CodeGrant, "expiresAt">): Promise<string> {
    const now = this.#clock.now();
    const code = randomBytes(32).toString("base64url");
    await this.#store.removeExpired(now);
    await this.#store.insert(
      hashOf(code),
      { ...grant, expiresAt: new Date(now.getTime() + this.#lifetime) },
      now,
    );
    return code;
  }

  /** The grant a code stands for, once; undefined when unknown, already redeemed or expired. */
  async redeem(code: string): Promise<CodeGrant | undefined> {
    const grant = await this.#store.take(hashOf(code));
    if (grant === undefined || grant.expiresAt.getTime() <= this.#clock.now().getTime()) return undefined;
    return grant;
  }
}

function hashOf(code: string): string {
  return createHash("sha256").update(code).digest("base64url");
}

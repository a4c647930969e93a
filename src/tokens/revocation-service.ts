import {
  type Actor,
  type AuditSink,
  type Clock,
  Duration,
  epochSeconds,
  systemClock,
} from "../core/index.js";
import type { Database } from "../db/index.js";
import { RevocationErrors } from "./revocation-errors.js";
import { CLAIM_SEPARATOR, sortedClaimNames, tokenRevocationInput } from "./revocation-hash.js";
import type { RevocationList } from "./revocation-list.js";
import { RevocationStore } from "./revocation-store.js";
import type { Revocation, RevocationFeed, RevocationRequest } from "./revocation-types.js";

export interface RevocationServiceOptions {
  readonly db: Database;
  readonly audit: AuditSink;
  /** The server's in-process list: a revocation is added to it as soon as it commits. */
  readonly list: RevocationList;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** How far in the future `issued_before` may lie (clock skew); default 5 s, as Plan B. */
  readonly maxFutureSkew?: Duration;
  /**
   * How far back a feed without `from` reaches; default 30 days (Plan B tokeninfo's cache TTL).
   * Must exceed the longest token lifetime, or an old revocation could be missed at start-up.
   */
  readonly retention?: Duration;
  /**
   * Most revocations one `feed` answer holds (a little more only when one second holds more);
   * default 10,000. Readers follow `meta.NEXT_FROM` for the rest.
   */
  readonly pageSize?: number;
}

/** Default `pageSize`: one answer stays around a megabyte of JSON. */
export const REVOCATION_PAGE_SIZE = 10_000;

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const E = RevocationErrors;

/**
 * Plan B's revocation service: records revocations (hashed, audited, append-only) and serves them
 * to verifiers. Rules only; who may revoke what is `AuthorizedRevocationService`'s business.
 */
export class RevocationService {
  readonly #db: Database;
  readonly #store: RevocationStore;
  readonly #audit: AuditSink;
  readonly #list: RevocationList;
  readonly #clock: Clock;
  readonly #maxFutureSkewSeconds: number;
  readonly #retentionSeconds: number;
  readonly #pageSize: number;

  constructor(options: RevocationServiceOptions) {
    this.#db = options.db;
    this.#store = new RevocationStore(options.db);
    this.#audit = options.audit;
    this.#list = options.list;
    this.#clock = options.clock ?? systemClock;
    this.#maxFutureSkewSeconds = (options.maxFutureSkew ?? Duration.seconds(5)).seconds;
    this.#retentionSeconds = (options.retention ?? Duration.days(30)).seconds;
    this.#pageSize = options.pageSize ?? REVOCATION_PAGE_SIZE;
    if (!Number.isSafeInteger(this.#pageSize) || this.#pageSize < 1) {
      throw new RangeError(`pageSize must be a positive integer, got ${options.pageSize}`);
    }
  }

  /** The longest look-back of a feed; verifiers start from `now - retention`. */
  get retentionSeconds(): number {
    return this.#retentionSeconds;
  }

  /**
   * Records a revocation and applies it to the in-process list at once. Token and claim values are
   * hashed before they reach the database or the audit log.
   */
  async revoke(actor: Actor, request: RevocationRequest): Promise<Revocation> {
    const revocation = this.#hashed(request, epochSeconds(this.#clock));
    await this.#db.transaction().execute(async (tx) => {
      const id = await this.#store.insert(tx, revocation, `${actor.realm}/${actor.sub}`);
      await this.#audit.append(tx, {
        actor,
        action: "revocation.create",
        target: `revocation/${id}`,
        body: { type: revocation.type, data: revocation.data },
      });
    });
    this.#list.add(revocation);
    return revocation;
  }

  /**
   * Revocations made at or after `from` (seconds), or within the retention period, oldest first
   * and at most about `pageSize` of them; `meta.NEXT_FROM` says where the rest starts.
   */
  async feed(from?: number): Promise<RevocationFeed> {
    const oldest = epochSeconds(this.#clock) - this.#retentionSeconds;
    const since = from === undefined ? oldest : Math.max(from, oldest);
    const page = await this.#store.listPage(since, this.#pageSize);
    return {
      meta: page.nextFrom === undefined ? {} : { NEXT_FROM: page.nextFrom },
      revocations: page.revocations,
    };
  }

  #hashed(request: RevocationRequest, now: number): Revocation {
    switch (request.type) {
      case "TOKEN": {
        if (!JWS_COMPACT.test(request.data.token)) {
          throw E.TOKENS_REVOCATION_INVALID("data.token is not a JWS in compact serialization", {
            field: "data.token",
          });
        }
        const token_hash = this.#list.hash(tokenRevocationInput(request.data.token));
        return { type: "TOKEN", revoked_at: now, data: { token_hash, hash_algorithm: "SHA-256" } };
      }
      case "CLAIM": {
        const { claims } = request.data;
        const names = sortedClaimNames(claims);
        if (names.length === 0) {
          throw E.TOKENS_REVOCATION_INVALID("data.claims names no claim", { field: "data.claims" });
        }
        for (const name of names) {
          if (name.includes(CLAIM_SEPARATOR) || claims[name]!.includes(CLAIM_SEPARATOR)) {
            throw E.TOKENS_REVOCATION_INVALID(`data.claims.${name} contains "${CLAIM_SEPARATOR}"`, {
              field: `data.claims.${name}`,
            });
          }
        }
        const value_hash = this.#list.hash(names.map((name) => claims[name]!).join(CLAIM_SEPARATOR));
        const issued_before = this.#issuedBefore(request.data.issued_before ?? now, now);
        return {
          type: "CLAIM",
          revoked_at: now,
          data: { names: names.join(CLAIM_SEPARATOR), value_hash, issued_before, hash_algorithm: "SHA-256" },
        };
      }
      case "GLOBAL":
        return {
          type: "GLOBAL",
          revoked_at: now,
          data: { issued_before: this.#issuedBefore(request.data.issued_before, now) },
        };
    }
  }

  #issuedBefore(issuedBefore: number, now: number): number {
    if (issuedBefore > now + this.#maxFutureSkewSeconds) {
      throw E.TOKENS_REVOCATION_INVALID(
        `data.issued_before lies more than ${this.#maxFutureSkewSeconds} s in the future`,
        { field: "data.issued_before" },
      );
    }
    return issuedBefore;
  }
}

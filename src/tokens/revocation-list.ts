import { CLAIM_SEPARATOR, hashRevocationValue } from "./revocation-hash.js";
import type { Revocation } from "./revocation-types.js";

export interface RevocationListOptions {
  /**
   * Prepended to every value before hashing; must equal the salt of whoever wrote the revocations.
   * There is deliberately no default: a wrong salt makes every revocation silently ineffective.
   */
  readonly salt: string;
}

/** A verified token, as the revocation check sees it. */
export interface RevocationSubject {
  /** The token's signed part, `header.payload`; see `tokenRevocationInput`. */
  readonly signedPart: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly iat: number;
  /** Filled in by the first check that needs it, so a token is hashed at most once. */
  tokenHash?: string;
}

interface ClaimNames {
  readonly names: readonly string[];
  /** value hash → latest `issued_before` */
  readonly values: Map<string, number>;
  /**
   * The latest `issued_before` of any of them: a token issued after it is revoked by none, so its
   * values need no hashing (most tokens in use are younger than the revocations held).
   */
  latest: number;
}

/**
 * The revocations in force, in memory, each checked in constant time: a set of token hashes, one map
 * of value hashes per combination of claim names, and the latest global `issued_before`. `version`
 * changes whenever the list does, so a cache can skip re-checking tokens while it stays the same.
 */
export class RevocationList {
  readonly #salt: string;
  #tokens = new Set<string>();
  #claims = new Map<string, ClaimNames>();
  #globalIssuedBefore = Number.NEGATIVE_INFINITY;
  #size = 0;
  #version = 0;

  constructor(options: RevocationListOptions) {
    if (typeof options.salt !== "string" || options.salt.length === 0) {
      throw new RangeError("salt must be a non-empty string");
    }
    this.#salt = options.salt;
  }

  /** Changes whenever a revocation is added or the list is cleared. */
  get version(): number {
    return this.#version;
  }

  /** How many revocations the list holds (duplicates counted once). */
  get size(): number {
    return this.#size;
  }

  /** The salted hash of a value, as stored in revocations. */
  hash(value: string): string {
    return hashRevocationValue(this.#salt, value);
  }

  /** Adds a revocation; adding one already held changes nothing. Returns whether the list changed. */
  add(revocation: Revocation): boolean {
    const changed = this.#add(revocation);
    if (changed) this.#version++;
    return changed;
  }

  addAll(revocations: Iterable<Revocation>): void {
    let changed = false;
    for (const revocation of revocations) changed = this.#add(revocation) || changed;
    if (changed) this.#version++;
  }

  clear(): void {
    this.#tokens = new Set();
    this.#claims = new Map();
    this.#globalIssuedBefore = Number.NEGATIVE_INFINITY;
    this.#size = 0;
    this.#version++;
  }

  isRevoked(subject: RevocationSubject): boolean {
    if (subject.iat <= this.#globalIssuedBefore) return true;
    if (this.#tokens.size > 0) {
      subject.tokenHash ??= this.hash(subject.signedPart);
      if (this.#tokens.has(subject.tokenHash)) return true;
    }
    for (const { names, values, latest } of this.#claims.values()) {
      if (subject.iat > latest) continue;
      const joined = joinedClaimValues(subject.claims, names);
      if (joined === undefined) continue;
      const issuedBefore = values.get(this.hash(joined));
      if (issuedBefore !== undefined && subject.iat <= issuedBefore) return true;
    }
    return false;
  }

  #add(revocation: Revocation): boolean {
    switch (revocation.type) {
      case "TOKEN": {
        if (this.#tokens.has(revocation.data.token_hash)) return false;
        this.#tokens.add(revocation.data.token_hash);
        this.#size++;
        return true;
      }
      case "CLAIM": {
        const { names, value_hash, issued_before } = revocation.data;
        let entry = this.#claims.get(names);
        if (entry === undefined) {
          entry = {
            names: names.split(CLAIM_SEPARATOR),
            values: new Map(),
            latest: Number.NEGATIVE_INFINITY,
          };
          this.#claims.set(names, entry);
        }
        const held = entry.values.get(value_hash);
        if (held === undefined) this.#size++;
        // The latest issued_before wins whatever order revocations arrive in (Plan B tokeninfo #60).
        if (held !== undefined && held >= issued_before) return false;
        entry.values.set(value_hash, issued_before);
        entry.latest = Math.max(entry.latest, issued_before);
        return true;
      }
      case "GLOBAL": {
        if (revocation.data.issued_before <= this.#globalIssuedBefore) return false;
        if (this.#globalIssuedBefore === Number.NEGATIVE_INFINITY) this.#size++;
        this.#globalIssuedBefore = revocation.data.issued_before;
        return true;
      }
    }
  }
}

/** The token's values of the named claims joined as Plan B does, or undefined if one is not a string. */
export function joinedClaimValues(
  claims: Readonly<Record<string, unknown>>,
  names: readonly string[],
): string | undefined {
  const values: string[] = [];
  for (const name of names) {
    const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (typeof value !== "string") return undefined;
    values.push(value);
  }
  return values.join(CLAIM_SEPARATOR);
}

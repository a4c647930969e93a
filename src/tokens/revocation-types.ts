/** The only hash Plan B revocations use; named in every hashed revocation as `hash_algorithm`. */
export const REVOCATION_HASH_ALGORITHM = "SHA-256";

/**
 * Plan B's default salt. Known to everyone, so it protects nothing: programs must configure their
 * own (the server generates one) and use this only to interoperate with an unconfigured Plan B.
 */
export const PLAN_B_DEFAULT_SALT = "seasaltisthebest";

export type RevocationType = "TOKEN" | "CLAIM" | "GLOBAL";

/**
 * A revocation as stored and as `GET /revocations` serves it (Plan B's wire shape). Times are
 * seconds since the epoch; values are salted hashes, never the token or claim values themselves.
 * A token is revoked by a CLAIM or GLOBAL revocation when its `iat` is at or before `issued_before`.
 */
export type Revocation =
  | {
      readonly type: "TOKEN";
      readonly revoked_at: number;
      readonly data: { readonly token_hash: string; readonly hash_algorithm: "SHA-256" };
    }
  | {
      readonly type: "CLAIM";
      readonly revoked_at: number;
      readonly data: {
        /** Claim names, sorted, joined with `|`. */
        readonly names: string;
        /** Hash of the claim values in the order of `names`, joined with `|`. */
        readonly value_hash: string;
        readonly issued_before: number;
        readonly hash_algorithm: "SHA-256";
      };
    }
  | {
      readonly type: "GLOBAL";
      readonly revoked_at: number;
      readonly data: { readonly issued_before: number };
    };

/** The answer of `GET /revocations`. */
export interface RevocationFeed {
  readonly meta: {
    /** When present and newer than the last one seen, a reader rebuilds its list from `REFRESH_FROM`. */
    readonly REFRESH_FROM?: number;
    readonly REFRESH_TIMESTAMP?: number;
    /**
     * Present when this page was cut short: the rest starts at this second, so read again with
     * `from=NEXT_FROM`. Pages hold whole seconds, so nothing is repeated or skipped. Charter's
     * extension of Plan B's shape; a Plan B reader ignores it and sees only the first page.
     */
    readonly NEXT_FROM?: number;
  };
  readonly revocations: readonly Revocation[];
}

/** The body of `POST /revocations`: what to revoke, in clear text (the server hashes it). */
export type RevocationRequest =
  | { readonly type: "TOKEN"; readonly data: { readonly token: string } }
  | {
      readonly type: "CLAIM";
      readonly data: {
        readonly claims: Readonly<Record<string, string>>;
        /** Default: now. */
        readonly issued_before?: number;
      };
    }
  | { readonly type: "GLOBAL"; readonly data: { readonly issued_before: number } };

import { actorOf, isAdmin, isCharterError, type Principal } from "../core/index.js";
import { RevocationErrors } from "./revocation-errors.js";
import type { RevocationService } from "./revocation-service.js";
import type { Revocation, RevocationFeed, RevocationRequest } from "./revocation-types.js";

/**
 * What `AuthorizedRevocationService` needs to prove that a token is Charter's and whose it is:
 * `TokenVerifier` fits. It must throw `TOKENS_EXPIRED` for an expired token and, when it checks
 * revocations, `TOKENS_REVOKED` for a revoked one (both are answered specially); any other
 * `CharterError` means the token cannot be shown to be the caller's.
 */
export interface RevocationTokenVerifier {
  verify(token: string): Promise<{ readonly claims: { readonly sub: string; readonly realm: string } }>;
}

export interface AuthorizedRevocationServiceOptions {
  /**
   * Verifies a token a caller without `charter.admin` revokes. Without it such TOKEN revocations
   * are refused: an unverified token proves nothing, and each one would be a row every verifier
   * holds in memory for the retention period.
   */
  readonly verifier?: RevocationTokenVerifier;
}

const E = RevocationErrors;

/**
 * Who may revoke what, in one place. Reading the feed needs any valid token. With `charter.admin`
 * anything may be revoked; without it, a principal may revoke a token of its own and all of its
 * own tokens with a CLAIM revocation of `{sub}` or `{sub, realm}` naming itself. Such a CLAIM is
 * narrowed to `{sub, realm}`, so it never reaches a namesake in the other realm.
 *
 * "A token of its own" is one the verifier accepts (our signature and issuer) whose `sub` and
 * `realm` are the caller's. An expired token is answered `TOKENS_REVOCATION_TOKEN_EXPIRED` (400)
 * and a token already refused by a revocation `TOKENS_REVOCATION_ALREADY_REVOKED` (409); neither
 * stores anything.
 *
 * @example
 * const service = new AuthorizedRevocationService(revocations, { verifier });
 */
export class AuthorizedRevocationService {
  readonly #inner: RevocationService;
  readonly #verifier: RevocationTokenVerifier | undefined;

  constructor(inner: RevocationService, options: AuthorizedRevocationServiceOptions = {}) {
    this.#inner = inner;
    this.#verifier = options.verifier;
  }

  async revoke(principal: Principal, request: RevocationRequest): Promise<Revocation> {
    return this.#inner.revoke(actorOf(principal), await this.#authorized(principal, request));
  }

  feed(_principal: Principal, from?: number): Promise<RevocationFeed> {
    return this.#inner.feed(from);
  }

  async #authorized(principal: Principal, request: RevocationRequest): Promise<RevocationRequest> {
    if (isAdmin(principal)) return request;
    switch (request.type) {
      case "TOKEN": {
        const claims = await this.#verifiedClaims(request.data.token);
        if (claims.sub === principal.sub && claims.realm === principal.realm) return request;
        throw E.TOKENS_REVOCATION_FORBIDDEN("only a token of your own may be revoked without charter.admin");
      }
      case "CLAIM": {
        const { claims } = request.data;
        const names = Object.keys(claims);
        const ownSub = claims.sub === principal.sub;
        const ownRealm = claims.realm === undefined || claims.realm === principal.realm;
        if (ownSub && ownRealm && names.every((name) => name === "sub" || name === "realm")) {
          return {
            type: "CLAIM",
            data: { ...request.data, claims: { sub: principal.sub, realm: principal.realm } },
          };
        }
        throw E.TOKENS_REVOCATION_FORBIDDEN(
          "without charter.admin a CLAIM revocation may only name your own sub (and realm)",
        );
      }
      case "GLOBAL":
        throw E.TOKENS_REVOCATION_FORBIDDEN("a GLOBAL revocation needs charter.admin");
    }
  }

  /** The claims of a token the verifier accepts, or the refusal a caller without charter.admin gets. */
  async #verifiedClaims(token: string): Promise<{ readonly sub: string; readonly realm: string }> {
    if (this.#verifier === undefined) {
      throw E.TOKENS_REVOCATION_FORBIDDEN("revoking a single token needs charter.admin on this server");
    }
    try {
      return (await this.#verifier.verify(token)).claims;
    } catch (error) {
      if (!isCharterError(error)) throw error;
      if (error.code === "TOKENS_EXPIRED") {
        throw E.TOKENS_REVOCATION_TOKEN_EXPIRED("data.token has expired; no verifier accepts it any more", {
          field: "data.token",
        });
      }
      if (error.code === "TOKENS_REVOKED") {
        throw E.TOKENS_REVOCATION_ALREADY_REVOKED("data.token is already revoked", { field: "data.token" });
      }
      // Forged, foreign or malformed: it cannot be shown to be the caller's, and storing it would
      // only let anyone grow every verifier's list.
      throw E.TOKENS_REVOCATION_FORBIDDEN("only a token of your own may be revoked without charter.admin");
    }
  }
}

import { actorOf, isAdmin, type Principal } from "../core/index.js";
import { RevocationErrors } from "./revocation-errors.js";
import type { RevocationService } from "./revocation-service.js";
import type { Revocation, RevocationFeed, RevocationRequest } from "./revocation-types.js";

const E = RevocationErrors;

/**
 * Who may revoke what, in one place. Reading the feed needs any valid token. With `charter.admin`
 * anything may be revoked; without it, a principal may revoke a token of its own (the token's
 * `sub` and `realm` are its own) and all of its own tokens with a CLAIM revocation of `{sub}` or
 * `{sub, realm}` naming itself. Such a CLAIM is narrowed to `{sub, realm}`, so it never reaches a
 * namesake in the other realm.
 */
export class AuthorizedRevocationService {
  readonly #inner: RevocationService;

  constructor(inner: RevocationService) {
    this.#inner = inner;
  }

  revoke(principal: Principal, request: RevocationRequest): Promise<Revocation> {
    return this.#inner.revoke(actorOf(principal), authorized(principal, request));
  }

  feed(_principal: Principal, from?: number): Promise<RevocationFeed> {
    return this.#inner.feed(from);
  }
}

function authorized(principal: Principal, request: RevocationRequest): RevocationRequest {
  if (isAdmin(principal)) return request;
  switch (request.type) {
    case "TOKEN": {
      // The claims are read without verifying the signature: the hash covers exactly the string
      // that was read, so altering its claims would only revoke a token that does not exist.
      const claims = unverifiedClaims(request.data.token);
      if (claims?.sub === principal.sub && claims.realm === principal.realm) return request;
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

function unverifiedClaims(token: string): { sub?: unknown; realm?: unknown } | undefined {
  const [, payload] = token.split(".");
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return claims !== null && typeof claims === "object" ? claims : undefined;
  } catch {
    return undefined;
  }
}

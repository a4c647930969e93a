import { randomUUID } from "node:crypto";
import { type Clock, Duration, type Principal, systemClock } from "../core/index.js";
import { checkIssuer, type SigningKeySource } from "./token-issuer.js";

/** The JWS `typ` of registry tokens; access-token verifiers refuse it, and registry verifiers need it. */
export const REGISTRY_TOKEN_TYPE = "charter-registry+jwt";

/** One grant of a registry token, as the Docker token specification spells it. */
export interface RegistryAccess {
  readonly type: "repository" | "registry";
  readonly name: string;
  readonly actions: readonly string[];
}

export interface RegistryTokenIssuerOptions {
  readonly keys: SigningKeySource;
  readonly issuer: string;
  /** Default 5 minutes: a registry token covers one push or pull. */
  readonly lifetime?: Duration;
  readonly clock?: Clock;
}

export interface IssuedRegistryToken {
  readonly token: string;
  readonly expiresIn: number;
  readonly issuedAt: Date;
}

/**
 * Signs the short-lived tokens of the Docker token flow with the provider's current signing key.
 * They carry the caller's identity and scopes (so the registry knows who pushed) and the granted
 * `access`, and name the registry as audience; their own `typ` keeps them from passing as access
 * tokens anywhere else.
 */
export class RegistryTokenIssuer {
  readonly #keys: SigningKeySource;
  readonly #issuer: string;
  readonly #lifetimeSeconds: number;
  readonly #clock: Clock;

  constructor(options: RegistryTokenIssuerOptions) {
    this.#keys = options.keys;
    this.#issuer = checkIssuer(options.issuer);
    this.#lifetimeSeconds = (options.lifetime ?? Duration.minutes(5)).seconds;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Signs a token for `access`. It carries only `scopes` of the principal's (those the registry
   * checks), and expires at `notAfter` (seconds) when that comes before its own lifetime ends, so it
   * never outlives the credential it was exchanged for.
   */
  issue(
    principal: Principal,
    audience: string,
    access: readonly RegistryAccess[],
    options: { readonly scopes?: readonly string[]; readonly notAfter?: number } = {},
  ): IssuedRegistryToken {
    const now = this.#clock.now();
    const key = this.#keys.signingKey(now);
    const iat = Math.floor(now.getTime() / 1000);
    const exp = Math.min(
      iat + this.#lifetimeSeconds,
      Math.floor(options.notAfter ?? Number.POSITIVE_INFINITY),
    );
    const header = Buffer.from(
      JSON.stringify({ alg: key.alg, kid: key.kid, typ: REGISTRY_TOKEN_TYPE }),
    ).toString("base64url");
    const claims = {
      sub: principal.sub,
      realm: principal.realm,
      scope: [...principal.scopes].filter((s) => options.scopes === undefined || options.scopes.includes(s)),
      ...(principal.clientId === undefined ? {} : { azp: principal.clientId }),
      iss: this.#issuer,
      aud: audience,
      iat,
      exp,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    return {
      token: `${signingInput}.${key.sign(signingInput)}`,
      expiresIn: Math.max(exp - iat, 0),
      issuedAt: new Date(iat * 1000),
    };
  }
}

import { randomUUID } from "node:crypto";
import { type Clock, Duration, REALMS, type Realm, systemClock } from "../core/index.js";
import type { SigningKey } from "./signing-key.js";
import type { AccessTokenClaims, IssuedToken, TokenSubject } from "./types.js";

/** Token lifetime per realm. */
export interface TokenLifetimes {
  /** Default 1 h: services can fetch a new token whenever they like. */
  readonly services?: Duration;
  /** Default 8 h: a working day without logging in again. */
  readonly employees?: Duration;
}

/** Where the issuer gets the key that signs now; the `KeyRing` is one. */
export interface SigningKeySource {
  signingKey(now: Date): SigningKey;
}

export interface TokenIssuerOptions {
  readonly keys: SigningKeySource;
  /** The `iss` claim and the base of every endpoint URL, such as `https://charter.example.org`. */
  readonly issuer: string;
  readonly lifetimes?: TokenLifetimes;
  readonly clock?: Clock;
}

const DEFAULT_LIFETIMES: Readonly<Record<Realm, Duration>> = {
  services: Duration.hours(1),
  employees: Duration.hours(8),
};

/**
 * Checks an issuer URL: http or https, no query, fragment, credentials or trailing slash, because
 * verifiers compare `iss` as an exact string and endpoint URLs are built by appending paths.
 */
export function checkIssuer(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new RangeError(`issuer must be an absolute http(s) URL, got ${JSON.stringify(issuer)}`);
  }
  if (
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.search !== "" ||
    url.hash !== "" ||
    url.username !== "" ||
    url.password !== "" ||
    issuer.endsWith("/")
  ) {
    throw new RangeError(
      `issuer must be an http(s) URL without query, fragment, credentials or trailing slash, got ${JSON.stringify(issuer)}`,
    );
  }
  return issuer;
}

/**
 * Signs access tokens: compact JWS with header `{alg, kid, typ: "JWT"}` and claims `sub`, `realm`,
 * `scope` (array), `iss`, `iat`, `exp`, plus `azp` when the client is not the subject. Issuing
 * writes nothing anywhere, so it scales with CPU alone.
 *
 * @example
 * const issuer = new TokenIssuer({ keys: ring, issuer: "https://charter.example.org" });
 * const { accessToken } = issuer.issue({ sub: "billing", realm: "services", scopes: ["billing.read"], clientId: "billing" });
 */
export class TokenIssuer {
  readonly #keys: SigningKeySource;
  readonly #clock: Clock;
  readonly #lifetimeSeconds: Readonly<Record<Realm, number>>;
  readonly issuer: string;

  constructor(options: TokenIssuerOptions) {
    this.#keys = options.keys;
    this.#clock = options.clock ?? systemClock;
    this.issuer = checkIssuer(options.issuer);
    const seconds = {} as Record<Realm, number>;
    for (const realm of REALMS) {
      const lifetime = options.lifetimes?.[realm] ?? DEFAULT_LIFETIMES[realm];
      if (lifetime.seconds < 60 || lifetime.seconds > 86_400 * 30) {
        throw new RangeError(`lifetimes.${realm} must be between 1m and 30d, got ${lifetime}`);
      }
      seconds[realm] = lifetime.seconds;
    }
    this.#lifetimeSeconds = seconds;
  }

  /** The longest lifetime of any token this issuer signs. */
  get maxLifetime(): Duration {
    return Duration.seconds(Math.max(...Object.values(this.#lifetimeSeconds)));
  }

  /** Signs a token for a subject whose scopes a grant has already checked. */
  issue(subject: TokenSubject): IssuedToken {
    const now = this.#clock.now();
    const key = this.#keys.signingKey(now);
    const iat = Math.floor(now.getTime() / 1000);
    const expiresIn = this.#lifetimeSeconds[subject.realm];
    const claims: AccessTokenClaims = {
      sub: subject.sub,
      realm: subject.realm,
      scope: subject.scopes,
      iss: this.issuer,
      iat,
      exp: iat + expiresIn,
      ...(subject.clientId === subject.sub ? {} : { azp: subject.clientId }),
      // Makes every token distinct, so revoking one TOKEN never revokes a twin issued in the same second.
      jti: randomUUID(),
    };
    const signingInput = key.headerPrefix + Buffer.from(JSON.stringify(claims)).toString("base64url");
    return {
      accessToken: `${signingInput}.${key.sign(signingInput)}`,
      expiresIn,
      scopes: subject.scopes,
      realm: subject.realm,
    };
  }
}

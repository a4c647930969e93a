import type { JSONWebKeySet } from "jose";
import type { SecretBox } from "../cloud/index.js";
import type { AuditSink, Clock, Duration, Logger } from "../core/index.js";
import { systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { AuthorizationCodes } from "./authorization-codes.js";
import { AuthorizationEndpoint } from "./authorization-endpoint.js";
import { AuthorizeFormTokens } from "./authorize-form-token.js";
import { ClientAuthenticator } from "./client-authenticator.js";
import { discoveryDocument } from "./discovery.js";
import { KeyRing } from "./key-ring.js";
import { KeyRotation } from "./key-rotation.js";
import { TokenEndpoint } from "./token-endpoint.js";
import { TokenIssuer, type TokenLifetimes } from "./token-issuer.js";
import type { CredentialChecker, SigningAlgorithm } from "./types.js";

export interface TokenProviderOptions {
  readonly db: Database;
  /** Seals signing keys and login forms; every replica must share its master key. */
  readonly secretBox: SecretBox;
  /** Checks passwords and client secrets; the identity part's `IdentityService`. */
  readonly credentials: CredentialChecker;
  /** Records signing-key changes. */
  readonly audit: AuditSink;
  /** The public base URL, such as `https://charter.example.org`: the `iss` claim and endpoint base. */
  readonly issuer: string;
  /** Algorithm of new signing keys; default `ES256`. */
  readonly algorithm?: SigningAlgorithm;
  /** Token lifetime per realm; default services 1 h, employees 8 h. */
  readonly lifetimes?: TokenLifetimes;
  /** How long each signing key signs; default 24 h. */
  readonly rotationInterval?: Duration;
  /** How often verifiers re-fetch the JWKS; default 30 s. Only lengthens the pre-publication. */
  readonly verifierRefreshInterval?: Duration;
  /** How often each replica re-reads the signing keys; default 60 s. */
  readonly keyReloadInterval?: Duration;
  /** How long a new key is published before it signs; default at least 5 min (see `KeyRotation`). */
  readonly prepublish?: Duration;
  /** How long a successful client authentication is remembered; default 10 s. */
  readonly clientCacheTtl?: Duration;
  /** How long an authorization code may be redeemed; default 60 s. */
  readonly authorizationCodeLifetime?: Duration;
  /** How long a login form may be submitted; default 10 min. */
  readonly loginFormLifetime?: Duration;
  /** Advertised in the discovery document when given. */
  readonly tokeninfoEndpoint?: string;
  /** Advertised in the discovery document when given. */
  readonly revocationEndpoint?: string;
  /** Lists the scope names for `scopes_supported`; the `ScopeRegistry` is one. */
  readonly scopeNames?: () => Promise<readonly string[]>;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * The OAuth2 provider assembled: signing keys and their rotation, the token issuer, the token and
 * authorization endpoints' rules. The server builds one, calls `start()` before listening, registers
 * `oauthHttp(provider)`, and calls `stop()` on shutdown.
 *
 * @example
 * const provider = createTokenProvider({ db, secretBox, credentials: identity, audit, issuer: "http://127.0.0.1:8080" });
 * await provider.start();
 * await app.register(oauthHttp(provider));
 */
export class TokenProvider {
  readonly keys: KeyRing;
  readonly rotation: KeyRotation;
  readonly issuer: TokenIssuer;
  readonly clients: ClientAuthenticator;
  readonly codes: AuthorizationCodes;
  readonly tokenEndpoint: TokenEndpoint;
  readonly authorizationEndpoint: AuthorizationEndpoint;
  readonly algorithm: SigningAlgorithm;
  readonly loginFormLifetime: Duration;
  readonly #options: TokenProviderOptions;

  constructor(options: TokenProviderOptions) {
    this.#options = options;
    const clock = options.clock ?? systemClock;
    this.algorithm = options.algorithm ?? "ES256";
    this.keys = new KeyRing({
      db: options.db,
      secretBox: options.secretBox,
      clock,
      ...(options.keyReloadInterval === undefined ? {} : { reloadInterval: options.keyReloadInterval }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    this.issuer = new TokenIssuer({
      keys: this.keys,
      issuer: options.issuer,
      clock,
      ...(options.lifetimes === undefined ? {} : { lifetimes: options.lifetimes }),
    });
    this.rotation = new KeyRotation({
      db: options.db,
      secretBox: options.secretBox,
      audit: options.audit,
      maxTokenLifetime: this.issuer.maxLifetime,
      ring: this.keys,
      algorithm: this.algorithm,
      clock,
      ...(options.rotationInterval === undefined ? {} : { interval: options.rotationInterval }),
      ...(options.verifierRefreshInterval === undefined
        ? {}
        : { verifierRefreshInterval: options.verifierRefreshInterval }),
      ...(options.prepublish === undefined ? {} : { prepublish: options.prepublish }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    this.clients = new ClientAuthenticator({
      credentials: options.credentials,
      clock,
      ...(options.clientCacheTtl === undefined ? {} : { ttl: options.clientCacheTtl }),
    });
    this.codes = new AuthorizationCodes({
      db: options.db,
      clock,
      ...(options.authorizationCodeLifetime === undefined
        ? {}
        : { lifetime: options.authorizationCodeLifetime }),
    });
    this.tokenEndpoint = new TokenEndpoint({
      issuer: this.issuer,
      clients: this.clients,
      credentials: options.credentials,
      codes: this.codes,
    });
    const forms = new AuthorizeFormTokens({
      secretBox: options.secretBox,
      clock,
      ...(options.loginFormLifetime === undefined ? {} : { lifetime: options.loginFormLifetime }),
    });
    this.loginFormLifetime = forms.lifetime;
    this.authorizationEndpoint = new AuthorizationEndpoint({
      issuer: this.issuer.issuer,
      clients: this.clients,
      credentials: options.credentials,
      codes: this.codes,
      forms,
    });
  }

  /**
   * Makes sure a key signs (rotating if due, which creates the first key on an empty database),
   * loads the keys, and starts the rotation check and the key reload timers.
   */
  async start(): Promise<void> {
    await this.rotation.start();
    await this.keys.load();
    this.keys.start();
  }

  async stop(): Promise<void> {
    await this.rotation.stop();
    await this.keys.stop();
  }

  /**
   * The published keys; a verifier in the same process can use it instead of fetching the JWKS.
   * A bound function, so it can be handed over as `provider.publishedJwks`.
   */
  readonly publishedJwks = async (): Promise<JSONWebKeySet> => this.keys.publishedJwks();

  /** The OpenID Provider Metadata document. */
  async discovery(): Promise<Record<string, unknown>> {
    return discoveryDocument({
      issuer: this.issuer.issuer,
      algorithm: this.algorithm,
      scopes: this.#options.scopeNames === undefined ? [] : await this.#options.scopeNames(),
      tokeninfoEndpoint: this.#options.tokeninfoEndpoint,
      revocationEndpoint: this.#options.revocationEndpoint,
    });
  }

  /** Forgets cached authentications of a client (or all), after a local change to it. */
  invalidateClient(clientId?: string): void {
    this.clients.invalidate(clientId);
  }
}

/** Builds a `TokenProvider`; see its options for every default. */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  return new TokenProvider(options);
}

import { verify as verifySignature } from "node:crypto";
import { type Clock, Duration, type Principal, REALMS, type Realm, systemClock } from "../core/index.js";
import { SecondSightAdmission } from "./cache-admission.js";
import type { KeySource } from "./jwks-key-source.js";
import type { RevocationList, RevocationSubject } from "./revocation-list.js";
import type { TokeninfoPieces } from "./tokeninfo-response.js";
import { VerificationErrors } from "./verification-errors.js";
import {
  ALGORITHM_PARAMETERS,
  isVerificationAlgorithm,
  VERIFICATION_ALGORITHMS,
  type VerificationAlgorithm,
  type VerificationKey,
} from "./verification-key.js";

/** The claims of a verified Charter access token, as read from it (unknown claims included). */
export interface VerifiedClaims {
  readonly sub: string;
  readonly realm: Realm;
  readonly scope: readonly string[];
  readonly iss: string;
  readonly iat: number;
  readonly exp: number;
  readonly nbf?: number;
  /** The client the token was issued to, when it differs from the subject. */
  readonly azp?: string;
  readonly [claim: string]: unknown;
}

/** A token that passed every check. The same object is returned for every cache hit. */
export interface VerifiedToken {
  /** The token as verified: a compact JWS, so base64url characters and two dots. */
  readonly token: string;
  readonly kid: string;
  readonly alg: VerificationAlgorithm;
  readonly claims: VerifiedClaims;
  /** Built on first use: a sidecar that only answers tokeninfo never needs it. */
  readonly principal: Principal;
  /**
   * The tokeninfo answer built for this token, kept with it so a cache hit costs one string
   * concatenation; `tokeninfoHttp` fills it in on first use.
   */
  tokeninfo?: TokeninfoPieces;
}

/** What the tokeninfo endpoint and the server's authentication need from a verifier. */
export interface TokenVerification {
  verify(token: string): Promise<VerifiedToken>;
}

export interface TokenVerifierOptions {
  readonly keys: KeySource;
  /** The `iss` every token must carry, exactly. */
  readonly issuer: string;
  /** Accepted `alg` values; default `["ES256"]`. `none` and HMAC algorithms are never accepted. */
  readonly algorithms?: readonly string[];
  /** When given, every verification and every cache hit is checked against it. */
  readonly revocations?: RevocationList;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** How far in the future `iat` and `nbf` may lie, for clock skew; default 5 s. `exp` has none. */
  readonly clockTolerance?: Duration;
  /**
   * Verified tokens kept until they expire, each from its second sighting on; default 100,000; 0
   * turns the cache off. First sightings are remembered for as many tokens as the cache holds, so
   * a token asked for less often than that many other new tokens arrive is verified every time.
   */
  readonly cacheSize?: number;
  /** Longer tokens are refused unread; default 8 KiB. */
  readonly maxTokenLength?: number;
  /**
   * The header `typ` tokens must carry. Default: access tokens, whose `typ` is `JWT` or absent. A
   * verifier of another type (registry tokens) requires it, so neither kind passes for the other.
   */
  readonly tokenType?: string;
}

interface Header {
  readonly alg: VerificationAlgorithm;
  readonly kid: string;
}

/**
 * One object per verified token, doubling as its cache entry and its revocation subject: every
 * cached token survives into the old generation, so fewer and smaller objects mean cheaper
 * garbage collection on the path of never-seen tokens.
 */
class VerifiedEntry implements VerifiedToken, RevocationSubject {
  tokeninfo?: TokeninfoPieces;
  tokenHash?: string;
  /** The revocation list version `revoked` was computed at. */
  checkedAt = -1;
  revoked = false;
  #principal: Principal | undefined;

  constructor(
    readonly token: string,
    readonly kid: string,
    readonly alg: VerificationAlgorithm,
    readonly claims: VerifiedClaims,
    readonly key: VerificationKey,
  ) {}

  get principal(): Principal {
    this.#principal ??= principalOfClaims(this.claims);
    return this.#principal;
  }

  get signedPart(): string {
    return this.token.slice(0, this.token.lastIndexOf("."));
  }

  get iat(): number {
    return this.claims.iat;
  }

  get exp(): number {
    return this.claims.exp;
  }
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const HEADER_CACHE_SIZE = 64;
const MAX_SCOPES = 256;
const E = VerificationErrors;

/*
 * Why not jose: jose 6 verifies through WebCrypto. Measured on this project's 2-core machine (ES256,
 * one pinned core, 60,000 distinct tokens, CPU time per verification, median of 6 interleaved runs):
 * node:crypto.verify on a cached KeyObject with dsaEncoding "ieee-p1363" 60 µs (16,600/s); jose
 * compactVerify with a KeyObject 108 µs (0.56 of raw) and jwtVerify 115 µs (0.52), short of the
 * 0.7 the sidecar must reach before HTTP costs anything; this verifier 64 µs (0.94). So the JWS
 * checks are written out here, following RFC 7515/7519 and jose's refusals.
 */

/**
 * Verifies Charter access tokens locally against the keys of a `KeySource`, strictly: the header
 * must name a `kid` and an allowed asymmetric `alg` that matches the key; the signature, issuer,
 * expiry, `nbf`/`iat` and the types of `sub`, `realm`, `scope`, `exp`, `iat` are checked; then
 * revocations. Verified tokens are cached, from their second sighting on, until they expire; a hit
 * re-checks expiry, that the signing key is still published, and (when the revocation list
 * changed) revocation.
 *
 * @example
 * const verifier = new TokenVerifier({ keys, issuer: "https://charter.example.org", revocations });
 * const { principal } = await verifier.verify(token);
 */
export class TokenVerifier implements TokenVerification {
  readonly #keys: KeySource;
  readonly #issuer: string;
  readonly #algorithms: ReadonlySet<string>;
  readonly #revocations: RevocationList | undefined;
  readonly #clock: Clock;
  readonly #toleranceSeconds: number;
  readonly #cacheSize: number;
  readonly #maxTokenLength: number;
  readonly #tokenType: string | undefined;
  /**
   * Keyed by the signature segment: a fifth of the token, so a lookup hashes 86 characters rather
   * than some 400 (about 1 µs per never-seen token); a hit must still carry the whole token.
   */
  readonly #cache = new Map<string, VerifiedEntry>();
  readonly #admission: SecondSightAdmission | undefined;
  readonly #headers = new Map<string, Header>();

  constructor(options: TokenVerifierOptions) {
    this.#keys = options.keys;
    if (typeof options.issuer !== "string" || options.issuer.length === 0) {
      throw new RangeError("issuer must be a non-empty string");
    }
    this.#issuer = options.issuer;
    const algorithms = options.algorithms ?? ["ES256"];
    for (const alg of algorithms) {
      if (!isVerificationAlgorithm(alg)) {
        throw new RangeError(
          `algorithms contains "${alg}"; allowed are ${VERIFICATION_ALGORITHMS.join(", ")} (never none or HMAC)`,
        );
      }
    }
    if (algorithms.length === 0) throw new RangeError("algorithms must name at least one algorithm");
    this.#algorithms = new Set(algorithms);
    this.#revocations = options.revocations;
    this.#clock = options.clock ?? systemClock;
    this.#toleranceSeconds = (options.clockTolerance ?? Duration.seconds(5)).milliseconds / 1000;
    this.#cacheSize = options.cacheSize ?? 100_000;
    this.#maxTokenLength = options.maxTokenLength ?? 8192;
    this.#tokenType = options.tokenType?.toUpperCase();
    if (!Number.isInteger(this.#cacheSize) || this.#cacheSize < 0) {
      throw new RangeError(`cacheSize must be a non-negative integer, got ${options.cacheSize}`);
    }
    this.#admission = this.#cacheSize > 0 ? new SecondSightAdmission(this.#cacheSize) : undefined;
  }

  /** How many verified tokens are cached. */
  get cacheSize(): number {
    return this.#cache.size;
  }

  /**
   * Verifies a token, or throws a `TOKENS_*` error (kind `unauthenticated`) whose message names the
   * failing member or claim.
   */
  async verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== "string") throw E.TOKENS_INVALID("the token is not a JWS in compact serialization");
    const signature = token.slice(token.lastIndexOf(".") + 1);
    const hit = this.#cache.get(signature);
    if (hit !== undefined && hit.token === token) {
      const checked = this.#checkHit(signature, hit);
      if (checked !== undefined) return checked;
    }
    return this.#verifyFully(token, signature);
  }

  /** Forgets every cached verification. */
  clearCache(): void {
    this.#cache.clear();
  }

  #checkHit(signature: string, entry: VerifiedEntry): VerifiedToken | undefined {
    if (entry.exp <= this.#nowSeconds()) {
      this.#cache.delete(signature);
      throw E.TOKENS_EXPIRED('"exp" claim timestamp check failed');
    }
    if (this.#keys.get(entry.kid) !== entry.key) {
      // The key was removed or replaced: verify again against what is published now.
      this.#cache.delete(signature);
      return undefined;
    }
    this.#checkRevocation(entry);
    return entry;
  }

  #checkRevocation(entry: VerifiedEntry): void {
    const revocations = this.#revocations;
    if (revocations !== undefined && entry.checkedAt !== revocations.version) {
      entry.revoked = revocations.isRevoked(entry);
      entry.checkedAt = revocations.version;
    }
    if (entry.revoked) throw E.TOKENS_REVOKED("the token has been revoked");
  }

  async #verifyFully(token: string, signatureSegment: string): Promise<VerifiedToken> {
    if (token.length > this.#maxTokenLength || !JWS_COMPACT.test(token)) {
      throw E.TOKENS_INVALID("the token is not a JWS in compact serialization");
    }
    const firstDot = token.indexOf(".");
    const lastDot = token.lastIndexOf(".");
    const header = this.#header(token.slice(0, firstDot));
    const key = this.#keys.get(header.kid) ?? (await this.#keys.resolve(header.kid));
    if (key === undefined) throw E.TOKENS_UNKNOWN_KEY('no published key has the header\'s "kid"');
    if (key.alg !== header.alg) {
      throw E.TOKENS_ALGORITHM_NOT_ALLOWED('header "alg" does not match the algorithm of the key');
    }

    const params = ALGORITHM_PARAMETERS[header.alg];
    const signature = Buffer.from(signatureSegment, "base64url");
    if (
      (params.signatureLength !== undefined && signature.length !== params.signatureLength) ||
      !isCanonicalBase64url(signatureSegment, signature.length)
    ) {
      throw E.TOKENS_INVALID("signature verification failed");
    }
    const valid = verifySignature(
      params.hash,
      Buffer.from(token.slice(0, lastDot), "latin1"),
      params.dsaEncoding === undefined ? key.key : { key: key.key, dsaEncoding: params.dsaEncoding },
      signature,
    );
    if (!valid) throw E.TOKENS_INVALID("signature verification failed");

    const claims = this.#claims(token.slice(firstDot + 1, lastDot));
    const entry = new VerifiedEntry(token, header.kid, header.alg, claims, key);
    // A token is cached from its second sighting on: caching tokens seen once made every
    // never-seen token cost about 10 µs more (measured: 132 against 122 µs of CPU per request in
    // the sidecar), mostly garbage collection of entries that were never used again.
    if (this.#admission?.admit(token) === true) {
      if (this.#cache.size >= this.#cacheSize) {
        // Oldest first: cheaper than true LRU on the hit path, and tokens age out in issue order.
        this.#cache.delete(this.#cache.keys().next().value as string);
      }
      this.#cache.set(signatureSegment, entry);
    }
    this.#checkRevocation(entry);
    return entry;
  }

  #header(segment: string): Header {
    const cached = this.#headers.get(segment);
    if (cached !== undefined) return cached;
    const raw = decodeJsonSegment(segment, "header");
    const { alg, kid, typ, crit } = raw;
    if (typeof alg !== "string") throw E.TOKENS_INVALID('header "alg" is missing');
    if (!this.#algorithms.has(alg) || !isVerificationAlgorithm(alg)) {
      throw E.TOKENS_ALGORITHM_NOT_ALLOWED('header "alg" is not an allowed algorithm');
    }
    if (typeof kid !== "string" || kid.length === 0) throw E.TOKENS_INVALID('header "kid" is missing');
    if (this.#tokenType === undefined) {
      if (typ !== undefined && (typeof typ !== "string" || typ.toUpperCase() !== "JWT")) {
        throw E.TOKENS_INVALID('header "typ" is not "JWT"');
      }
    } else if (typeof typ !== "string" || typ.toUpperCase() !== this.#tokenType) {
      throw E.TOKENS_INVALID(`header "typ" is not "${this.#tokenType.toLowerCase()}"`);
    }
    if (crit !== undefined) throw E.TOKENS_INVALID('header "crit" is not supported');
    if (this.#headers.size >= HEADER_CACHE_SIZE) this.#headers.clear();
    const header: Header = { alg, kid };
    this.#headers.set(segment, header);
    return header;
  }

  #claims(segment: string): VerifiedClaims {
    const claims = decodeJsonSegment(segment, "payload");
    if (claims.iss !== this.#issuer) throw claimError("iss", "does not name the expected issuer");
    const { sub, realm, scope, exp, iat, nbf, azp } = claims;
    if (typeof sub !== "string" || sub.length === 0) throw claimError("sub", "must be a non-empty string");
    if (typeof realm !== "string" || !(REALMS as readonly string[]).includes(realm)) {
      throw claimError("realm", `must be one of ${REALMS.join(", ")}`);
    }
    if (!Array.isArray(scope) || scope.length > MAX_SCOPES || !scope.every((s) => typeof s === "string")) {
      throw claimError("scope", "must be an array of strings");
    }
    if (!isNumericDate(exp)) throw claimError("exp", "must be a number");
    if (!isNumericDate(iat)) throw claimError("iat", "must be a number");
    if (nbf !== undefined && !isNumericDate(nbf)) throw claimError("nbf", "must be a number");
    if (azp !== undefined && typeof azp !== "string") throw claimError("azp", "must be a string");

    const now = this.#nowSeconds();
    if (exp <= now) throw E.TOKENS_EXPIRED('"exp" claim timestamp check failed', { claim: "exp" });
    if (nbf !== undefined && nbf > now + this.#toleranceSeconds) {
      throw E.TOKENS_NOT_YET_VALID('"nbf" claim timestamp check failed', { claim: "nbf" });
    }
    if (iat > now + this.#toleranceSeconds) {
      throw E.TOKENS_NOT_YET_VALID('"iat" claim is in the future', { claim: "iat" });
    }
    return claims as VerifiedClaims;
  }

  #nowSeconds(): number {
    return (this.#clock === systemClock ? Date.now() : this.#clock.now().getTime()) / 1000;
  }
}

function decodeJsonSegment(segment: string, part: "header" | "payload"): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    throw E.TOKENS_INVALID(`the token's ${part} is not JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw E.TOKENS_INVALID(`the token's ${part} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

const BASE64URL_VALUE = new Map(
  [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].map((c, i) => [c, i]),
);

/**
 * Whether a segment (already known to use the base64url alphabet) is the one encoding of its bytes:
 * no padding, and the unused low bits of the last character are zero. Otherwise several strings
 * would decode to the same signature.
 */
function isCanonicalBase64url(segment: string, byteLength: number): boolean {
  if (segment.length !== Math.ceil((byteLength * 4) / 3)) return false;
  const unusedBits = byteLength % 3 === 1 ? 4 : byteLength % 3 === 2 ? 2 : 0;
  if (unusedBits === 0) return true;
  const last = BASE64URL_VALUE.get(segment[segment.length - 1]!) ?? 1;
  return (last & ((1 << unusedBits) - 1)) === 0;
}

function claimError(claim: string, rule: string) {
  return E.TOKENS_CLAIM_INVALID(`"${claim}" claim ${rule}`, { claim });
}

function isNumericDate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/** The principal a verified token authenticates. */
export function principalOfClaims(claims: VerifiedClaims): Principal {
  const principal: { -readonly [K in keyof Principal]: Principal[K] } = {
    sub: claims.sub,
    realm: claims.realm,
    scopes: new Set(claims.scope),
  };
  if (claims.azp !== undefined && claims.azp !== claims.sub) principal.clientId = claims.azp;
  return principal;
}

/**
 * The server's `authenticate` for `createHttpApp`: a bearer token becomes the principal it
 * verifies to; a refused token throws its `TOKENS_*` error (HTTP 401).
 */
export function authenticateWith(verifier: TokenVerification): (token: string) => Promise<Principal> {
  return async (token) => (await verifier.verify(token)).principal;
}

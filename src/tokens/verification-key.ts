import { createPublicKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";

/** JWS algorithms a verifier can be configured to accept. HMAC and `none` are never among them. */
export const VERIFICATION_ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512"] as const;

export type VerificationAlgorithm = (typeof VERIFICATION_ALGORITHMS)[number];

export function isVerificationAlgorithm(value: unknown): value is VerificationAlgorithm {
  return typeof value === "string" && (VERIFICATION_ALGORITHMS as readonly string[]).includes(value);
}

/** How `node:crypto.verify` checks a signature of one algorithm. */
export interface AlgorithmParameters {
  readonly hash: "sha256" | "sha384" | "sha512";
  /** JWS ECDSA signatures are r || s of fixed length (RFC 7518 §3.4); RSA ones have the modulus' length. */
  readonly signatureLength?: number;
  readonly dsaEncoding?: "ieee-p1363";
}

export const ALGORITHM_PARAMETERS: Readonly<Record<VerificationAlgorithm, AlgorithmParameters>> = {
  ES256: { hash: "sha256", signatureLength: 64, dsaEncoding: "ieee-p1363" },
  ES384: { hash: "sha384", signatureLength: 96, dsaEncoding: "ieee-p1363" },
  ES512: { hash: "sha512", signatureLength: 132, dsaEncoding: "ieee-p1363" },
  RS256: { hash: "sha256" },
  RS384: { hash: "sha384" },
  RS512: { hash: "sha512" },
};

const CURVE_ALGORITHM: Readonly<Record<string, VerificationAlgorithm>> = {
  "P-256": "ES256",
  "P-384": "ES384",
  "P-521": "ES512",
};

const MIN_RSA_MODULUS_BITS = 2048;

/**
 * A public key from a JWKS, bound to the one algorithm it may verify. Objects are replaced, never
 * mutated, when a key set changes, so identity (`===`) tells whether a cached verification still
 * rests on a published key.
 */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: VerificationAlgorithm;
  readonly key: KeyObject;
  /** The key as a public JWK (never private members), for re-publishing the set. */
  readonly jwk: JWK;
  /** Equal fingerprints mean the same key material and algorithm. */
  readonly fingerprint: string;
}

export type KeyImport =
  | { readonly ok: true; readonly key: VerificationKey }
  | { readonly ok: false; readonly reason: string };

/**
 * Turns one JWK into a verification key, or says why it is unusable. Only public members are read,
 * so a JWKS that leaks private members still yields a public key. The algorithm is fixed by the key
 * (its `alg`, or its curve for EC keys) and must agree with both; RSA keys without `alg` verify
 * RS256 only, and need a modulus of at least 2048 bits.
 */
export function importVerificationKey(jwk: JWK): KeyImport {
  if (typeof jwk.kid !== "string" || jwk.kid.length === 0 || jwk.kid.length > 256) {
    return { ok: false, reason: 'JWK has no usable "kid"' };
  }
  if (jwk.use !== undefined && jwk.use !== "sig") return { ok: false, reason: `JWK "use" is not "sig"` };
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))) {
    return { ok: false, reason: 'JWK "key_ops" does not include "verify"' };
  }
  const publicJwk = publicMembers(jwk);
  if (publicJwk === undefined) return { ok: false, reason: `JWK "kty" or its members are not supported` };
  const alg = algorithmOf(jwk);
  if (alg === undefined) return { ok: false, reason: `JWK "alg" does not fit its key type or curve` };
  let key: KeyObject;
  try {
    key = createPublicKey({ key: publicJwk, format: "jwk" });
  } catch {
    return { ok: false, reason: "JWK is not a valid public key" };
  }
  if (jwk.kty === "RSA" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
    return { ok: false, reason: `RSA JWK modulus is shorter than ${MIN_RSA_MODULUS_BITS} bits` };
  }
  return {
    ok: true,
    key: {
      kid: jwk.kid,
      alg,
      key,
      jwk: { ...publicJwk, kid: jwk.kid, alg, use: "sig" },
      fingerprint: `${alg}:${JSON.stringify(publicJwk)}`,
    },
  };
}

function publicMembers(jwk: JWK): JsonWebKeyLike | undefined {
  if (
    jwk.kty === "EC" &&
    typeof jwk.crv === "string" &&
    typeof jwk.x === "string" &&
    typeof jwk.y === "string"
  ) {
    return { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y };
  }
  if (jwk.kty === "RSA" && typeof jwk.n === "string" && typeof jwk.e === "string") {
    return { kty: "RSA", n: jwk.n, e: jwk.e };
  }
  return undefined;
}

function algorithmOf(jwk: JWK): VerificationAlgorithm | undefined {
  if (jwk.kty === "EC") {
    const byCurve = CURVE_ALGORITHM[jwk.crv ?? ""];
    return jwk.alg === undefined || jwk.alg === byCurve ? byCurve : undefined;
  }
  if (jwk.alg === undefined) return "RS256";
  return jwk.alg.startsWith("RS") && isVerificationAlgorithm(jwk.alg) ? jwk.alg : undefined;
}

type JsonWebKeyLike = { kty: string } & Record<string, string>;

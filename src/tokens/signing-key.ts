import { createPrivateKey, generateKeyPair, type KeyObject, sign } from "node:crypto";
import { promisify } from "node:util";
import { calculateJwkThumbprint, type JWK } from "jose";
import type { SigningAlgorithm } from "./types.js";

const generate = promisify(generateKeyPair);

/** A private key ready to sign JWS compact serialisations, with its protected header pre-encoded. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** `BASE64URL(UTF8(protected header)) || '.'`; the header never changes for a key. */
  readonly headerPrefix: string;
  /** The base64url signature of a JWS signing input. */
  sign(signingInput: string): string;
}

/** A freshly generated key pair, with the `kid` derived from the public key. */
export interface GeneratedKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
  /** The public JWK as published, with `kid`, `alg` and `use`. */
  readonly publicJwk: JWK;
}

/**
 * Generates a key pair for `alg`. The `kid` is the RFC 7638 thumbprint of the public key, so it is
 * unique without coordination and a published key can be checked against its id.
 */
export async function generateSigningKey(alg: SigningAlgorithm): Promise<GeneratedKey> {
  const { privateKey, publicKey } =
    alg === "RS256"
      ? await generate("rsa", { modulusLength: 2048 })
      : await generate("ec", { namedCurve: alg === "ES256" ? "P-256" : "P-384" });
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  return { kid, alg, privateKey, publicJwk: { ...jwk, kid, alg, use: "sig" } };
}

/** The private key as stored (before sealing): PKCS #8, DER. */
export function exportPrivateKey(key: KeyObject): Buffer {
  return key.export({ format: "der", type: "pkcs8" });
}

export function importPrivateKey(der: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
}

/**
 * Binds a private key to its JWS header. Signing uses `node:crypto` synchronously on a cached
 * `KeyObject`: jose's WebCrypto path is async and re-wraps the key per call, which costs a large
 * share of the token endpoint's throughput.
 */
export function signingKeyOf(kid: string, alg: SigningAlgorithm, privateKey: KeyObject): SigningKey {
  const header = Buffer.from(JSON.stringify({ alg, kid, typ: "JWT" })).toString("base64url");
  const digest = alg === "ES384" ? "sha384" : "sha256";
  // JWS wants the raw r||s form of ECDSA signatures (RFC 7518 §3.4), not DER.
  const keyInput = alg === "RS256" ? privateKey : { key: privateKey, dsaEncoding: "ieee-p1363" as const };
  return {
    kid,
    alg,
    headerPrefix: `${header}.`,
    sign: (signingInput) => sign(digest, Buffer.from(signingInput), keyInput).toString("base64url"),
  };
}

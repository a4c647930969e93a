import { CompactSign, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from "jose";

/** Helpers for tests of verification; they sign with jose, independently of Charter's issuer. */

export const TEST_ISSUER = "https://charter.test";

export interface TestSigner {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  /** The public key as published in a JWKS. */
  readonly jwk: JWK;
}

export async function createTestSigner(alg = "ES256", kid = `key-${alg.toLowerCase()}`): Promise<TestSigner> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, jwk };
}

export function jwksOf(...signers: TestSigner[]): JSONWebKeySet {
  return { keys: signers.map((s) => s.jwk) };
}

export interface MintOptions {
  /** `iat`; `exp` defaults to an hour later. */
  readonly now?: number;
  /** Claims to set; `undefined` removes a default claim. */
  readonly claims?: Record<string, unknown>;
  /** Header members to set; `undefined` removes a default member. */
  readonly header?: Record<string, unknown>;
}

/** Signs a token with any header and claims, valid ones by default. */
export async function mintTestToken(signer: TestSigner, options: MintOptions = {}): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims = withoutUndefined({
    sub: "jdoe",
    realm: "employees",
    scope: ["uid", "charter.read"],
    iss: TEST_ISSUER,
    iat: now,
    exp: now + 3600,
    ...options.claims,
  });
  const header = withoutUndefined({ alg: signer.alg, kid: signer.kid, typ: "JWT", ...options.header });
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(header as { alg: string })
    .sign(signer.privateKey);
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

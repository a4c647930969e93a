import { createHash, randomBytes } from "node:crypto";

/** A PKCE pair (RFC 7636): the verifier stays with the CLI, the challenge goes to the browser. */
export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: "S256";
}

/**
 * A fresh PKCE pair. 32 random bytes give a 43-character base64url verifier, the shortest RFC 7636
 * allows and 256 bits of entropy; `bytes` may be raised up to 96 (128 characters).
 *
 * @example
 * const { verifier, challenge } = createPkce();
 */
export function createPkce(bytes = 32): Pkce {
  if (!Number.isInteger(bytes) || bytes < 32 || bytes > 96) {
    throw new RangeError(`PKCE verifier bytes must be an integer from 32 to 96, got ${bytes}`);
  }
  const verifier = randomBytes(bytes).toString("base64url");
  return { verifier, challenge: s256Challenge(verifier), method: "S256" };
}

/** `BASE64URL(SHA256(ASCII(verifier)))`, the S256 code challenge. */
export function s256Challenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** A random, URL-safe `state` value that binds the browser's answer to this login. */
export function createState(): string {
  return randomBytes(16).toString("base64url");
}

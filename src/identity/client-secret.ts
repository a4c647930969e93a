import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A new client secret: 256 random bits, base64url (43 characters). It is shown once; only its
 * hash is stored.
 */
export function generateClientSecret(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * SHA-256 of the secret, base64url. A fast hash is enough here, unlike for passwords: the secret
 * has 256 bits of entropy, so nobody can guess it from its hash, and checking costs microseconds.
 */
export function hashClientSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("base64url");
}

/** Whether the secret hashes to the stored hash, compared in constant time. */
export function verifyClientSecret(secret: string, storedHash: string): boolean {
  const actual = createHash("sha256").update(secret, "utf8").digest();
  const expected = Buffer.from(storedHash, "base64url");
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

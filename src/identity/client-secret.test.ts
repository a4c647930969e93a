import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateClientSecret, hashClientSecret, verifyClientSecret } from "./client-secret.js";

describe("client secrets", () => {
  it("are 256 random bits in 43 base64url characters", () => {
    const secret = generateClientSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    expect(generateClientSecret()).not.toBe(secret);
  });

  it("are stored as their SHA-256", () => {
    const secret = generateClientSecret();
    expect(hashClientSecret(secret)).toBe(createHash("sha256").update(secret).digest("base64url"));
  });

  it("verify against the stored hash only", () => {
    const secret = generateClientSecret();
    const stored = hashClientSecret(secret);
    expect(verifyClientSecret(secret, stored)).toBe(true);
    expect(verifyClientSecret(generateClientSecret(), stored)).toBe(false);
    expect(verifyClientSecret(secret, "not-a-hash")).toBe(false);
  });
});

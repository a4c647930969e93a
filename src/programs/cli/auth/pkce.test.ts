import { describe, expect, it } from "vitest";
import { createPkce, createState, s256Challenge } from "./pkce.js";

const UNRESERVED = /^[A-Za-z0-9._~-]+$/;

describe("PKCE", () => {
  it("makes a 43-character verifier of unreserved characters by default", () => {
    const { verifier, method } = createPkce();
    expect(verifier).toHaveLength(43);
    expect(verifier).toMatch(UNRESERVED);
    expect(method).toBe("S256");
  });

  it("keeps verifiers within the 43 to 128 characters RFC 7636 allows", () => {
    expect(createPkce(96).verifier).toHaveLength(128);
    expect(() => createPkce(31)).toThrow(RangeError);
    expect(() => createPkce(97)).toThrow(RangeError);
  });

  it("derives the challenge as base64url(SHA-256(verifier)), matching RFC 7636 appendix B", () => {
    expect(s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
    const { verifier, challenge } = createPkce();
    expect(challenge).toBe(s256Challenge(verifier));
    expect(challenge).toHaveLength(43);
  });

  it("never repeats a verifier or a state", () => {
    const verifiers = new Set(Array.from({ length: 100 }, () => createPkce().verifier));
    const states = new Set(Array.from({ length: 100 }, () => createState()));
    expect(verifiers.size).toBe(100);
    expect(states.size).toBe(100);
  });
});

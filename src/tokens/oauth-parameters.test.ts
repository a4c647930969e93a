import { describe, expect, it } from "vitest";
import { clientCredentialsOf } from "./client-credentials.js";
import { isCodeVerifier, s256ChallengeOf, verifiesS256 } from "./pkce.js";
import { matchesRegisteredRedirectUri } from "./redirect-uri.js";
import { grantedScopes } from "./scope-request.js";

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

describe("grantedScopes", () => {
  it("gives every held scope, sorted, when none is requested", () => {
    expect(grantedScopes(undefined, ["b.x", "a.y"])).toEqual(["a.y", "b.x"]);
    expect(grantedScopes("  ", ["a.y"])).toEqual(["a.y"]);
  });

  it("gives the requested subset and refuses a scope not held", () => {
    expect(grantedScopes("b.x  a.y b.x", ["a.y", "b.x", "c.z"])).toEqual(["a.y", "b.x"]);
    expect(() => grantedScopes("a.y d.w", ["a.y"])).toThrowError(
      expect.objectContaining({ code: "TOKENS_OAUTH_INVALID_SCOPE" }),
    );
    expect(() => grantedScopes('a"y', ['a"y'])).toThrowError(
      expect.objectContaining({ code: "TOKENS_OAUTH_INVALID_SCOPE" }),
    );
  });
});

describe("PKCE S256", () => {
  it("matches the RFC 7636 appendix B example", () => {
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    expect(s256ChallengeOf(verifier)).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    expect(verifiesS256(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")).toBe(true);
    expect(verifiesS256(`${verifier}x`, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")).toBe(false);
  });

  it("accepts only 43 to 128 unreserved characters as a verifier", () => {
    expect(isCodeVerifier("a".repeat(43))).toBe(true);
    expect(isCodeVerifier("a".repeat(42))).toBe(false);
    expect(isCodeVerifier("a".repeat(129))).toBe(false);
    expect(isCodeVerifier(`${"a".repeat(43)}+`)).toBe(false);
  });
});

describe("matchesRegisteredRedirectUri", () => {
  const registered = ["https://app.example.org/cb", "http://127.0.0.1/callback", "http://[::1]/cb?x=1"];

  it("matches other URIs exactly", () => {
    expect(matchesRegisteredRedirectUri("https://app.example.org/cb", registered)).toBe(true);
    expect(matchesRegisteredRedirectUri("https://app.example.org/cb/", registered)).toBe(false);
    expect(matchesRegisteredRedirectUri("https://app.example.org:8443/cb", registered)).toBe(false);
    expect(matchesRegisteredRedirectUri("https://app.example.org/cb?next=x", registered)).toBe(false);
  });

  it("matches loopback URIs on any port, with the same path and query (RFC 8252)", () => {
    expect(matchesRegisteredRedirectUri("http://127.0.0.1:53219/callback", registered)).toBe(true);
    expect(matchesRegisteredRedirectUri("http://[::1]:4000/cb?x=1", registered)).toBe(true);
    expect(matchesRegisteredRedirectUri("http://127.0.0.1:53219/callback/x", registered)).toBe(false);
    expect(matchesRegisteredRedirectUri("http://[::1]:4000/cb", registered)).toBe(false);
    expect(matchesRegisteredRedirectUri("http://localhost:53219/callback", registered)).toBe(false);
    expect(matchesRegisteredRedirectUri("https://127.0.0.1:53219/callback", registered)).toBe(false);
    expect(matchesRegisteredRedirectUri("http://127.0.0.1:53219/callback#x", registered)).toBe(false);
  });
});

describe("clientCredentialsOf", () => {
  it("reads HTTP Basic with form-urlencoded id and secret", () => {
    expect(clientCredentialsOf(basic("my%20app", "a%2Bb+c"), {})).toEqual({
      clientId: "my app",
      secret: "a+b c",
      basic: true,
    });
  });

  it("reads the client_id and client_secret fields", () => {
    expect(clientCredentialsOf(undefined, { client_id: "cli" })).toEqual({
      clientId: "cli",
      secret: undefined,
      basic: false,
    });
    expect(clientCredentialsOf(undefined, {})).toBeUndefined();
  });

  it("refuses two authentication methods at once", () => {
    expect(() => clientCredentialsOf(basic("a", "s"), { client_secret: "s" })).toThrowError(
      expect.objectContaining({ code: "TOKENS_OAUTH_INVALID_REQUEST" }),
    );
    expect(() => clientCredentialsOf(basic("a", "s"), { client_id: "b" })).toThrowError(
      expect.objectContaining({ code: "TOKENS_OAUTH_INVALID_REQUEST" }),
    );
    expect(clientCredentialsOf(basic("a", "s"), { client_id: "a" })?.clientId).toBe("a");
  });

  it("refuses other schemes and malformed Basic credentials", () => {
    for (const header of ["Bearer abc", "Basic !!!", `Basic ${Buffer.from("nocolon").toString("base64")}`]) {
      expect(() => clientCredentialsOf(header, {})).toThrowError(
        expect.objectContaining({ code: "TOKENS_OAUTH_INVALID_CLIENT" }),
      );
    }
  });
});

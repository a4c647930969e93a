import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { Duration, ManualClock } from "../core/index.js";
import { generateSigningKey, signingKeyOf } from "./signing-key.js";
import { checkIssuer, TokenIssuer } from "./token-issuer.js";
import { SIGNING_ALGORITHMS } from "./types.js";

const ISSUER = "http://127.0.0.1:8080";

async function issuerWith(alg: (typeof SIGNING_ALGORITHMS)[number], clock = new ManualClock()) {
  const generated = await generateSigningKey(alg);
  const key = signingKeyOf(generated.kid, alg, generated.privateKey);
  const issuer = new TokenIssuer({ keys: { signingKey: () => key }, issuer: ISSUER, clock });
  return { issuer, jwks: createLocalJWKSet({ keys: [generated.publicJwk] }), kid: generated.kid };
}

describe("TokenIssuer", () => {
  it.each(SIGNING_ALGORITHMS)(
    "signs %s tokens that jose verifies, with exactly the documented claims",
    async (alg) => {
      const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
      const { issuer, jwks, kid } = await issuerWith(alg, clock);
      const token = issuer.issue({
        sub: "jane",
        realm: "employees",
        scopes: ["apps.read"],
        clientId: "charter-cli",
      });
      expect(token.expiresIn).toBe(8 * 3600);

      const { payload, protectedHeader } = await jwtVerify(token.accessToken, jwks, {
        issuer: ISSUER,
        algorithms: [alg],
        currentDate: clock.now(),
      });
      expect(protectedHeader).toEqual({ alg, kid, typ: "JWT" });
      const iat = Date.UTC(2026, 0, 1, 12) / 1000;
      expect(payload).toEqual({
        sub: "jane",
        realm: "employees",
        scope: ["apps.read"],
        iss: ISSUER,
        iat,
        exp: iat + 8 * 3600,
        azp: "charter-cli",
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    },
  );

  it("leaves azp out when the client is the subject, and uses the services lifetime", async () => {
    const { issuer, jwks } = await issuerWith("ES256");
    const token = issuer.issue({ sub: "billing", realm: "services", scopes: [], clientId: "billing" });
    const { payload } = await jwtVerify(token.accessToken, jwks, { currentDate: new ManualClock().now() });
    expect(payload).not.toHaveProperty("azp");
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(decodeProtectedHeader(token.accessToken).typ).toBe("JWT");
  });

  it("issues distinct tokens to the same subject in the same second, so revoking one spares the other", async () => {
    const { issuer } = await issuerWith("ES256");
    const subject = { sub: "billing", realm: "services" as const, scopes: ["a"], clientId: "billing" };
    const [first, second] = [issuer.issue(subject), issuer.issue(subject)];
    const signedPart = (token: string) => token.slice(0, token.lastIndexOf("."));
    expect(signedPart(first.accessToken)).not.toBe(signedPart(second.accessToken));
  });

  it("takes lifetimes per realm and reports the longest", async () => {
    const generated = await generateSigningKey("ES256");
    const key = signingKeyOf(generated.kid, "ES256", generated.privateKey);
    const issuer = new TokenIssuer({
      keys: { signingKey: () => key },
      issuer: ISSUER,
      lifetimes: { services: Duration.minutes(15), employees: Duration.hours(12) },
    });
    expect(issuer.issue({ sub: "s", realm: "services", scopes: [], clientId: "s" }).expiresIn).toBe(900);
    expect(issuer.maxLifetime.seconds).toBe(12 * 3600);
    expect(
      () =>
        new TokenIssuer({
          keys: { signingKey: () => key },
          issuer: ISSUER,
          lifetimes: { services: Duration.seconds(1) },
        }),
    ).toThrow(/lifetimes.services/);
  });

  it("accepts only issuer URLs that compare exactly", () => {
    expect(checkIssuer("https://charter.example.org")).toBe("https://charter.example.org");
    expect(checkIssuer("https://example.org/charter")).toBe("https://example.org/charter");
    for (const bad of [
      "charter.example.org",
      "https://example.org/",
      "https://example.org?x=1",
      "ftp://example.org",
    ]) {
      expect(() => checkIssuer(bad)).toThrow(/issuer/);
    }
  });
});

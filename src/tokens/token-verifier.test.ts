import { createPublicKey } from "node:crypto";
import { CompactSign, importJWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { Duration, ManualClock } from "../core/index.js";
import { JwksKeySource } from "./jwks-key-source.js";
import { hashRevocationValue, tokenRevocationInput } from "./revocation-hash.js";
import { RevocationList } from "./revocation-list.js";
import { TokenVerifier, type TokenVerifierOptions } from "./token-verifier.js";
import {
  createTestSigner,
  jwksOf,
  mintTestToken,
  TEST_ISSUER,
  type TestSigner,
} from "./verification-fixtures.js";

const START = Date.UTC(2026, 0, 1);
const NOW = START / 1000;
const SALT = "test-salt";

let es256: TestSigner;
let es384: TestSigner;
let rs256: TestSigner;

beforeAll(async () => {
  [es256, es384, rs256] = await Promise.all([
    createTestSigner("ES256"),
    createTestSigner("ES384"),
    createTestSigner("RS256"),
  ]);
});

function setup(options: Partial<TokenVerifierOptions> & { signers?: TestSigner[] } = {}) {
  const clock = new ManualClock(START);
  let published = options.signers ?? [es256];
  let fetches = 0;
  const keys = new JwksKeySource({
    clock,
    fetchKeys: async () => {
      fetches++;
      return jwksOf(...published);
    },
  });
  const revocations = new RevocationList({ salt: SALT });
  const verifier = new TokenVerifier({ keys, issuer: TEST_ISSUER, clock, revocations, ...options });
  return {
    clock,
    keys,
    revocations,
    verifier,
    publish: (...signers: TestSigner[]) => {
      published = signers;
    },
    fetches: () => fetches,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("TokenVerifier accepts", () => {
  it("a valid ES256 token and describes its principal", async () => {
    const { verifier, keys } = setup();
    await keys.refresh();
    const token = await new SignJWT({ realm: "services", scope: ["uid", "billing.read"], azp: "billing-ui" })
      .setProtectedHeader({ alg: "ES256", kid: es256.kid, typ: "JWT" })
      .setSubject("billing")
      .setIssuer(TEST_ISSUER)
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 600)
      .sign(es256.privateKey);
    const verified = await verifier.verify(token);
    expect(verified.kid).toBe(es256.kid);
    expect(verified.principal).toEqual({
      sub: "billing",
      realm: "services",
      scopes: new Set(["uid", "billing.read"]),
      clientId: "billing-ui",
    });
  });

  it("omits the client id when azp equals the subject", async () => {
    const { verifier } = setup();
    const token = await mintTestToken(es256, { now: NOW, claims: { azp: "jdoe" } });
    expect((await verifier.verify(token)).principal.clientId).toBeUndefined();
  });

  it("ES384 and RS256 tokens when those algorithms are configured", async () => {
    const { verifier } = setup({ signers: [es256, es384, rs256], algorithms: ["ES256", "ES384", "RS256"] });
    for (const signer of [es256, es384, rs256]) {
      const verified = await verifier.verify(await mintTestToken(signer, { now: NOW }));
      expect(verified.alg).toBe(signer.alg);
    }
  });

  it("iat and nbf slightly in the future, within the clock tolerance", async () => {
    const { verifier } = setup();
    const token = await mintTestToken(es256, { now: NOW, claims: { iat: NOW + 4, nbf: NOW + 4 } });
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });
});

describe("TokenVerifier refuses", () => {
  it('alg "none", with or without a signature', async () => {
    const { verifier } = setup();
    const unsigned = `${b64({ alg: "none", kid: es256.kid })}.${b64({ sub: "jdoe" })}`;
    expect(await codeOf(verifier.verify(`${unsigned}.`))).toBe("TOKENS_INVALID");
    expect(await codeOf(verifier.verify(`${unsigned}.c2ln`))).toBe("TOKENS_ALGORITHM_NOT_ALLOWED");
  });

  it("HS256 signed with the public key as the HMAC secret", async () => {
    const { verifier } = setup();
    const pem = createPublicKey({ key: es256.jwk as never, format: "jwk" }).export({
      type: "spki",
      format: "pem",
    });
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(es256.jwk))]) {
      const token = await new CompactSign(Buffer.from(JSON.stringify({ sub: "jdoe", iss: TEST_ISSUER })))
        .setProtectedHeader({ alg: "HS256", kid: es256.kid, typ: "JWT" })
        .sign(new Uint8Array(secret));
      expect(await codeOf(verifier.verify(token))).toBe("TOKENS_ALGORITHM_NOT_ALLOWED");
    }
  });

  it("an algorithm that is not configured, even with a published key", async () => {
    const { verifier } = setup({ signers: [es256, es384] });
    expect(await codeOf(verifier.verify(await mintTestToken(es384, { now: NOW })))).toBe(
      "TOKENS_ALGORITHM_NOT_ALLOWED",
    );
  });

  it("a header alg that differs from the key's", async () => {
    const { verifier } = setup({ signers: [es256, es384], algorithms: ["ES256", "ES384"] });
    const token = await mintTestToken(es384, { now: NOW, header: { kid: es256.kid } });
    expect(await codeOf(verifier.verify(token))).toBe("TOKENS_ALGORITHM_NOT_ALLOWED");
  });

  it("a verifier configured with none or HMAC", () => {
    const keys = new JwksKeySource({ fetchKeys: async () => ({ keys: [] }) });
    for (const alg of ["none", "HS256", "PS999"]) {
      expect(() => new TokenVerifier({ keys, issuer: TEST_ISSUER, algorithms: [alg] })).toThrow(RangeError);
    }
  });

  it("a wrong issuer", async () => {
    const { verifier } = setup();
    const token = await mintTestToken(es256, { now: NOW, claims: { iss: "https://evil.test" } });
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: "TOKENS_CLAIM_INVALID",
      extensions: { claim: "iss" },
    });
  });

  it("an expired token, from its exp second on", async () => {
    const { verifier } = setup();
    const token = await mintTestToken(es256, { now: NOW - 100, claims: { exp: NOW } });
    expect(await codeOf(verifier.verify(token))).toBe("TOKENS_EXPIRED");
  });

  it("nbf or iat further in the future than the tolerance", async () => {
    const { verifier } = setup();
    const early = await mintTestToken(es256, { now: NOW, claims: { nbf: NOW + 60 } });
    await expect(verifier.verify(early)).rejects.toMatchObject({
      code: "TOKENS_NOT_YET_VALID",
      extensions: { claim: "nbf" },
    });
    const future = await mintTestToken(es256, { now: NOW + 6 });
    await expect(verifier.verify(future)).rejects.toMatchObject({
      code: "TOKENS_NOT_YET_VALID",
      extensions: { claim: "iat" },
    });
  });

  it("a header without kid, with another typ, or with crit", async () => {
    const { verifier } = setup();
    for (const header of [{ kid: undefined }, { typ: "at+jwt" }, { crit: ["b64"], b64: true }]) {
      const token = await mintTestToken(es256, { now: NOW, header });
      expect(await codeOf(verifier.verify(token))).toBe("TOKENS_INVALID");
    }
  });

  it("tampered signatures and payloads", async () => {
    const { verifier } = setup();
    const token = await mintTestToken(es256, { now: NOW });
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
    const forged = b64({
      ...JSON.parse(Buffer.from(payload, "base64url").toString()),
      scope: ["charter.admin"],
    });
    // The last character of a 64-byte signature carries 4 unused bits; another value decodes the same.
    const last = signature.at(-1)!;
    const nonCanonical = `${signature.slice(0, -1)}${last === "A" ? "B" : String.fromCharCode(last.charCodeAt(0) ^ 1)}`;
    for (const bad of [
      `${header}.${payload}.${flipped}`,
      `${header}.${forged}.${signature}`,
      `${header}.${payload}.${nonCanonical}`,
      `${header}.${payload}.${signature}AA`,
      `${header}.${payload}.${signature}!`,
      `${header}.${payload}`,
      "not a token",
    ]) {
      expect(await codeOf(verifier.verify(bad))).toBe("TOKENS_INVALID");
    }
  });

  it("claims of the wrong type or missing", async () => {
    const { verifier } = setup();
    const cases: [Record<string, unknown>, string][] = [
      [{ sub: 42 }, "sub"],
      [{ sub: undefined }, "sub"],
      [{ sub: "" }, "sub"],
      [{ realm: "admins" }, "realm"],
      [{ realm: "/services" }, "realm"],
      [{ scope: "uid charter.read" }, "scope"],
      [{ scope: ["uid", 7] }, "scope"],
      [{ scope: undefined }, "scope"],
      [{ exp: "tomorrow" }, "exp"],
      [{ exp: undefined }, "exp"],
      [{ iat: undefined }, "iat"],
      [{ nbf: "now" }, "nbf"],
      [{ azp: ["x"] }, "azp"],
      [{ iss: undefined }, "iss"],
    ];
    for (const [claims, claim] of cases) {
      const token = await mintTestToken(es256, { now: NOW, claims });
      await expect(verifier.verify(token), claim).rejects.toMatchObject({
        code: "TOKENS_CLAIM_INVALID",
        extensions: { claim },
      });
    }
  });

  it("a payload that is not a JSON object", async () => {
    const { verifier } = setup();
    const key = await importJWK({ ...es256.jwk }, "ES256");
    expect(key).toBeDefined();
    for (const body of ["[1,2]", "null", "not json"]) {
      const token = await new CompactSign(Buffer.from(body))
        .setProtectedHeader({ alg: "ES256", kid: es256.kid })
        .sign(es256.privateKey);
      expect(await codeOf(verifier.verify(token))).toBe("TOKENS_INVALID");
    }
  });

  it("never puts the token into an error message", async () => {
    const { verifier } = setup();
    const token = await mintTestToken(es256, { now: NOW, claims: { iss: "https://evil.test" } });
    const error = await verifier.verify(token).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain(token.split(".")[1]!);
  });
});

describe("TokenVerifier keys", () => {
  it("refetches the key set once for an unknown kid, then at most every 10 s", async () => {
    const { verifier, keys, clock, fetches, publish } = setup();
    await keys.refresh();
    expect(fetches()).toBe(1);
    const other = await createTestSigner("ES256", "later");
    const token = await mintTestToken(other, { now: NOW });
    expect(await codeOf(verifier.verify(token))).toBe("TOKENS_UNKNOWN_KEY");
    expect(fetches()).toBe(2);
    publish(es256, other);
    clock.advance(9_000);
    expect(await codeOf(verifier.verify(token))).toBe("TOKENS_UNKNOWN_KEY");
    expect(
      await codeOf(verifier.verify(await mintTestToken(other, { now: NOW, claims: { sub: "x" } }))),
    ).toBe("TOKENS_UNKNOWN_KEY");
    expect(fetches()).toBe(2);
    clock.advance(1_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ kid: "later" });
    expect(fetches()).toBe(3);
  });

  it("shares one refetch among concurrent verifications of unknown kids", async () => {
    const { verifier, keys, fetches } = setup();
    await keys.refresh();
    const stranger = await createTestSigner("ES256", "stranger");
    const tokens = await Promise.all(
      Array.from({ length: 5 }, (_, i) => mintTestToken(stranger, { now: NOW, claims: { sub: `u${i}` } })),
    );
    const codes = await Promise.all(tokens.map((t) => codeOf(verifier.verify(t))));
    expect(codes).toEqual(Array(5).fill("TOKENS_UNKNOWN_KEY"));
    expect(fetches()).toBe(2);
  });

  it("stops accepting a cached token once its key is removed from the set", async () => {
    const { verifier, keys, publish, clock } = setup();
    const token = await mintTestToken(es256, { now: NOW });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(verifier.cacheSize).toBe(1);
    publish();
    clock.advance(10_000);
    await keys.refresh();
    expect(await codeOf(verifier.verify(token))).toBe("TOKENS_UNKNOWN_KEY");
  });

  it("keeps cached tokens when a reload returns the same key", async () => {
    const { verifier, keys } = setup();
    const token = await mintTestToken(es256, { now: NOW });
    await verifier.verify(token);
    const cached = await verifier.verify(token);
    await keys.refresh();
    expect(await verifier.verify(token)).toBe(cached);
  });
});

describe("TokenVerifier cache", () => {
  it("caches a token from its second sighting on and returns the same verification for it", async () => {
    const { verifier } = setup();
    const token = await mintTestToken(es256, { now: NOW });
    await verifier.verify(token);
    expect(verifier.cacheSize).toBe(0);
    const second = await verifier.verify(token);
    expect(verifier.cacheSize).toBe(1);
    expect(await verifier.verify(token)).toBe(second);
  });

  it("takes nothing from the cache for a token that only shares a cached token's signature", async () => {
    const { verifier } = setup();
    const token = await mintTestToken(es256, { now: NOW, claims: { sub: "alice" } });
    const other = await mintTestToken(es256, { now: NOW, claims: { sub: "mallory" } });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(verifier.cacheSize).toBe(1);
    const signature = token.slice(token.lastIndexOf(".") + 1);
    const forged = `${other.slice(0, other.lastIndexOf("."))}.${signature}`;
    expect(await codeOf(verifier.verify(forged))).toBe("TOKENS_INVALID");
    expect(await codeOf(verifier.verify(forged))).toBe("TOKENS_INVALID");
    expect((await verifier.verify(token)).claims.sub).toBe("alice");
  });

  it("keeps the tokens in use when a flood of tokens is seen once each", async () => {
    const { verifier } = setup({ cacheSize: 2 });
    const [a, b] = await Promise.all(
      ["a", "b"].map((sub) => mintTestToken(es256, { now: NOW, claims: { sub } })),
    );
    for (const token of [a!, a!, b!, b!]) await verifier.verify(token);
    const cachedA = await verifier.verify(a!);
    for (let i = 0; i < 50; i++) {
      await verifier.verify(await mintTestToken(es256, { now: NOW, claims: { sub: `flood-${i}` } }));
    }
    expect(verifier.cacheSize).toBe(2);
    expect(await verifier.verify(a!)).toBe(cachedA);
  });

  it("refuses a cached token once it expires", async () => {
    const { verifier, clock } = setup();
    const token = await mintTestToken(es256, { now: NOW, claims: { exp: NOW + 60 } });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(verifier.cacheSize).toBe(1);
    clock.advance(59_000);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    clock.advance(1_000);
    expect(await codeOf(verifier.verify(token))).toBe("TOKENS_EXPIRED");
    expect(verifier.cacheSize).toBe(0);
  });

  it("holds at most cacheSize tokens", async () => {
    const { verifier } = setup({ cacheSize: 2 });
    for (const sub of ["a", "b", "c"]) {
      const token = await mintTestToken(es256, { now: NOW, claims: { sub } });
      await verifier.verify(token);
      await verifier.verify(token);
    }
    expect(verifier.cacheSize).toBe(2);
  });

  it("refuses a cached token as soon as it is revoked, by token, claim or globally", async () => {
    const { verifier, revocations } = setup();
    const [byToken, byClaim, byGlobal] = await Promise.all(
      ["a", "b", "c"].map((sub) => mintTestToken(es256, { now: NOW, claims: { sub } })),
    );
    for (const token of [byToken!, byClaim!, byGlobal!, byToken!, byClaim!, byGlobal!]) {
      await verifier.verify(token);
    }
    expect(verifier.cacheSize).toBe(3);

    revocations.add({
      type: "TOKEN",
      revoked_at: NOW,
      data: {
        token_hash: hashRevocationValue(SALT, tokenRevocationInput(byToken!)),
        hash_algorithm: "SHA-256",
      },
    });
    expect(await codeOf(verifier.verify(byToken!))).toBe("TOKENS_REVOKED");
    await expect(verifier.verify(byClaim!)).resolves.toBeDefined();

    revocations.add({
      type: "CLAIM",
      revoked_at: NOW,
      data: {
        names: "realm|sub",
        value_hash: hashRevocationValue(SALT, "employees|b"),
        issued_before: NOW,
        hash_algorithm: "SHA-256",
      },
    });
    expect(await codeOf(verifier.verify(byClaim!))).toBe("TOKENS_REVOKED");
    await expect(verifier.verify(byGlobal!)).resolves.toBeDefined();

    revocations.add({ type: "GLOBAL", revoked_at: NOW, data: { issued_before: NOW - 1 } });
    await expect(verifier.verify(byGlobal!)).resolves.toBeDefined();
    revocations.add({ type: "GLOBAL", revoked_at: NOW, data: { issued_before: NOW } });
    expect(await codeOf(verifier.verify(byGlobal!))).toBe("TOKENS_REVOKED");
  });

  it("refuses a revoked token on first sight, and its signature-altered twin too", async () => {
    const { verifier, revocations } = setup();
    const token = await mintTestToken(es256, { now: NOW });
    revocations.add({
      type: "TOKEN",
      revoked_at: NOW,
      data: { token_hash: hashRevocationValue(SALT, tokenRevocationInput(token)), hash_algorithm: "SHA-256" },
    });
    expect(await codeOf(verifier.verify(token))).toBe("TOKENS_REVOKED");
    // ECDSA's (r, n - s) is a second valid signature of the same claims.
    const twin = withNegatedS(token);
    expect(twin).not.toBe(token);
    await expect(setup().verifier.verify(twin)).resolves.toBeDefined();
    expect(await codeOf(verifier.verify(twin))).toBe("TOKENS_REVOKED");
  });

  it("accepts tokens issued after a claim revocation's issued_before", async () => {
    const { verifier, revocations, clock } = setup();
    revocations.add({
      type: "CLAIM",
      revoked_at: NOW,
      data: {
        names: "sub",
        value_hash: hashRevocationValue(SALT, "jdoe"),
        issued_before: NOW,
        hash_algorithm: "SHA-256",
      },
    });
    clock.advance(1_000);
    await expect(verifier.verify(await mintTestToken(es256, { now: NOW + 1 }))).resolves.toBeDefined();
    expect(await codeOf(verifier.verify(await mintTestToken(es256, { now: NOW })))).toBe("TOKENS_REVOKED");
  });

  it("has a clock tolerance option", async () => {
    const { verifier } = setup({ clockTolerance: Duration.seconds(0) });
    expect(await codeOf(verifier.verify(await mintTestToken(es256, { now: NOW + 1 })))).toBe(
      "TOKENS_NOT_YET_VALID",
    );
  });
});

const P256_ORDER = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

function withNegatedS(token: string): string {
  const lastDot = token.lastIndexOf(".");
  const signature = Buffer.from(token.slice(lastDot + 1), "base64url");
  const s = BigInt(`0x${signature.subarray(32).toString("hex")}`);
  const negated = Buffer.from((P256_ORDER - s).toString(16).padStart(64, "0"), "hex");
  return `${token.slice(0, lastDot)}.${Buffer.concat([signature.subarray(0, 32), negated]).toString("base64url")}`;
}

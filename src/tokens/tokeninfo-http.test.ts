import Fastify, { type FastifyInstance } from "fastify";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHttpApp, createLogger, ManualClock } from "../core/index.js";
import { JwksKeySource } from "./jwks-key-source.js";
import { hashRevocationValue, tokenRevocationInput } from "./revocation-hash.js";
import { RevocationList } from "./revocation-list.js";
import { TokenVerifier } from "./token-verifier.js";
import { tokeninfoHttp } from "./tokeninfo-http.js";
import { createTestSigner, mintTestToken, TEST_ISSUER, type TestSigner } from "./verification-fixtures.js";

const START = Date.UTC(2026, 0, 1);
const NOW = START / 1000;
const SALT = "s";

let signer: TestSigner;
let stranger: TestSigner;
let clock: ManualClock;
let list: RevocationList;
let verifier: TokenVerifier;
let app: FastifyInstance;

beforeAll(async () => {
  [signer, stranger] = await Promise.all([createTestSigner("ES256"), createTestSigner("ES256", "stranger")]);
});

beforeEach(async () => {
  clock = new ManualClock(START);
  list = new RevocationList({ salt: SALT });
  const keys = new JwksKeySource({ fetchKeys: async () => ({ keys: [signer.jwk] }), clock });
  verifier = new TokenVerifier({ keys, issuer: TEST_ISSUER, clock, revocations: list });
  app = Fastify();
  await app.register(tokeninfoHttp(verifier, { clock }));
});

function tokeninfo(token?: string, query?: string) {
  return app.inject({
    url: `/oauth2/tokeninfo${query === undefined ? "" : `?access_token=${query}`}`,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

describe("GET /oauth2/tokeninfo", () => {
  it("answers in Plan B's shape with one true member per scope", async () => {
    const token = await mintTestToken(signer, {
      now: NOW,
      claims: { sub: "billing", realm: "services", scope: ["uid", "billing.read", "cn"], azp: "billing-ui" },
    });
    const response = await tokeninfo(token);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.json()).toEqual({
      access_token: token,
      uid: "billing",
      grant_type: "password",
      scope: ["uid", "billing.read", "cn"],
      realm: "/services",
      token_type: "Bearer",
      expires_in: 3600,
      client_id: "billing-ui",
      "billing.read": true,
      cn: true,
    });
  });

  it("counts expires_in down for a token it has seen before", async () => {
    const token = await mintTestToken(signer, { now: NOW });
    expect((await tokeninfo(token)).json().expires_in).toBe(3600);
    clock.advance(1_500);
    const again = (await tokeninfo(token)).json();
    expect(again.expires_in).toBe(3598);
    expect(again).not.toHaveProperty("client_id");
    expect(again.realm).toBe("/employees");
  });

  it("takes the token from the access_token query parameter, preferring the header", async () => {
    const token = await mintTestToken(signer, { now: NOW });
    expect((await tokeninfo(undefined, token)).json().access_token).toBe(token);
    expect((await tokeninfo(token, "garbage")).statusCode).toBe(200);
  });

  it("gives every refusal the same 401 answer", async () => {
    const valid = await mintTestToken(signer, { now: NOW, claims: { sub: "revoked" } });
    list.add({
      type: "TOKEN",
      revoked_at: NOW,
      data: { token_hash: hashRevocationValue(SALT, tokenRevocationInput(valid)), hash_algorithm: "SHA-256" },
    });
    const refused = [
      undefined,
      "garbage",
      valid,
      await mintTestToken(signer, { now: NOW - 7200 }),
      await mintTestToken(signer, { now: NOW, claims: { iss: "https://evil.test" } }),
      await mintTestToken(signer, { now: NOW, claims: { scope: "uid" } }),
      await mintTestToken(stranger, { now: NOW }),
    ];
    const answers = await Promise.all(refused.map((token) => tokeninfo(token)));
    for (const answer of answers) {
      expect(answer.statusCode).toBe(401);
      expect(answer.headers["cache-control"]).toBe("no-store");
      expect(answer.body).toBe('{"error":"invalid_token","error_description":"Access Token not valid"}');
    }
  });

  it("is public inside the server's app, whose other routes need a token", async () => {
    const server = await createHttpApp({
      logger: createLogger({ level: "silent" }),
      authenticate: async (token) => (await verifier.verify(token)).principal,
    });
    await server.register(tokeninfoHttp(verifier, { clock }));
    const token = await mintTestToken(signer, { now: NOW });
    const ok = await server.inject({ url: `/oauth2/tokeninfo?access_token=${token}` });
    expect(ok.statusCode).toBe(200);
    const refused = await server.inject({
      url: "/oauth2/tokeninfo",
      headers: { authorization: "Bearer x.y.z" },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: "invalid_token", error_description: "Access Token not valid" });
    const spec = server.swagger() as { paths: Record<string, unknown> };
    expect(spec.paths).toHaveProperty("/oauth2/tokeninfo");
  });
});

import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { httpServerFactory, ManualClock } from "../core/index.js";
import { JwksKeySource } from "./jwks-key-source.js";
import { type TokenVerification, TokenVerifier } from "./token-verifier.js";
import { tokeninfoHttp } from "./tokeninfo-http.js";
import { tokeninfoLane } from "./tokeninfo-lane.js";
import { createTestSigner, mintTestToken, TEST_ISSUER, type TestSigner } from "./verification-fixtures.js";

const START = Date.UTC(2026, 0, 1);
const NOW = START / 1000;

let signer: TestSigner;
let clock: ManualClock;
let verifier: TokenVerifier;
let app: FastifyInstance;
let base: string;
let fastAnswers: number;
let errors: unknown[];

beforeAll(async () => {
  signer = await createTestSigner("ES256");
});

/** A real server, as the sidecar builds it: the lane first, the Fastify route behind it. */
async function serve(verification: TokenVerification): Promise<void> {
  fastAnswers = 0;
  errors = [];
  const lane = tokeninfoLane(verification, { clock, onError: (error) => errors.push(error) });
  app = Fastify({
    serverFactory: httpServerFactory({
      fastLanes: [
        (request) => {
          const work = lane(request);
          if (work !== undefined) fastAnswers++;
          return work;
        },
      ],
    }),
  });
  await app.register(tokeninfoHttp(verification, { clock }));
  base = await app.listen({ host: "127.0.0.1", port: 0 });
}

beforeEach(async () => {
  clock = new ManualClock(START);
  const keys = new JwksKeySource({ fetchKeys: async () => ({ keys: [signer.jwk] }), clock });
  verifier = new TokenVerifier({ keys, issuer: TEST_ISSUER, clock });
  await serve(verifier);
});

afterEach(async () => {
  await app.close();
});

async function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  const response = await fetch(`${base}${path}`, { method, headers });
  const kept = [
    "content-type",
    "cache-control",
    "www-authenticate",
    "content-length",
    "connection",
    "keep-alive",
  ];
  return {
    status: response.status,
    headers: Object.fromEntries(kept.map((name) => [name, response.headers.get(name)])),
    body: await response.text(),
  };
}

describe("tokeninfoLane", () => {
  it("answers a bearer header exactly as the Fastify route answers the query parameter", async () => {
    const token = await mintTestToken(signer, {
      now: NOW,
      claims: { sub: "billing", realm: "services", scope: ["uid", "billing.read"], azp: "billing-ui" },
    });
    const fast = await get("/oauth2/tokeninfo", { authorization: `Bearer ${token}` });
    expect(fastAnswers).toBe(1);
    const routed = await get(`/oauth2/tokeninfo?access_token=${token}`);
    expect(fastAnswers).toBe(1);
    expect(fast).toEqual(routed);
    expect(fast.status).toBe(200);
    expect(JSON.parse(fast.body)).toMatchObject({
      uid: "billing",
      client_id: "billing-ui",
      expires_in: 3600,
    });

    clock.advance(60_000);
    const cached = await get("/oauth2/tokeninfo", { authorization: `bearer ${token}` });
    expect(fastAnswers).toBe(2);
    expect(JSON.parse(cached.body).expires_in).toBe(3540);
  });

  it("refuses a bad token with the same 401 as the Fastify route", async () => {
    const fast = await get("/oauth2/tokeninfo", { authorization: "Bearer not.a.token" });
    const routed = await get("/oauth2/tokeninfo?access_token=not.a.token");
    expect(fastAnswers).toBe(1);
    expect(fast).toEqual(routed);
    expect(fast.status).toBe(401);
    expect(fast.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
  });

  it("leaves every other shape of request to Fastify", async () => {
    const token = await mintTestToken(signer, { now: NOW });
    const others = [
      get(`/oauth2/tokeninfo?access_token=${token}`, { authorization: `Bearer ${token}` }),
      get("/oauth2/tokeninfo", { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }),
      get("/oauth2/tokeninfo"),
      get("/oauth2/tokeninfo", { authorization: `Bearer ${token}` }, "HEAD"),
      get("/oauth2/tokeninfo/", { authorization: `Bearer ${token}` }),
      get("/elsewhere", { authorization: `Bearer ${token}` }),
    ];
    const statuses = (await Promise.all(others)).map((r) => r.status);
    expect(statuses).toEqual([200, 401, 401, 200, 404, 404]);
    expect(fastAnswers).toBe(0);
  });

  it("answers 500 without detail and reports an error that is not a refused token", async () => {
    await app.close();
    await serve({
      verify: async () => {
        throw new Error("the key source is unreachable");
      },
    });
    const response = await get("/oauth2/tokeninfo", { authorization: "Bearer a.b.c" });
    expect(response.status).toBe(500);
    expect(response.body).toBe('{"error":"server_error"}');
    expect(errors).toHaveLength(1);
  });
});

import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../core/index.js";
import { hashRevocationValue, type RevocationFeed, tokenRevocationInput } from "../../tokens/index.js";
import {
  createTestSigner,
  jwksOf,
  mintTestToken,
  type TestSigner,
} from "../../tokens/verification-fixtures.js";
import { buildTokeninfoApp, type RunningTokeninfo, startTokeninfo } from "./app.js";
import { readTokeninfoConfig } from "./config.js";

let signer: TestSigner;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  signer = await createTestSigner("ES256");
});

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

interface FakeCharter {
  readonly url: string;
  servingKeys: boolean;
  /** Served instead of the signer's key set when set. */
  keySet?: unknown;
  feed: RevocationFeed;
  readonly tokenRequests: string[];
}

/** A stand-in for the Charter server: discovery, JWKS, token endpoint and revocation feed. */
async function fakeCharter(): Promise<FakeCharter> {
  const app: FastifyInstance = Fastify();
  const state: FakeCharter = {
    url: "",
    servingKeys: false,
    feed: { meta: {}, revocations: [] },
    tokenRequests: [],
  };
  app.get("/.well-known/openid-configuration", async () => ({
    issuer: state.url,
    jwks_uri: `${state.url}/oauth2/connect/keys`,
  }));
  app.get("/oauth2/connect/keys", async (_req, reply) =>
    state.servingKeys ? (state.keySet ?? jwksOf(signer)) : reply.status(503).send({ error: "starting" }),
  );
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.post("/oauth2/access_token", async (request, reply) => {
    state.tokenRequests.push(String(request.headers.authorization));
    const expected = `Basic ${Buffer.from("tokeninfo-sidecar:s3cret+x").toString("base64")}`;
    if (request.headers.authorization !== expected)
      return reply.status(401).send({ error: "invalid_client" });
    return { access_token: "sidecar-token", token_type: "Bearer", expires_in: 3600 };
  });
  app.get("/revocations", async (request, reply) =>
    request.headers.authorization === "Bearer sidecar-token" ? state.feed : reply.status(401).send({}),
  );
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  (state as { url: string }).url = address;
  closers.push(() => app.close());
  return state;
}

async function sidecarFor(
  charter: FakeCharter,
  env: Record<string, string> = {},
  logger = createLogger({ level: "silent" }),
): Promise<RunningTokeninfo> {
  const config = readTokeninfoConfig({
    CHARTER_URL: charter.url,
    TOKENINFO_PORT: "0",
    TOKENINFO_REVOCATIONS_INTERVAL: "200ms",
    TOKENINFO_KEYS_REFRESH_INTERVAL: "200ms",
    ...env,
  });
  const sidecar = await startTokeninfo(config, { logger });
  closers.push(() => sidecar.close());
  return sidecar;
}

describe("charter tokeninfo", () => {
  it("answers /health 503 until it holds keys, then 200, and then verifies tokens", async () => {
    const charter = await fakeCharter();
    const sidecar = await sidecarFor(charter);
    const health = await fetch(`${sidecar.url}/health`);
    expect(health.status).toBe(503);
    const token = await mintTestToken(signer, { claims: { iss: charter.url } });
    const early = await fetch(`${sidecar.url}/oauth2/tokeninfo`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(early.status).toBe(401);

    charter.servingKeys = true;
    await vi.waitFor(async () => expect((await fetch(`${sidecar.url}/health`)).status).toBe(200), {
      timeout: 5_000,
      interval: 100,
    });
    const info = await fetch(`${sidecar.url}/oauth2/tokeninfo?access_token=${token}`);
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ uid: "jdoe", realm: "/employees", token_type: "Bearer" });
    const keys = (await (await fetch(`${sidecar.url}/oauth2/connect/keys`)).json()) as {
      keys: { kid: string }[];
    };
    expect(keys.keys.map((k) => k.kid)).toEqual([signer.kid]);
    const metrics = await (await fetch(`${sidecar.url}/metrics`)).text();
    expect(metrics).toContain('charter_tokeninfo_requests_total{outcome="valid"} 1');
  });

  it("survives a key set holding null, using the usable keys and reloading on schedule", async () => {
    const charter = await fakeCharter();
    charter.servingKeys = true;
    charter.keySet = { keys: [null, 7, ...jwksOf(signer).keys] };
    const sidecar = await sidecarFor(charter);
    await sidecar.start();
    expect((await fetch(`${sidecar.url}/health`)).status).toBe(200);
    // Let a few scheduled reloads of the same set run: none may end the process.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const token = await mintTestToken(signer, { claims: { iss: charter.url } });
    const info = await fetch(`${sidecar.url}/oauth2/tokeninfo`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(info.status).toBe(200);
  });

  it("warns loudly at start when plain http to another host was allowed", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "warn",
      destination: { write: (line: string) => lines.push(line) },
    });
    const config = readTokeninfoConfig({
      CHARTER_URL: "http://charter.invalid:9",
      TOKENINFO_ALLOW_INSECURE_HTTP: "true",
      TOKENINFO_PORT: "0",
    });
    const sidecar = buildTokeninfoApp(config, {
      logger,
      fetch: (async () => {
        throw new Error("offline");
      }) as typeof fetch,
    });
    closers.push(() => sidecar.close());
    await sidecar.start();
    const warning = lines.map((line) => JSON.parse(line)).find((entry) => /INSECURE HTTP/.test(entry.msg));
    expect(warning).toMatchObject({ level: 40, variables: ["CHARTER_URL"] });
  });

  it("refuses tokens of another issuer than the one Charter announces", async () => {
    const charter = await fakeCharter();
    charter.servingKeys = true;
    const sidecar = await sidecarFor(charter);
    await sidecar.start();
    const token = await mintTestToken(signer, { claims: { iss: "https://elsewhere.test" } });
    const info = await fetch(`${sidecar.url}/oauth2/tokeninfo`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(info.status).toBe(401);
  });

  it("polls revocations with a client-credentials token and refuses revoked tokens", async () => {
    const charter = await fakeCharter();
    charter.servingKeys = true;
    const [revoked, fine] = await Promise.all([
      mintTestToken(signer, { claims: { iss: charter.url, sub: "gone" } }),
      mintTestToken(signer, { claims: { iss: charter.url, sub: "fine" } }),
    ]);
    const hashOf = (token: string) => hashRevocationValue("shared-salt", tokenRevocationInput(token));
    charter.feed = {
      meta: {},
      revocations: [
        { type: "TOKEN", revoked_at: 1, data: { token_hash: hashOf(revoked), hash_algorithm: "SHA-256" } },
      ],
    };
    const sidecar = await sidecarFor(charter, {
      TOKENINFO_CLIENT_ID: "tokeninfo-sidecar",
      TOKENINFO_CLIENT_SECRET: "s3cret x",
      TOKENINFO_REVOCATION_SALT: "shared-salt",
    });
    await vi.waitFor(async () => expect((await fetch(`${sidecar.url}/health`)).status).toBe(200), {
      timeout: 5_000,
      interval: 100,
    });
    const ask = (token: string) =>
      fetch(`${sidecar.url}/oauth2/tokeninfo`, { headers: { authorization: `Bearer ${token}` } });
    // Asked twice, so the verifier caches it (from its second sighting on).
    expect((await ask(fine)).status).toBe(200);
    expect((await ask(fine)).status).toBe(200);
    expect((await ask(revoked)).status).toBe(401);

    // A later revocation of a token already cached is picked up by the next poll.
    charter.feed = {
      meta: {},
      revocations: [
        ...charter.feed.revocations,
        { type: "TOKEN", revoked_at: 2, data: { token_hash: hashOf(fine), hash_algorithm: "SHA-256" } },
      ],
    };
    await vi.waitFor(async () => expect((await ask(fine)).status).toBe(401), {
      timeout: 5_000,
      interval: 100,
    });
    expect(new Set(charter.tokenRequests).size).toBe(1);
  });

  it("stays unhealthy while its client credentials are refused", async () => {
    const charter = await fakeCharter();
    charter.servingKeys = true;
    const sidecar = await sidecarFor(charter, {
      TOKENINFO_CLIENT_ID: "tokeninfo-sidecar",
      TOKENINFO_CLIENT_SECRET: "wrong",
      TOKENINFO_REVOCATION_SALT: "shared-salt",
    });
    await sidecar.start();
    const health = await fetch(`${sidecar.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ revocations: "pending" });
  });
});

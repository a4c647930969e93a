import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  passwordToken,
  startTestServer,
  TEST_ADMIN_PASSWORD,
  type TestServer,
} from "../../../test/support/server.js";

let t: TestServer;
let admin: string;

beforeAll(async () => {
  t = await startTestServer();
  admin = await passwordToken(t.server, "admin", TEST_ADMIN_PASSWORD);
});
afterAll(async () => t?.close());

const inject = (options: InjectOptions) => t.server.app.inject(options);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates a confidential client in team platform and returns its secret. */
async function createConfidentialClient(id: string, name: string): Promise<string> {
  const created = await inject({
    method: "POST",
    url: "/api/clients",
    headers: bearer(admin),
    payload: { id, team_id: "platform", name, confidential: true },
  });
  return created.json().client_secret as string;
}

async function auditCount(): Promise<number> {
  const { count } = await t.server.db
    .selectFrom("audit_entries")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(count);
}

describe("first start", () => {
  it("creates team platform, person admin in it and the public client charter-cli", async () => {
    expect(t.server.bootstrapped).toBe(true);
    const team = await inject({ url: "/api/teams/platform", headers: bearer(admin) });
    expect(team.json().members).toContain("admin");
    const cli = await inject({ url: "/api/clients/charter-cli", headers: bearer(admin) });
    expect(cli.json()).toMatchObject({ id: "charter-cli", confidential: false });
  });

  it("records the bootstrap in the audit log", async () => {
    const entries = await inject({ url: "/api/audit?actor=charter&limit=100", headers: bearer(admin) });
    const actions = entries.json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["team.create", "user.create", "client.create"]));
  });
});

describe("authentication", () => {
  const PUBLIC = new Set([
    "/health",
    "/metrics",
    "/oauth2/access_token",
    "/oauth2/authorize",
    "/oauth2/connect/keys",
    "/.well-known/openid-configuration",
    "/oauth2/tokeninfo",
    "/api/audit/keys",
  ]);

  it("every other documented endpoint answers 401 without a token", async () => {
    const spec = (await inject({ url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const checked: string[] = [];
    for (const [path, methods] of Object.entries(spec.paths)) {
      if (PUBLIC.has(path)) continue;
      for (const method of Object.keys(methods)) {
        const url = path.replace(/\{[^}]+\}/g, "x1");
        const response = await inject({ method: method.toUpperCase() as "GET", url });
        expect({ url: `${method} ${url}`, status: response.statusCode }).toEqual({
          url: `${method} ${url}`,
          status: 401,
        });
        checked.push(url);
      }
    }
    expect(checked.length).toBeGreaterThan(20);
  });

  it("refuses a token with a forged signature", async () => {
    const [h, p] = admin.split(".");
    const forged = `${h}.${p}.${"A".repeat(86)}`;
    const response = await inject({ url: "/api/teams", headers: bearer(forged) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      code: "CORE_UNAUTHENTICATED",
      detail: "the access token is not valid",
    });
  });
});

describe("a newcomer's path", () => {
  it("logs in, reads tokeninfo, revokes the token, and the server refuses it at once", async () => {
    const token = await passwordToken(t.server, "admin", TEST_ADMIN_PASSWORD, "charter.audit");
    const info = await inject({ url: "/oauth2/tokeninfo", headers: bearer(token) });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({ uid: "admin", scope: ["charter.audit"], "charter.audit": true });

    const revoke = await inject({
      method: "POST",
      url: "/revocations",
      headers: bearer(admin),
      payload: { type: "TOKEN", data: { token } },
    });
    expect(revoke.statusCode).toBe(201);

    expect((await inject({ url: "/oauth2/tokeninfo", headers: bearer(token) })).statusCode).toBe(401);
    expect((await inject({ url: "/api/teams", headers: bearer(token) })).statusCode).toBe(401);
    expect((await inject({ url: "/api/teams", headers: bearer(admin) })).statusCode).toBe(200);
  });

  it("a service client gets a client_credentials token with a granted scope", async () => {
    const created = await inject({
      method: "POST",
      url: "/api/clients",
      headers: bearer(admin),
      payload: {
        id: "billing-api",
        team_id: "platform",
        name: "Billing",
        confidential: true,
        scopes: ["charter.audit"],
      },
    });
    expect(created.statusCode).toBe(201);
    const secret = created.json().client_secret as string;
    const basic = Buffer.from(`billing-api:${secret}`).toString("base64");
    const issued = await inject({
      method: "POST",
      url: "/oauth2/access_token",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      payload: "grant_type=client_credentials&scope=charter.audit",
    });
    expect(issued.statusCode).toBe(200);
    const info = await inject({ url: "/oauth2/tokeninfo", headers: bearer(issued.json().access_token) });
    expect(info.json()).toMatchObject({ uid: "billing-api", realm: "/services", scope: ["charter.audit"] });

    const refused = await inject({
      method: "POST",
      url: "/oauth2/access_token",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      payload: "grant_type=client_credentials&scope=charter.admin",
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe("invalid_scope");
  });
});

describe("delegation", () => {
  it("a person signing in through a client other than Charter's own delegates only what the client was granted", async () => {
    const created = await inject({
      method: "POST",
      url: "/api/clients",
      headers: bearer(admin),
      payload: {
        id: "third-party",
        team_id: "platform",
        name: "Third party",
        confidential: false,
        redirect_uris: ["https://app.example.org/callback"],
      },
    });
    expect(created.statusCode).toBe(201);
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const login = (scope?: string) =>
      inject({
        method: "POST",
        url: "/oauth2/access_token",
        headers: form,
        payload: new URLSearchParams({
          grant_type: "password",
          username: "admin",
          password: TEST_ADMIN_PASSWORD,
          client_id: "third-party",
          ...(scope === undefined ? {} : { scope }),
        }).toString(),
      });
    const plain = await login();
    expect(plain.statusCode).toBe(200);
    expect(plain.json().scope).toBe("");
    const escalated = await login("charter.admin");
    expect(escalated.statusCode).toBe(400);
    expect(escalated.json().error).toBe("invalid_scope");
  });
});

describe("invalidation", () => {
  it("disabling a person ends the tokens they already hold", async () => {
    const password = "bob's long enough password";
    const created = await inject({
      method: "POST",
      url: "/api/users",
      headers: bearer(admin),
      payload: { id: "bob", name: "Bob", email: "bob@example.org", password },
    });
    expect(created.statusCode).toBe(201);
    const bob = await passwordToken(t.server, "bob", password);
    expect((await inject({ url: "/api/teams", headers: bearer(bob) })).statusCode).toBe(200);
    const disabled = await inject({
      method: "PATCH",
      url: "/api/users/bob",
      headers: bearer(admin),
      payload: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    await expect
      .poll(async () => (await inject({ url: "/api/teams", headers: bearer(bob) })).statusCode)
      .toBe(401);
  });
});

describe("changes and their audit records", () => {
  it("a change and its audit entry commit together", async () => {
    const before = await auditCount();
    const created = await inject({
      method: "POST",
      url: "/api/teams",
      headers: bearer(admin),
      payload: { id: "payments", name: "Payments" },
    });
    expect(created.statusCode).toBe(201);
    expect(await auditCount()).toBe(before + 1);
    const latest = await inject({ url: "/api/audit?target=team/payments", headers: bearer(admin) });
    expect(latest.json().items[0]).toMatchObject({
      action: "team.create",
      actor_sub: "admin",
      actor_realm: "employees",
    });
  });

  it.each([
    ["malformed JSON", { "content-type": "application/json" }, "{not json", 400, "CORE_MALFORMED_JSON"],
    [
      "an unknown field",
      { "content-type": "application/json" },
      '{"id":"x-team","name":"X","owner":"me"}',
      400,
      "CORE_UNKNOWN_FIELD",
    ],
    [
      "an id that breaks the pattern",
      { "content-type": "application/json" },
      '{"id":"Bad_Id","name":"X"}',
      400,
      "CORE_VALIDATION_FAILED",
    ],
    [
      "an over-long name",
      { "content-type": "application/json" },
      JSON.stringify({ id: "long-team", name: "x".repeat(5000) }),
      400,
      "CORE_VALIDATION_FAILED",
    ],
    ["a wrong content type", { "content-type": "text/plain" }, "id=x", 415, "CORE_UNSUPPORTED_MEDIA_TYPE"],
    [
      "a body over the limit",
      { "content-type": "application/json" },
      JSON.stringify({ id: "big", name: "x".repeat(2 * 1024 * 1024) }),
      413,
      "CORE_PAYLOAD_TOO_LARGE",
    ],
  ])(
    "%s gets a precise problem document and writes nothing",
    async (_name, headers, payload, status, code) => {
      const before = await auditCount();
      const response = await inject({
        method: "POST",
        url: "/api/teams",
        headers: { ...bearer(admin), ...headers },
        payload,
      });
      expect(response.statusCode).toBe(status);
      expect(response.headers["content-type"]).toContain("application/problem+json");
      expect(response.json()).toMatchObject({ status, code });
      expect(response.json().request_id).toBe(response.headers["x-request-id"]);
      expect(await auditCount()).toBe(before);
    },
  );
});

describe("operations", () => {
  it("serves health, metrics, discovery, JWKS and the API reference without a token", async () => {
    expect((await inject({ url: "/health" })).json()).toEqual({ status: "ok" });
    expect((await inject({ url: "/metrics" })).body).toContain("charter_http_requests_total");
    const discovery = (await inject({ url: "/.well-known/openid-configuration" })).json();
    expect(discovery).toMatchObject({
      issuer: "http://127.0.0.1:8080",
      jwks_uri: "http://127.0.0.1:8080/oauth2/connect/keys",
    });
    expect((await inject({ url: "/oauth2/connect/keys" })).json().keys.length).toBeGreaterThan(0);
    expect((await inject({ url: "/docs/" })).statusCode).toBe(200);
  });
});

describe("logs", () => {
  it("never contain a password, a client secret or a token", async () => {
    const secret = await createConfidentialClient("log-probe", "Log probe");
    const token = await passwordToken(t.server, "admin", TEST_ADMIN_PASSWORD);
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const issued = await inject({
      method: "POST",
      url: "/oauth2/access_token",
      headers: form,
      payload: `grant_type=client_credentials&client_id=log-probe&client_secret=${secret}`,
    });
    const wrongSecret = `${secret.slice(0, -4)}AAAA`;
    const failed = await inject({
      method: "POST",
      url: "/oauth2/access_token",
      headers: form,
      payload: `grant_type=client_credentials&client_id=log-probe&client_secret=${wrongSecret}`,
    });
    expect(failed.statusCode).toBe(401);
    await inject({ url: `/oauth2/tokeninfo?access_token=${token}` });
    const log = t.log();
    expect(log.length).toBeGreaterThan(100);
    for (const needle of [
      TEST_ADMIN_PASSWORD,
      secret,
      wrongSecret,
      token,
      issued.json().access_token,
      token.split(".")[2]!,
    ]) {
      expect(log.includes(needle)).toBe(false);
    }
  });
});

describe("the token endpoint over a real connection", () => {
  it("answers beneath Fastify with a request id, counts the answers in /metrics and logs no secret", async () => {
    const secret = await createConfidentialClient("wire-probe", "Wire probe");
    const base = await t.server.app.listen({ host: "127.0.0.1", port: 0 });
    const ask = (clientSecret: string) =>
      fetch(`${base}/oauth2/access_token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`wire-probe:${clientSecret}`).toString("base64")}`,
        },
        body: "grant_type=client_credentials",
      });
    const issued = await ask(secret);
    expect(issued.status).toBe(200);
    expect(issued.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const token = ((await issued.json()) as { access_token: string }).access_token;
    const refused = await ask(`${secret.slice(0, -4)}AAAA`);
    expect(refused.status).toBe(401);
    await refused.body?.cancel();

    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const status of [200, 401]) {
      expect(metrics).toMatch(
        new RegExp(
          `charter_http_requests_total\\{method="POST",route="/oauth2/access_token",status="${status}"\\} [1-9]`,
        ),
      );
    }
    expect(t.log().includes(secret)).toBe(false);
    expect(t.log().includes(token)).toBe(false);
  });
});

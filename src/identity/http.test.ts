import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, resetDatabase } from "../../test/support/database.js";
import {
  type Authenticate,
  CoreErrors,
  createHttpApp,
  createLogger,
  type HttpApp,
  type Principal,
  SYSTEM_ACTOR,
} from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { AuthorizedIdentityService } from "./authorized-service.js";
import { identityHttp } from "./http.js";
import { IdentityService } from "./service.js";
import { FixedScopeCatalog, fastPasswords, RecordingAuditSink, TEST_SCOPES } from "./testing.js";

const PASSWORD = "a long enough password";

/** The auth boundary: fixed bearer tokens stand for fixed principals. */
const PRINCIPALS: Record<string, Principal> = {
  "admin-token": { sub: "admin", realm: "employees", scopes: new Set(["charter.admin"]) },
  "alice-token": { sub: "alice", realm: "employees", scopes: new Set() },
  "bob-token": { sub: "bob", realm: "employees", scopes: new Set() },
  "service-token": { sub: "payments-api", realm: "services", scopes: new Set() },
};
const authenticate: Authenticate = async (token) => {
  const principal = PRINCIPALS[token];
  if (principal === undefined) throw CoreErrors.CORE_UNAUTHENTICATED("unknown test token");
  return principal;
};

let handle: DatabaseHandle;
let app: HttpApp;
let audit: RecordingAuditSink;
let identity: IdentityService;
let paymentsApiSecret: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  audit = new RecordingAuditSink();
  identity = new IdentityService({
    db: handle.db,
    audit,
    scopes: new FixedScopeCatalog(TEST_SCOPES),
    passwords: fastPasswords(),
  });
  app = await createHttpApp({ logger: createLogger({ level: "silent" }), authenticate });
  await app.register(identityHttp({ identity: new AuthorizedIdentityService(identity) }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

/** Team payments (alice, client payments-api), team search (bob), and admin. */
async function seed(): Promise<void> {
  await resetDatabase(handle.db);
  const system = { actor: SYSTEM_ACTOR };
  for (const id of ["admin", "alice", "bob"]) {
    await identity.createUser(system, { id, name: id, email: `${id}@example.org`, password: PASSWORD });
  }
  await identity.createTeam(system, { id: "payments", name: "Payments" });
  await identity.createTeam(system, { id: "search", name: "Search" });
  await identity.addMember(system, "payments", "alice");
  await identity.addMember(system, "search", "bob");
  const created = await identity.createClient(system, {
    id: "payments-api",
    teamId: "payments",
    name: "Payments API",
    confidential: true,
  });
  paymentsApiSecret = created.secret!;
  audit.clear();
}

interface Call {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly url: string;
  readonly body?: unknown;
}

function call(token: string | undefined, { method, url, body }: Call, headers: Record<string, string> = {}) {
  return app.inject({
    method,
    url,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

describe("teams", () => {
  beforeEach(seed);

  it("needs a bearer token", async () => {
    const res = await call(undefined, { method: "GET", url: "/api/teams" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: "CORE_UNAUTHENTICATED" });
  });

  it("lets an admin create a team and anyone read it", async () => {
    const created = await call("admin-token", {
      method: "POST",
      url: "/api/teams",
      body: { id: "billing", name: "Billing", description: "Invoices", aws_accounts: ["123456789012"] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe("/api/teams/billing");
    expect(created.json()).toEqual({
      id: "billing",
      name: "Billing",
      description: "Invoices",
      aws_accounts: ["123456789012"],
      members: [],
      created_at: expect.any(String),
      created_by: "admin",
      modified_at: expect.any(String),
    });
    expect(audit.records[0]).toMatchObject({
      actor: { sub: "admin", realm: "employees" },
      action: "team.create",
      target: "team/billing",
      body: { id: "billing", name: "Billing", description: "Invoices", aws_accounts: ["123456789012"] },
    });

    const read = await call("bob-token", { method: "GET", url: "/api/teams/payments" });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: "payments", members: ["alice"] });
  });

  it("lists teams a page at a time and filters by member", async () => {
    const first = await call("bob-token", { method: "GET", url: "/api/teams?limit=1" });
    expect(first.json()).toMatchObject({ items: [{ id: "payments" }], next_cursor: expect.any(String) });
    expect(first.json().items[0].members).toBeUndefined();
    const next = await call("bob-token", {
      method: "GET",
      url: `/api/teams?limit=1&cursor=${first.json().next_cursor}`,
    });
    expect(next.json()).toEqual({ items: [expect.objectContaining({ id: "search" })], next_cursor: null });
    const mine = await call("bob-token", { method: "GET", url: "/api/teams?member=alice" });
    expect(mine.json().items.map((t: { id: string }) => t.id)).toEqual(["payments"]);
  });

  it("lets a member change the team and its members, but not its AWS accounts", async () => {
    const accounts = await call("alice-token", {
      method: "PATCH",
      url: "/api/teams/payments",
      body: { aws_accounts: ["111111111111"] },
    });
    expect(accounts.statusCode).toBe(403);
    expect(accounts.json()).toMatchObject({ code: "IDENTITY_FORBIDDEN" });
    const patched = await call("alice-token", {
      method: "PATCH",
      url: "/api/teams/payments",
      body: { description: "Money in, money out" },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ description: "Money in, money out" });
    const added = await call("alice-token", { method: "PUT", url: "/api/teams/payments/members/bob" });
    expect(added.statusCode).toBe(204);
    const again = await call("alice-token", { method: "PUT", url: "/api/teams/payments/members/bob" });
    expect(again.statusCode).toBe(204);
    const removed = await call("alice-token", { method: "DELETE", url: "/api/teams/payments/members/bob" });
    expect(removed.statusCode).toBe(204);
    expect(audit.actions()).toEqual([
      "team.update team/payments",
      "team.member.add team/payments",
      "team.member.remove team/payments",
    ]);
  });

  it("refuses to delete a team with members, and deletes an empty one", async () => {
    const busy = await call("admin-token", { method: "DELETE", url: "/api/teams/search" });
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ code: "IDENTITY_TEAM_NOT_EMPTY" });
    await call("admin-token", { method: "DELETE", url: "/api/teams/search/members/bob" });
    const done = await call("admin-token", { method: "DELETE", url: "/api/teams/search" });
    expect(done.statusCode).toBe(204);
    expect(done.body).toBe("");
    expect((await call("admin-token", { method: "GET", url: "/api/teams/search" })).statusCode).toBe(404);
  });

  it("answers 409 for a duplicate id and for an AWS account of another team", async () => {
    const dup = await call("admin-token", {
      method: "POST",
      url: "/api/teams",
      body: { id: "search", name: "S" },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: "IDENTITY_TEAM_EXISTS" });
    await call("admin-token", {
      method: "PATCH",
      url: "/api/teams/search",
      body: { aws_accounts: ["111111111111"] },
    });
    const taken = await call("admin-token", {
      method: "PATCH",
      url: "/api/teams/payments",
      body: { aws_accounts: ["111111111111"] },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({
      code: "IDENTITY_AWS_ACCOUNT_TAKEN",
      aws_accounts: ["111111111111"],
    });
  });
});

describe("people", () => {
  beforeEach(seed);

  it("lets an admin create a person and never answers with a hash or the password", async () => {
    const res = await call("admin-token", {
      method: "POST",
      url: "/api/users",
      body: {
        id: "jane.doe",
        name: "Jane",
        email: "jane@example.org",
        password: PASSWORD,
        scopes: ["apps.read"],
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: "jane.doe",
      name: "Jane",
      email: "jane@example.org",
      scopes: ["apps.read"],
      disabled: false,
      teams: [],
      created_at: expect.any(String),
    });
    const list = await call("bob-token", { method: "GET", url: "/api/users" });
    expect(list.body).not.toMatch(/hash|scrypt/);
    expect(list.body).not.toContain(PASSWORD);
    expect(list.json().items.map((u: { id: string }) => u.id)).toEqual(["admin", "alice", "bob", "jane.doe"]);
  });

  it("answers 400 naming unknown scopes", async () => {
    const res = await call("admin-token", {
      method: "PATCH",
      url: "/api/users/bob",
      body: { scopes: ["nope.x"] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "IDENTITY_UNKNOWN_SCOPE", scopes: ["nope.x"] });
  });

  it("lets a person change their own password only with the current one", async () => {
    const next = "my brand new password";
    const without = await call("alice-token", {
      method: "PATCH",
      url: "/api/users/alice",
      body: { password: next },
    });
    expect(without.statusCode).toBe(400);
    expect(without.json()).toMatchObject({ code: "IDENTITY_CURRENT_PASSWORD_REQUIRED" });
    const wrong = await call("alice-token", {
      method: "PATCH",
      url: "/api/users/alice",
      body: { password: next, current_password: "not my password" },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: "IDENTITY_CURRENT_PASSWORD_WRONG" });
    const right = await call("alice-token", {
      method: "PATCH",
      url: "/api/users/alice",
      body: { name: "Alice A.", password: next, current_password: PASSWORD },
    });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ name: "Alice A." });
    await expect(identity.authenticatePerson("alice", next)).resolves.toMatchObject({ id: "alice" });
  });

  it("lets a person change their own name", async () => {
    const res = await call("bob-token", { method: "PATCH", url: "/api/users/bob", body: { name: "Robert" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: "Robert" });
  });

  it("lets an admin reset a password and disable a person", async () => {
    const res = await call("admin-token", {
      method: "PATCH",
      url: "/api/users/bob",
      body: { password: "reset by the admin", disabled: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ disabled: true });
  });
});

describe("clients", () => {
  beforeEach(seed);

  it("shows a new client's secret once, with no-store", async () => {
    const created = await call("alice-token", {
      method: "POST",
      url: "/api/clients",
      body: { id: "payments-worker", team_id: "payments", name: "Worker", confidential: true },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers["cache-control"]).toBe("no-store");
    const body = created.json();
    expect(body).toMatchObject({
      id: "payments-worker",
      team_id: "payments",
      description: "",
      confidential: true,
      redirect_uris: [],
      scopes: [],
      created_by: "alice",
      secret_rotated_at: expect.any(String),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    await expect(identity.authenticateClient("payments-worker", body.client_secret)).resolves.toBeDefined();
    const read = await call("alice-token", { method: "GET", url: "/api/clients/payments-worker" });
    expect(read.json().client_secret).toBeUndefined();
    expect(read.body).not.toContain(body.client_secret);
    expect(read.body).not.toContain("hash");
  });

  it("creates a public client with redirect URIs and no secret", async () => {
    const res = await call("alice-token", {
      method: "POST",
      url: "/api/clients",
      body: {
        id: "payments-web",
        team_id: "payments",
        name: "Web",
        confidential: false,
        redirect_uris: ["https://payments.example.org/cb"],
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().client_secret).toBeUndefined();
    expect(res.json().secret_rotated_at).toBeNull();
  });

  it("rotates a secret and shows the new one once", async () => {
    const res = await call("alice-token", { method: "POST", url: "/api/clients/payments-api/secret" });
    expect(res.statusCode).toBe(200);
    const secret = res.json().client_secret;
    expect(secret).not.toBe(paymentsApiSecret);
    await expect(identity.authenticateClient("payments-api", secret)).resolves.toBeDefined();
    await expect(identity.authenticateClient("payments-api", paymentsApiSecret)).rejects.toMatchObject({
      code: "IDENTITY_INVALID_CLIENT",
    });
    expect(audit.actions()).toEqual(["client.secret.rotate client/payments-api"]);
  });

  it("shows clients to their team, including the team's own services, and to admins only", async () => {
    const ids = async (token: string, url: string) =>
      (await call(token, { method: "GET", url })).json().items.map((c: { id: string }) => c.id);
    expect(await ids("alice-token", "/api/clients")).toEqual(["payments-api"]);
    expect(await ids("service-token", "/api/clients")).toEqual(["payments-api"]);
    expect(await ids("admin-token", "/api/clients?team=payments")).toEqual(["payments-api"]);
    expect(await ids("bob-token", "/api/clients")).toEqual([]);
    expect(await ids("bob-token", "/api/clients?team=payments")).toEqual([]);
    expect(
      (await call("service-token", { method: "GET", url: "/api/clients/payments-api" })).statusCode,
    ).toBe(200);
    const hidden = await call("bob-token", { method: "GET", url: "/api/clients/payments-api" });
    const missing = await call("bob-token", { method: "GET", url: "/api/clients/no-such-client" });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ code: "IDENTITY_CLIENT_NOT_FOUND" });
    expect(missing.json().code).toBe(hidden.json().code);
  });

  it("lets only admins grant scopes to clients", async () => {
    const byMember = await call("alice-token", {
      method: "PATCH",
      url: "/api/clients/payments-api",
      body: { scopes: ["apps.read"] },
    });
    expect(byMember.statusCode).toBe(403);
    expect(byMember.json()).toMatchObject({ code: "IDENTITY_FORBIDDEN" });
    const createWithScopes = await call("alice-token", {
      method: "POST",
      url: "/api/clients",
      body: { id: "x-api", team_id: "payments", name: "X", confidential: true, scopes: ["apps.read"] },
    });
    expect(createWithScopes.statusCode).toBe(403);
    const byAdmin = await call("admin-token", {
      method: "PATCH",
      url: "/api/clients/payments-api",
      body: { scopes: ["apps.read"], description: "the API" },
    });
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json()).toMatchObject({ scopes: ["apps.read"], description: "the API" });
  });

  it("refuses a member who lacks a scope the client holds: no taking over what an admin granted", async () => {
    await call("admin-token", {
      method: "PATCH",
      url: "/api/clients/payments-api",
      body: { scopes: ["apps.read"] },
    });
    audit.clear();
    for (const request of [
      { method: "POST", url: "/api/clients/payments-api/secret" },
      { method: "PATCH", url: "/api/clients/payments-api", body: { name: "Mine now" } },
      { method: "DELETE", url: "/api/clients/payments-api" },
    ] as const) {
      const res = await call("alice-token", request);
      expect({
        url: `${request.method} ${request.url}`,
        status: res.statusCode,
        code: res.json().code,
      }).toEqual({
        url: `${request.method} ${request.url}`,
        status: 403,
        code: "IDENTITY_FORBIDDEN",
      });
    }
    expect(audit.actions()).toEqual([]);
  });

  it("lets services read their team's clients but change nothing in identity", async () => {
    const rotate = await call("service-token", { method: "POST", url: "/api/clients/payments-api/secret" });
    expect(rotate.statusCode).toBe(403);
    const create = await call("service-token", {
      method: "POST",
      url: "/api/clients",
      body: { id: "side-door", team_id: "payments", name: "Side door", confidential: true },
    });
    expect(create.statusCode).toBe(403);
    expect(audit.actions()).toEqual([]);
  });

  it("reserves client ids starting with charter- for Charter itself, even for admins", async () => {
    const res = await call("admin-token", {
      method: "POST",
      url: "/api/clients",
      body: { id: "charter-console", team_id: "payments", name: "Console?", confidential: false },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "IDENTITY_CLIENT_ID_RESERVED" });
  });

  it("lets a member delete their team's client", async () => {
    const res = await call("alice-token", { method: "DELETE", url: "/api/clients/payments-api" });
    expect(res.statusCode).toBe(204);
    expect(audit.actions()).toEqual(["client.delete client/payments-api"]);
  });
});

/**
 * The rule for an outsider (bob: a person in another team, without charter.admin): a write to
 * something he may read (teams, people) answers 403; a write to something he may not see (another
 * team's client) answers 404, exactly as if it did not exist. Either way nothing changes.
 */
describe("an outsider", () => {
  const writes: Array<[string, Call, 403 | 404]> = [
    ["create a team", { method: "POST", url: "/api/teams", body: { id: "evil", name: "Evil" } }, 403],
    ["change a team", { method: "PATCH", url: "/api/teams/payments", body: { name: "Mine" } }, 403],
    ["delete a team", { method: "DELETE", url: "/api/teams/payments" }, 403],
    ["join a team", { method: "PUT", url: "/api/teams/payments/members/bob" }, 403],
    ["remove a member", { method: "DELETE", url: "/api/teams/payments/members/alice" }, 403],
    [
      "create a person",
      {
        method: "POST",
        url: "/api/users",
        body: { id: "eve", name: "Eve", email: "e@example.org", password: PASSWORD },
      },
      403,
    ],
    ["change another person", { method: "PATCH", url: "/api/users/alice", body: { name: "Mallory" } }, 403],
    [
      "grant himself scopes",
      { method: "PATCH", url: "/api/users/bob", body: { scopes: ["charter.admin"] } },
      403,
    ],
    ["enable or disable himself", { method: "PATCH", url: "/api/users/bob", body: { disabled: false } }, 403],
    [
      "create a client in another team",
      {
        method: "POST",
        url: "/api/clients",
        body: { id: "evil-api", team_id: "payments", name: "E", confidential: true },
      },
      403,
    ],
    [
      "change another team's client",
      { method: "PATCH", url: "/api/clients/payments-api", body: { name: "E" } },
      404,
    ],
    ["delete another team's client", { method: "DELETE", url: "/api/clients/payments-api" }, 404],
    ["rotate another team's client secret", { method: "POST", url: "/api/clients/payments-api/secret" }, 404],
  ];

  // Nothing here may write, and each test checks that nothing did, so one seed serves them all.
  beforeAll(seed);
  beforeEach(() => audit.clear());

  it.each(writes)("cannot %s", async (_what, request, status) => {
    const res = await call("bob-token", request);
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(status === 403 ? "IDENTITY_FORBIDDEN" : "IDENTITY_CLIENT_NOT_FOUND");
    expect(audit.records).toEqual([]);
  });

  it("gets 404, not 403, for a team that does not exist", async () => {
    const res = await call("bob-token", { method: "PATCH", url: "/api/teams/nope", body: { name: "X" } });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("IDENTITY_TEAM_NOT_FOUND");
  });
});

describe("bad input", () => {
  const bad: Array<[string, Call, string]> = [
    [
      "an unknown field",
      { method: "POST", url: "/api/teams", body: { id: "x1", name: "X", owner: "me" } },
      "CORE_UNKNOWN_FIELD",
    ],
    [
      "an over-long name",
      { method: "POST", url: "/api/teams", body: { id: "x1", name: "n".repeat(201) } },
      "CORE_VALIDATION_FAILED",
    ],
    [
      "a bad team id",
      { method: "POST", url: "/api/teams", body: { id: "Bad_Id", name: "X" } },
      "CORE_VALIDATION_FAILED",
    ],
    [
      "a bad AWS account",
      { method: "POST", url: "/api/teams", body: { id: "x1", name: "X", aws_accounts: ["123"] } },
      "CORE_VALIDATION_FAILED",
    ],
    ["an empty change", { method: "PATCH", url: "/api/teams/payments", body: {} }, "CORE_VALIDATION_FAILED"],
    [
      "a bad user id in the path",
      { method: "PUT", url: "/api/teams/payments/members/Bob!" },
      "CORE_VALIDATION_FAILED",
    ],
    [
      "a bad email",
      { method: "PATCH", url: "/api/users/alice", body: { email: "not-an-email" } },
      "CORE_VALIDATION_FAILED",
    ],
    [
      "a short password",
      {
        method: "POST",
        url: "/api/users",
        body: { id: "eve", name: "Eve", email: "e@example.org", password: "short" },
      },
      "IDENTITY_PASSWORD_POLICY",
    ],
    [
      "an http redirect URI",
      {
        method: "POST",
        url: "/api/clients",
        body: {
          id: "w1",
          team_id: "payments",
          name: "W",
          confidential: false,
          redirect_uris: ["http://x.example.org/"],
        },
      },
      "IDENTITY_REDIRECT_URI_INVALID",
    ],
    ["a page too large", { method: "GET", url: "/api/users?limit=501" }, "CORE_VALIDATION_FAILED"],
    ["a forged cursor", { method: "GET", url: "/api/users?cursor=Zm9v_" }, "IDENTITY_INVALID_CURSOR"],
  ];

  beforeAll(seed);
  beforeEach(() => audit.clear());

  it.each(bad)("answers 400 for %s and writes nothing", async (_what, request, code) => {
    const res = await call("admin-token", request);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe(code);
    expect(audit.records).toEqual([]);
  });

  it("answers 415 for a body that is not JSON", async () => {
    const res = await call(
      "admin-token",
      { method: "POST", url: "/api/teams", body: "id=x1&name=X" },
      { "content-type": "application/x-www-form-urlencoded" },
    );
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe("CORE_UNSUPPORTED_MEDIA_TYPE");
    expect(audit.records).toEqual([]);
  });
});

describe("OpenAPI", () => {
  it("documents every identity route with an operation id, a summary and responses", () => {
    const doc = app.swagger() as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations).toHaveLength(17);
    for (const { op } of operations) {
      expect(op.operationId).toEqual(expect.any(String));
      expect(op.summary).toEqual(expect.any(String));
      expect(Object.keys(op.responses as object).length).toBeGreaterThan(1);
    }
  });
});

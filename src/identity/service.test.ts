import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, resetDatabase } from "../../test/support/database.js";
import { ManualClock, type Principal, SYSTEM_ACTOR } from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { IdentityService } from "./service.js";
import { FixedScopeCatalog, fastPasswords, RecordingAuditSink, TEST_SCOPES } from "./testing.js";
import type { ChangeContext } from "./types.js";

const byAdmin: ChangeContext = { actor: { sub: "admin", realm: "employees" } };
const PASSWORD = "a long enough password";

function person(sub: string, scopes: string[] = []): Principal {
  return { sub, realm: "employees", scopes: new Set(scopes) };
}

let handle: DatabaseHandle;
let audit: RecordingAuditSink;
let clock: ManualClock;
let identity: IdentityService;

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  await resetDatabase(handle.db);
  audit = new RecordingAuditSink();
  clock = new ManualClock();
  identity = new IdentityService({
    db: handle.db,
    audit,
    clock,
    scopes: new FixedScopeCatalog(TEST_SCOPES),
    passwords: fastPasswords(),
  });
});

async function seedUser(id: string, extra: { scopes?: string[]; disabled?: boolean } = {}) {
  return identity.createUser(byAdmin, {
    id,
    name: id,
    email: `${id}@example.org`,
    password: PASSWORD,
    ...extra,
  });
}

describe("teams", () => {
  it("creates a team and records the change", async () => {
    const team = await identity.createTeam(byAdmin, {
      id: "payments",
      name: "Payments",
      awsAccounts: ["222222222222", "111111111111"],
    });
    expect(team).toMatchObject({
      id: "payments",
      awsAccounts: ["111111111111", "222222222222"],
      members: [],
      createdBy: "admin",
      createdAt: clock.now(),
    });
    expect(audit.records).toEqual([
      {
        actor: byAdmin.actor,
        action: "team.create",
        target: "team/payments",
        body: { id: "payments", name: "Payments", awsAccounts: ["222222222222", "111111111111"] },
      },
    ]);
  });

  it("refuses a second team with the same id", async () => {
    await identity.createTeam(byAdmin, { id: "payments", name: "Payments" });
    await expect(identity.createTeam(byAdmin, { id: "payments", name: "Other" })).rejects.toMatchObject({
      code: "IDENTITY_TEAM_EXISTS",
    });
    expect(audit.records).toHaveLength(1);
  });

  it("rolls the whole change back when an AWS account belongs to another team", async () => {
    await identity.createTeam(byAdmin, { id: "payments", name: "Payments", awsAccounts: ["111111111111"] });
    await expect(
      identity.createTeam(byAdmin, { id: "search", name: "Search", awsAccounts: ["111111111111"] }),
    ).rejects.toMatchObject({
      code: "IDENTITY_AWS_ACCOUNT_TAKEN",
      extensions: { aws_accounts: ["111111111111"] },
    });
    await expect(identity.getTeam("search")).rejects.toMatchObject({ code: "IDENTITY_TEAM_NOT_FOUND" });
  });

  it("writes nothing when the audit record cannot be written", async () => {
    audit.failNext = true;
    await expect(identity.createTeam(byAdmin, { id: "payments", name: "Payments" })).rejects.toThrow();
    await expect(identity.getTeam("payments")).rejects.toMatchObject({ code: "IDENTITY_TEAM_NOT_FOUND" });
  });

  it("updates fields, replaces AWS accounts and removes the description with null", async () => {
    await identity.createTeam(byAdmin, {
      id: "payments",
      name: "Payments",
      description: "Money",
      awsAccounts: ["111111111111"],
    });
    clock.advance(1000);
    const team = await identity.updateTeam(byAdmin, "payments", {
      description: null,
      awsAccounts: ["333333333333"],
    });
    expect(team.description).toBeUndefined();
    expect(team.awsAccounts).toEqual(["333333333333"]);
    expect(team.modifiedAt).toEqual(clock.now());
    expect(await identity.teamOfAwsAccount("111111111111")).toBeUndefined();
    expect(await identity.teamOfAwsAccount("333333333333")).toBe("payments");
  });

  it("deletes a team only once it has no members and no clients", async () => {
    await identity.createTeam(byAdmin, { id: "payments", name: "Payments" });
    await seedUser("jane");
    await identity.addMember(byAdmin, "payments", "jane");
    await expect(identity.deleteTeam(byAdmin, "payments")).rejects.toMatchObject({
      code: "IDENTITY_TEAM_NOT_EMPTY",
    });
    await identity.removeMember(byAdmin, "payments", "jane");
    await identity.createClient(byAdmin, {
      id: "payments-api",
      teamId: "payments",
      name: "API",
      confidential: true,
    });
    await expect(identity.deleteTeam(byAdmin, "payments")).rejects.toMatchObject({
      code: "IDENTITY_TEAM_NOT_EMPTY",
    });
    await identity.deleteClient(byAdmin, "payments-api");
    await identity.deleteTeam(byAdmin, "payments");
    await expect(identity.getTeam("payments")).rejects.toMatchObject({ code: "IDENTITY_TEAM_NOT_FOUND" });
    expect(audit.actions().at(-1)).toBe("team.delete team/payments");
  });

  it("adds a member once and records only the change", async () => {
    await identity.createTeam(byAdmin, { id: "payments", name: "Payments" });
    await seedUser("jane");
    audit.clear();
    expect(await identity.addMember(byAdmin, "payments", "jane")).toBe(true);
    expect(await identity.addMember(byAdmin, "payments", "jane")).toBe(false);
    expect(audit.records).toEqual([
      { actor: byAdmin.actor, action: "team.member.add", target: "team/payments", body: { user: "jane" } },
    ]);
    expect((await identity.getTeam("payments")).members).toEqual(["jane"]);
    expect((await identity.getUser("jane")).teams).toEqual(["payments"]);
  });

  it("names what is missing when a membership cannot change", async () => {
    await identity.createTeam(byAdmin, { id: "payments", name: "Payments" });
    await seedUser("jane");
    await expect(identity.addMember(byAdmin, "payments", "joe")).rejects.toMatchObject({
      code: "IDENTITY_USER_NOT_FOUND",
    });
    await expect(identity.addMember(byAdmin, "nope", "jane")).rejects.toMatchObject({
      code: "IDENTITY_TEAM_NOT_FOUND",
    });
    await expect(identity.removeMember(byAdmin, "payments", "jane")).rejects.toMatchObject({
      code: "IDENTITY_MEMBER_NOT_FOUND",
    });
  });

  it("pages through teams by id and filters by member", async () => {
    for (const id of ["delta", "alpha", "echo", "charlie", "bravo"]) {
      await identity.createTeam(byAdmin, { id, name: id });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await identity.listTeams({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual(["alpha", "bravo", "charlie", "delta", "echo"]);
    expect(pages).toBe(3);

    await seedUser("jane");
    await identity.addMember(byAdmin, "charlie", "jane");
    expect((await identity.listTeams({ member: "jane" })).items.map((t) => t.id)).toEqual(["charlie"]);
    await expect(identity.listTeams({ cursor: "not a cursor" })).rejects.toMatchObject({
      code: "IDENTITY_INVALID_CURSOR",
    });
  });
});

describe("people", () => {
  it("stores a salted scrypt hash, never the password", async () => {
    await seedUser("jane");
    const row = await handle.db.selectFrom("users").select("password_hash").executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it("leaves the password out of the default audit body", async () => {
    await seedUser("jane");
    expect(audit.records[0]).toMatchObject({ action: "user.create", target: "user/jane" });
    expect(JSON.stringify(audit.records[0])).not.toContain(PASSWORD);
  });

  it("passes the request body to the audit sink as given", async () => {
    const body = { id: "jane", name: "Jane", email: "jane@example.org", password: PASSWORD };
    await identity.createUser({ ...byAdmin, body }, body);
    expect(audit.records[0]?.body).toBe(body);
  });

  it("grants only scopes the catalog knows, naming the unknown ones", async () => {
    await expect(seedUser("jane", { scopes: ["apps.read", "nope.x", "nope.y"] })).rejects.toMatchObject({
      code: "IDENTITY_UNKNOWN_SCOPE",
      extensions: { scopes: ["nope.x", "nope.y"] },
    });
    expect(audit.records).toEqual([]);
    const jane = await seedUser("jane", { scopes: ["apps.write", "apps.read", "apps.read"] });
    expect(jane.scopes).toEqual(["apps.read", "apps.write"]);
  });

  it("refuses a short password and a duplicate id", async () => {
    await expect(
      identity.createUser(byAdmin, { id: "jane", name: "Jane", email: "j@example.org", password: "short" }),
    ).rejects.toMatchObject({ code: "IDENTITY_PASSWORD_POLICY" });
    await seedUser("jane");
    await expect(seedUser("jane")).rejects.toMatchObject({ code: "IDENTITY_USER_EXISTS" });
  });

  it("authenticates a person with the right password", async () => {
    await seedUser("jane", { scopes: ["apps.read"] });
    expect(await identity.authenticatePerson("jane", PASSWORD)).toEqual({
      id: "jane",
      scopes: ["apps.read"],
    });
  });

  it("fails a wrong password, an unknown user and a disabled user alike", async () => {
    await seedUser("jane");
    await seedUser("joe", { disabled: true });
    const failures = await Promise.all([
      identity.authenticatePerson("jane", "the wrong password").catch((e) => e),
      identity.authenticatePerson("nobody", PASSWORD).catch((e) => e),
      identity.authenticatePerson("joe", PASSWORD).catch((e) => e),
    ]);
    for (const failure of failures) {
      expect(failure).toMatchObject({ code: "IDENTITY_INVALID_CREDENTIALS", message: failures[0].message });
      expect(failure.message).not.toContain(PASSWORD);
    }
  });

  it("changes a password only when the current one matches", async () => {
    await seedUser("jane");
    const next = "another long password";
    await expect(
      identity.updateUser(byAdmin, "jane", { password: next, currentPassword: "not the password" }),
    ).rejects.toMatchObject({ code: "IDENTITY_CURRENT_PASSWORD_WRONG" });
    await identity.updateUser(byAdmin, "jane", { password: next, currentPassword: PASSWORD });
    await expect(identity.authenticatePerson("jane", PASSWORD)).rejects.toMatchObject({
      code: "IDENTITY_INVALID_CREDENTIALS",
    });
    expect(await identity.authenticatePerson("jane", next)).toMatchObject({ id: "jane" });
    expect(JSON.stringify(audit.records)).not.toContain(next);
  });

  it("reports an unknown user on update", async () => {
    await expect(identity.updateUser(byAdmin, "nobody", { name: "X" })).rejects.toMatchObject({
      code: "IDENTITY_USER_NOT_FOUND",
    });
  });
});

describe("clients", () => {
  beforeEach(async () => {
    await identity.createTeam(byAdmin, { id: "payments", name: "Payments" });
  });

  it("gives a confidential client a secret once and stores only its SHA-256", async () => {
    const { client, secret } = await identity.createClient(byAdmin, {
      id: "payments-api",
      teamId: "payments",
      name: "Payments API",
      confidential: true,
    });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client).toMatchObject({ confidential: true, secretRotatedAt: clock.now(), description: "" });
    const row = await handle.db.selectFrom("clients").select("secret_hash").executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(createHash("sha256").update(secret!).digest("base64url"));
    expect(JSON.stringify(await identity.getClient("payments-api"))).not.toContain(secret);
  });

  it("authenticates a confidential client only with its secret", async () => {
    const { secret } = await identity.createClient(byAdmin, {
      id: "payments-api",
      teamId: "payments",
      name: "API",
      confidential: true,
      scopes: ["apps.read"],
    });
    expect(await identity.authenticateClient("payments-api", secret!)).toEqual({
      id: "payments-api",
      teamId: "payments",
      confidential: true,
      redirectUris: [],
      scopes: ["apps.read"],
    });
    for (const [id, given] of [
      ["payments-api", undefined],
      ["payments-api", "x".repeat(43)],
      ["nobody", secret],
    ] as const) {
      await expect(identity.authenticateClient(id, given)).rejects.toMatchObject({
        code: "IDENTITY_INVALID_CLIENT",
      });
    }
  });

  it("authenticates a public client without a secret and refuses one that sends a secret", async () => {
    const { client, secret } = await identity.createClient(byAdmin, {
      id: "payments-web",
      teamId: "payments",
      name: "Web",
      confidential: false,
      redirectUris: ["https://payments.example.org/cb"],
    });
    expect(secret).toBeUndefined();
    expect(client.secretRotatedAt).toBeUndefined();
    expect(await identity.authenticateClient("payments-web", undefined)).toMatchObject({
      confidential: false,
      redirectUris: ["https://payments.example.org/cb"],
    });
    await expect(identity.authenticateClient("payments-web", "anything")).rejects.toMatchObject({
      code: "IDENTITY_INVALID_CLIENT",
    });
  });

  it("refuses a redirect URI an authorization server must not send codes to", async () => {
    await expect(
      identity.createClient(byAdmin, {
        id: "payments-web",
        teamId: "payments",
        name: "Web",
        confidential: false,
        redirectUris: ["http://payments.example.org/cb"],
      }),
    ).rejects.toMatchObject({ code: "IDENTITY_REDIRECT_URI_INVALID" });
  });

  it("refuses a client of a team that does not exist, and a duplicate id", async () => {
    await expect(
      identity.createClient(byAdmin, { id: "x-api", teamId: "nope", name: "X", confidential: true }),
    ).rejects.toMatchObject({ code: "IDENTITY_TEAM_NOT_FOUND" });
    await identity.createClient(byAdmin, { id: "x-api", teamId: "payments", name: "X", confidential: true });
    await expect(
      identity.createClient(byAdmin, { id: "x-api", teamId: "payments", name: "X", confidential: true }),
    ).rejects.toMatchObject({ code: "IDENTITY_CLIENT_EXISTS" });
  });

  it("rotates a secret: the old one stops working, the new one works", async () => {
    const created = await identity.createClient(byAdmin, {
      id: "payments-api",
      teamId: "payments",
      name: "API",
      confidential: true,
    });
    clock.advance(60_000);
    const rotated = await identity.rotateClientSecret(byAdmin, "payments-api");
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.client.secretRotatedAt).toEqual(clock.now());
    await expect(identity.authenticateClient("payments-api", created.secret)).rejects.toMatchObject({
      code: "IDENTITY_INVALID_CLIENT",
    });
    await expect(identity.authenticateClient("payments-api", rotated.secret)).resolves.toMatchObject({
      id: "payments-api",
    });
    expect(audit.actions().at(-1)).toBe("client.secret.rotate client/payments-api");
  });

  it("has no secret to rotate for a public client", async () => {
    await identity.createClient(byAdmin, { id: "web", teamId: "payments", name: "Web", confidential: false });
    await expect(identity.rotateClientSecret(byAdmin, "web")).rejects.toMatchObject({
      code: "IDENTITY_CLIENT_NOT_CONFIDENTIAL",
    });
  });

  it("updates a client and lists clients of a team", async () => {
    await identity.createClient(byAdmin, { id: "a-api", teamId: "payments", name: "A", confidential: true });
    const updated = await identity.updateClient(byAdmin, "a-api", {
      description: "does A",
      scopes: ["apps.read"],
      redirectUris: ["https://a.example.org/cb"],
    });
    expect(updated).toMatchObject({ description: "does A", scopes: ["apps.read"] });
    await identity.createTeam(byAdmin, { id: "search", name: "Search" });
    await identity.createClient(byAdmin, { id: "b-api", teamId: "search", name: "B", confidential: true });
    expect((await identity.listClients({ team: "payments" })).items.map((c) => c.id)).toEqual(["a-api"]);
    expect((await identity.listClients({ visibleTeams: ["search"] })).items.map((c) => c.id)).toEqual([
      "b-api",
    ]);
    expect((await identity.listClients({ visibleTeams: [] })).items).toEqual([]);
  });
});

describe("principals and grants", () => {
  beforeEach(async () => {
    await identity.createTeam(byAdmin, { id: "payments", name: "Payments" });
    await seedUser("jane", { scopes: ["apps.read"] });
    await identity.addMember(byAdmin, "payments", "jane");
    await identity.createClient(byAdmin, {
      id: "payments-api",
      teamId: "payments",
      name: "API",
      confidential: true,
      scopes: ["apps.read"],
    });
  });

  it("gives a person their teams and a service its client's team", async () => {
    expect(await identity.teamsOf(person("jane"))).toEqual(["payments"]);
    const service: Principal = { sub: "payments-api", realm: "services", scopes: new Set() };
    expect(await identity.teamsOf(service)).toEqual(["payments"]);
    expect(await identity.isMember(service, "payments")).toBe(true);
    expect(await identity.isMember(person("jane"), "search")).toBe(false);
    expect(await identity.teamsOf({ ...service, sub: "gone" })).toEqual([]);
  });

  it("does not count a person as a service of the same name", async () => {
    const impostor: Principal = { sub: "jane", realm: "services", scopes: new Set() };
    expect(await identity.teamsOf(impostor)).toEqual([]);
  });

  it("drops a disabled person's memberships at once", async () => {
    await identity.updateUser(byAdmin, "jane", { disabled: true });
    expect(await identity.teamsOf(person("jane"))).toEqual([]);
  });

  it("counts who holds a scope", async () => {
    expect(await identity.countScopeGrants("apps.read")).toBe(2);
    expect(await identity.countScopeGrants("apps.write")).toBe(0);
  });
});

describe("bootstrap", () => {
  const options = {
    adminPassword: "the first admin password",
    cliRedirectUris: ["http://127.0.0.1/callback"],
  };

  it("makes the platform team, its admin and the command-line client on an empty database", async () => {
    expect(await identity.bootstrap(options)).toEqual({ created: true });
    expect(await identity.getTeam("platform")).toMatchObject({ members: ["admin"] });
    expect(await identity.getUser("admin")).toMatchObject({
      scopes: ["charter.admin", "charter.audit"],
      teams: ["platform"],
      disabled: false,
    });
    expect(await identity.getClient("charter-cli")).toMatchObject({
      teamId: "platform",
      confidential: false,
      redirectUris: ["http://127.0.0.1/callback"],
    });
    expect(await identity.authenticatePerson("admin", options.adminPassword)).toMatchObject({ id: "admin" });
    expect(await identity.authenticateClient("charter-cli", undefined)).toMatchObject({ id: "charter-cli" });
    expect(audit.actions()).toEqual([
      "team.create team/platform",
      "user.create user/admin",
      "team.member.add team/platform",
      "client.create client/charter-cli",
    ]);
    expect(audit.records.every((r) => r.actor === SYSTEM_ACTOR)).toBe(true);
    expect(JSON.stringify(audit.records)).not.toContain(options.adminPassword);
  });

  it("does nothing once admin exists, even when replicas start together", async () => {
    const results = await Promise.all([identity.bootstrap(options), identity.bootstrap(options)]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(await identity.bootstrap({ ...options, adminPassword: "some other password" })).toEqual({
      created: false,
    });
    expect(await identity.authenticatePerson("admin", options.adminPassword)).toMatchObject({ id: "admin" });
    expect(audit.records).toHaveLength(4);
  });

  it("refuses a short admin password", async () => {
    await expect(identity.bootstrap({ ...options, adminPassword: "short" })).rejects.toMatchObject({
      code: "IDENTITY_PASSWORD_POLICY",
    });
  });
});

describe("ensurePublicClient", () => {
  const CONSOLE = "https://charter.example.org/callback";

  beforeEach(async () => {
    await identity.bootstrap({ adminPassword: "the first admin password", cliRedirectUris: [] });
    audit.records.length = 0;
  });

  it("creates the client once and then leaves it, and its audit trail, alone", async () => {
    expect(await identity.ensurePublicClient("charter-console", "Console", [CONSOLE])).toBe("created");
    expect(await identity.ensurePublicClient("charter-console", "Console", [CONSOLE])).toBe("unchanged");
    expect(await identity.getClient("charter-console")).toMatchObject({
      teamId: "platform",
      confidential: false,
      redirectUris: [CONSOLE],
    });
    expect(audit.actions()).toEqual(["client.create client/charter-console"]);
    expect(audit.records.every((r) => r.actor === SYSTEM_ACTOR)).toBe(true);
  });

  it("replaces the redirect URIs when the public URL changed", async () => {
    await identity.ensurePublicClient("charter-console", "Console", ["https://old.example.org/callback"]);
    expect(await identity.ensurePublicClient("charter-console", "Console", [CONSOLE])).toBe("updated");
    expect((await identity.getClient("charter-console")).redirectUris).toEqual([CONSOLE]);
  });

  it("refuses to take over a confidential client and an invalid redirect URI", async () => {
    await identity.createClient(byAdmin, { id: "taken", teamId: "platform", name: "x", confidential: true });
    await expect(identity.ensurePublicClient("taken", "Console", [CONSOLE])).rejects.toMatchObject({
      code: "IDENTITY_CLIENT_EXISTS",
    });
    await expect(
      identity.ensurePublicClient("charter-console", "Console", ["http://localhost/callback"]),
    ).rejects.toMatchObject({ code: "IDENTITY_REDIRECT_URI_INVALID" });
  });
});

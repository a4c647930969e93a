import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase, testEngines } from "../../test/support/database.js";
import type { DatabaseHandle } from "../db/index.js";
import { IdentityStore } from "./store.js";

const at = new Date("2026-01-02T03:04:05.678Z");

function team(id: string) {
  return { id, name: id.toUpperCase(), createdAt: at, createdBy: "admin", modifiedAt: at };
}

function user(id: string, scopes: string[] = [], disabled = false) {
  return {
    id,
    name: id,
    email: `${id}@example.org`,
    passwordHash: "scrypt$x",
    scopes,
    disabled,
    createdAt: at,
  };
}

function client(id: string, teamId: string, scopes: string[] = []) {
  return {
    id,
    teamId,
    name: id,
    description: "",
    confidential: true,
    secretHash: "hash",
    redirectUris: ["https://app.example.org/cb"],
    scopes,
    createdAt: at,
    createdBy: "admin",
    secretRotatedAt: at,
  };
}

describe.each(testEngines())("IdentityStore contract: $name", (engine) => {
  let handle: DatabaseHandle;
  let store: IdentityStore;

  beforeAll(async () => {
    handle = await engine.create();
    store = new IdentityStore(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await resetDatabase(handle.db);
  });

  it("round-trips a team, leaving an absent description absent", async () => {
    expect(await store.insertTeam(team("payments"))).toBe(true);
    expect(await store.insertTeam(team("payments"))).toBe(false);
    expect(await store.findTeam("payments")).toEqual({
      id: "payments",
      name: "PAYMENTS",
      awsAccounts: [],
      createdAt: at,
      createdBy: "admin",
      modifiedAt: at,
    });
    expect(await store.findTeam("nope")).toBeUndefined();
  });

  it("gives each AWS account to one team only", async () => {
    await store.insertTeam(team("a1"));
    await store.insertTeam(team("b1"));
    expect(await store.replaceAwsAccounts("a1", ["222222222222", "111111111111"])).toEqual([]);
    expect(await store.replaceAwsAccounts("b1", ["111111111111", "333333333333"])).toEqual(["111111111111"]);
    expect((await store.findTeam("a1"))?.awsAccounts).toEqual(["111111111111", "222222222222"]);
    expect(await store.teamOfAwsAccount("333333333333")).toBe("b1");
    expect(await store.replaceAwsAccounts("a1", [])).toEqual([]);
    expect(await store.teamOfAwsAccount("111111111111")).toBeUndefined();
  });

  it("pages by id in byte order on every engine", async () => {
    const ids = ["ab", "a_b", "a0", "a.b", "a-b", "b"];
    for (const id of ids) await store.insertUser(user(id));
    const first = await store.listUsers({ limit: 3 });
    const rest = await store.listUsers({ after: first[2]!.id, limit: 10 });
    expect([...first, ...rest].map((u) => u.id)).toEqual(["a-b", "a.b", "a0", "a_b", "ab", "b"]);
  });

  it("round-trips arrays and reports a user's teams, sorted", async () => {
    await store.insertUser(user("jane", ["apps.write", "apps.read"]));
    await store.insertTeam(team("zeta"));
    await store.insertTeam(team("alpha"));
    expect(await store.addMember("zeta", "jane", at)).toBe(true);
    expect(await store.addMember("alpha", "jane", at)).toBe(true);
    expect(await store.addMember("alpha", "jane", at)).toBe(false);
    expect(await store.findUser("jane")).toMatchObject({
      scopes: ["apps.write", "apps.read"],
      teams: ["alpha", "zeta"],
    });
    expect(await store.listTeams({ limit: 10, member: "jane" })).toHaveLength(2);
    expect(await store.listTeams({ limit: 10, member: "joe" })).toHaveLength(0);
  });

  it("counts no teams for a disabled user", async () => {
    await store.insertUser(user("jane"));
    await store.insertUser(user("joe", [], true));
    await store.insertTeam(team("alpha"));
    await store.addMember("alpha", "jane", at);
    await store.addMember("alpha", "joe", at);
    expect(await store.teamsOfActiveUser("jane")).toEqual(["alpha"]);
    expect(await store.teamsOfActiveUser("joe")).toEqual([]);
    expect(await store.membersOf("alpha")).toEqual(["jane", "joe"]);
  });

  it("lists clients of the given teams only", async () => {
    await store.insertTeam(team("alpha"));
    await store.insertTeam(team("beta"));
    await store.insertClient(client("alpha-api", "alpha"));
    await store.insertClient(client("beta-api", "beta"));
    expect((await store.listClients({ limit: 10 })).map((c) => c.id)).toEqual(["alpha-api", "beta-api"]);
    expect((await store.listClients({ limit: 10, teams: ["beta"] })).map((c) => c.id)).toEqual(["beta-api"]);
    expect(await store.listClients({ limit: 10, teams: [] })).toEqual([]);
    expect((await store.listClients({ limit: 10, team: "alpha" })).map((c) => c.id)).toEqual(["alpha-api"]);
  });

  it("keeps the secret hash out of a client and in its credentials", async () => {
    await store.insertTeam(team("alpha"));
    await store.insertClient(client("alpha-api", "alpha"));
    const found = await store.findClient("alpha-api");
    expect(found).toMatchObject({
      teamId: "alpha",
      secretRotatedAt: at,
      redirectUris: ["https://app.example.org/cb"],
    });
    expect(JSON.stringify(found)).not.toContain("hash");
    expect((await store.findClientCredentials("alpha-api"))?.secretHash).toBe("hash");
  });

  it("counts the users and clients that hold a scope", async () => {
    await store.insertTeam(team("alpha"));
    await store.insertUser(user("jane", ["apps.read"]));
    await store.insertUser(user("joe", ["apps.read", "apps.write"]));
    await store.insertClient(client("alpha-api", "alpha", ["apps.read"]));
    expect(await store.countScopeGrants("apps.read")).toBe(3);
    expect(await store.countScopeGrants("apps.write")).toBe(1);
    expect(await store.countScopeGrants("apps")).toBe(0);
  });

  it("counts a team's dependents and refuses to delete a team with members", async () => {
    await store.insertTeam(team("alpha"));
    await store.insertUser(user("jane"));
    await store.addMember("alpha", "jane", at);
    expect(await store.countTeamDependents("alpha")).toEqual({ members: 1, clients: 0 });
    await expect(store.deleteTeam("alpha")).rejects.toThrow();
    await store.removeMember("alpha", "jane");
    expect(await store.deleteTeam("alpha")).toBe(true);
  });
});

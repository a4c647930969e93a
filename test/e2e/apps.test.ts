/**
 * The four-eyes path through the whole control plane with real tokens: a team registers an
 * application and a version, two people of the team approve it, and it becomes deployable; the
 * version's creator does not count toward a two-person type, and an outsider cannot approve.
 */
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordToken, startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from "../support/server.js";

const PASSWORD = "e2e-apps-password-0123";
const ARTIFACT = `registry.example.com/payments/checkout:2.3.0@sha256:${"e".repeat(64)}`;
const STATUS = "/api/apps/checkout/versions/2.3.0/approval-status";
const APPROVALS = "/api/apps/checkout/versions/2.3.0/approvals";

let t: TestServer;
const tokens: Record<string, string> = {};

const call = (who: string, method: InjectOptions["method"], url: string, payload?: object) =>
  t.server.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[who]}` },
    ...(payload === undefined ? {} : { payload }),
  });

beforeAll(async () => {
  t = await startTestServer();
  tokens.admin = await passwordToken(t.server, "admin", TEST_ADMIN_PASSWORD);
  for (const team of ["payments", "search"]) {
    expect((await call("admin", "POST", "/api/teams", { id: team, name: team })).statusCode).toBe(201);
  }
  for (const [user, team] of [
    ["creator", "payments"],
    ["reviewer", "payments"],
    ["tester", "payments"],
    ["outsider", "search"],
  ] as const) {
    const body = { id: user, name: user, email: `${user}@example.com`, password: PASSWORD };
    expect((await call("admin", "POST", "/api/users", body)).statusCode).toBe(201);
    expect((await call("admin", "PUT", `/api/teams/${team}/members/${user}`)).statusCode).toBe(204);
    tokens[user] = await passwordToken(t.server, user, PASSWORD);
  }
});
afterAll(async () => t?.close());

describe("an application's way to a deployable version", () => {
  it("registers the application and its version", async () => {
    const app = await call("creator", "PUT", "/api/apps/checkout", {
      team_id: "payments",
      name: "Checkout",
      description: "Takes the customer's money.",
      scm_url: "https://git.example.com/payments/checkout",
      criticality_level: 2,
    });
    expect(app.statusCode).toBe(201);
    const version = await call("creator", "PUT", "/api/apps/checkout/versions/2.3.0", {
      artifact: ARTIFACT,
      notes: "New payment provider",
    });
    expect(version.statusCode).toBe(201);
    expect((await call("outsider", "GET", STATUS)).json()).toMatchObject({ deployable: false });
  });

  it("refuses the outsider's approval", async () => {
    const refused = await call("outsider", "POST", APPROVALS, { type: "DEPLOY" });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("APPS_FORBIDDEN");
  });

  it("does not count the creator's approval toward a two-person type", async () => {
    expect((await call("creator", "POST", APPROVALS, { type: "CODE_CHANGE" })).statusCode).toBe(201);
    expect((await call("reviewer", "POST", APPROVALS, { type: "CODE_CHANGE" })).statusCode).toBe(201);
    const status = (await call("admin", "GET", STATUS)).json();
    expect(status.missing).toContainEqual({ type: "CODE_CHANGE", needed: 2, have: 1 });
  });

  it("is deployable once two people of the team gave each required approval", async () => {
    expect((await call("tester", "POST", APPROVALS, { type: "CODE_CHANGE" })).statusCode).toBe(201);
    for (const type of ["TEST", "DEPLOY"]) {
      for (const who of ["reviewer", "tester"]) {
        expect((await call(who, "POST", APPROVALS, { type, notes: `${who} agrees` })).statusCode).toBe(201);
      }
    }
    expect((await call("reviewer", "POST", APPROVALS, { type: "SPECIFICATION" })).statusCode).toBe(201);
    const status = await call("outsider", "GET", STATUS);
    expect(status.json()).toEqual({
      app_id: "checkout",
      version_id: "2.3.0",
      criticality_level: 2,
      deployable: true,
      missing: [],
    });
    const approvals = (await call("outsider", "GET", APPROVALS)).json().items;
    expect(approvals).toHaveLength(8);
    expect(approvals[0]).toMatchObject({ user: "creator", type: "CODE_CHANGE" });
    expect(approvals[0].declaration.length).toBeGreaterThan(10);
  });

  it("leaves every change in the audit log", async () => {
    const entries = await call("admin", "GET", "/api/audit?limit=100");
    const actions = entries.json().items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === "app.approval.create")).toHaveLength(8);
    expect(actions).toEqual(expect.arrayContaining(["app.create", "app.version.create"]));
  });
});

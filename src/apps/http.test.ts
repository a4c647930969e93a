import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  passwordToken,
  startTestServer,
  TEST_ADMIN_PASSWORD,
  type TestServer,
} from "../../test/support/server.js";

// One control plane for the file, with real tokens: team alpha (ann, bob, cat), team beta (ben).
let t: TestServer;
let admin: string;
let ann: string;
let bob: string;
let ben: string;

const PASSWORD = "a long enough password";
const DIGEST = `sha256:${"a".repeat(64)}`;
const ARTIFACT = `registry.example.com/alpha/shop:1.0@${DIGEST}`;

const inject = (options: InjectOptions) => t.server.app.inject(options);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const as = (token: string, method: InjectOptions["method"], url: string, payload?: object) =>
  inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

async function person(id: string, team: string): Promise<string> {
  expect(
    (await as(admin, "POST", "/api/users", { id, name: id, email: `${id}@example.com`, password: PASSWORD }))
      .statusCode,
  ).toBe(201);
  expect((await as(admin, "PUT", `/api/teams/${team}/members/${id}`)).statusCode).toBe(204);
  return passwordToken(t.server, id, PASSWORD);
}

async function auditActions(target: string): Promise<string[]> {
  const rows = await t.server.db
    .selectFrom("audit_entries")
    .select(["action"])
    .where("target", "=", target)
    .orderBy("seq")
    .execute();
  return rows.map((r: { action: string }) => r.action);
}

beforeAll(async () => {
  t = await startTestServer();
  admin = await passwordToken(t.server, "admin", TEST_ADMIN_PASSWORD);
  for (const team of ["alpha", "beta"]) {
    expect((await as(admin, "POST", "/api/teams", { id: team, name: team })).statusCode).toBe(201);
  }
  ann = await person("ann", "alpha");
  bob = await person("bob", "alpha");
  ben = await person("ben", "beta");
  const shop = await as(ann, "PUT", "/api/apps/shop", {
    team_id: "alpha",
    name: "Shop",
    subtitle: "Sells things",
    description: "The **checkout** and the basket of the web shop.",
    scm_url: "https://git.example.com/alpha/shop",
    criticality_level: 1,
  });
  expect(shop.statusCode).toBe(201);
  expect((await as(ann, "PUT", "/api/apps/shop/versions/1.0", { artifact: ARTIFACT })).statusCode).toBe(201);
});
afterAll(async () => t?.close());

describe("applications", () => {
  it("creates with 201, replaces with 200, stamps who and when, and audits both", async () => {
    const body = { team_id: "alpha", name: "Ledger" };
    const created = await as(ann, "PUT", "/api/apps/ledger", body);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: "ledger",
      criticality_level: 2,
      active: true,
      publicly_accessible: false,
      subtitle: null,
      created_by: "ann",
      modified_by: "ann",
    });
    const replaced = await as(bob, "PUT", "/api/apps/ledger", { ...body, name: "Ledger 2", active: false });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({
      name: "Ledger 2",
      active: false,
      created_by: "ann",
      modified_by: "bob",
    });
    expect(await auditActions("app/ledger")).toEqual(["app.create", "app.update"]);
  });

  it("refuses an id that is not a slug and a team that does not exist", async () => {
    expect((await as(admin, "PUT", "/api/apps/Bad_Id", { team_id: "alpha", name: "x" })).statusCode).toBe(
      400,
    );
    const noTeam = await as(admin, "PUT", "/api/apps/orphan", { team_id: "nobody", name: "x" });
    expect(noTeam.json()).toMatchObject({ status: 404, code: "APPS_TEAM_NOT_FOUND" });
  });

  it("keeps team beta from creating or changing team alpha's applications", async () => {
    const create = await as(ben, "PUT", "/api/apps/intruder", { team_id: "alpha", name: "x" });
    expect(create.json()).toMatchObject({ status: 403, code: "APPS_FORBIDDEN" });
    const change = await as(ben, "PUT", "/api/apps/shop", { team_id: "beta", name: "Mine now" });
    expect(change.json()).toMatchObject({ status: 403, code: "APPS_FORBIDDEN" });
    expect((await as(ben, "GET", "/api/apps/shop")).json()).toMatchObject({ team_id: "alpha", name: "Shop" });
  });

  it("moves an application only for someone in both teams, or an admin", async () => {
    expect((await as(ann, "PUT", "/api/apps/mover", { team_id: "alpha", name: "Mover" })).statusCode).toBe(
      201,
    );
    const refused = await as(ann, "PUT", "/api/apps/mover", { team_id: "beta", name: "Mover" });
    expect(refused.json()).toMatchObject({ status: 403, code: "APPS_FORBIDDEN" });
    const moved = await as(admin, "PUT", "/api/apps/mover", { team_id: "beta", name: "Mover" });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().team_id).toBe("beta");
  });

  it("lists by id with a cursor, and filters by team, active and modified_since", async () => {
    const first = (await as(ben, "GET", "/api/apps?limit=1")).json();
    expect(first.items).toHaveLength(1);
    const second = (await as(ben, "GET", `/api/apps?limit=1&cursor=${first.next_cursor}`)).json();
    expect(second.items[0].id > first.items[0].id).toBe(true);
    const alpha = (await as(ben, "GET", "/api/apps?team=alpha&active=true")).json();
    expect(alpha.items.map((a: { id: string }) => a.id)).toContain("shop");
    expect(
      alpha.items.every((a: { team_id: string; active: boolean }) => a.team_id === "alpha" && a.active),
    ).toBe(true);
    const changed = (await as(ben, "GET", "/api/apps?limit=1&modified_since=2000-01-01T00:00:00Z")).json();
    const next = (
      await as(
        ben,
        "GET",
        `/api/apps?limit=1&modified_since=2000-01-01T00:00:00Z&cursor=${changed.next_cursor}`,
      )
    ).json();
    expect(next.items[0].modified_at >= changed.items[0].modified_at).toBe(true);
    expect(next.items[0].id).not.toBe(changed.items[0].id);
    const future = (await as(ben, "GET", "/api/apps?modified_since=2999-01-01T00:00:00Z")).json();
    expect(future.items).toEqual([]);
  });

  it("searches id, name, subtitle and description, ranked, with the matching snippet", async () => {
    const page = (await as(ben, "GET", "/api/apps?search=checkout")).json();
    expect(page.items[0]).toMatchObject({ id: "shop" });
    expect(page.items[0].matched_rank).toBeGreaterThan(0);
    expect(page.items[0].matched_description).toContain("<b>checkout</b>");
    expect((await as(ben, "GET", "/api/apps?search=shop")).json().items[0].id).toBe("shop");
    expect((await as(ben, "GET", "/api/apps?search=zzzunknown")).json().items).toEqual([]);
  });
});

describe("versions", () => {
  it("are immutable: the same PUT is 200, another artifact 409, and only the notes change", async () => {
    const again = await as(ann, "PUT", "/api/apps/shop/versions/1.0", { artifact: ARTIFACT });
    expect(again.statusCode).toBe(200);
    const other = await as(ann, "PUT", "/api/apps/shop/versions/1.0", {
      artifact: `registry.example.com/alpha/shop:1.1@sha256:${"b".repeat(64)}`,
    });
    expect(other.json()).toMatchObject({ status: 409, code: "APPS_VERSION_IMMUTABLE" });
    const notes = await as(ann, "PUT", "/api/apps/shop/versions/1.0", { artifact: ARTIFACT, notes: "Fixes" });
    expect(notes.json()).toMatchObject({ notes: "Fixes", artifact: ARTIFACT, created_by: "ann" });
  });

  it("refuses a bare tag with its own code", async () => {
    const bare = await as(ann, "PUT", "/api/apps/shop/versions/2.0", {
      artifact: "registry.example.com/alpha/shop:2.0",
    });
    expect(bare.json()).toMatchObject({ status: 400, code: "APPS_ARTIFACT_DIGEST_REQUIRED" });
    const junk = await as(ann, "PUT", "/api/apps/shop/versions/2.0", { artifact: "not an image" });
    expect(junk.json()).toMatchObject({ status: 400, code: "APPS_ARTIFACT_INVALID" });
  });

  it("keeps team beta from registering team alpha's versions", async () => {
    const refused = await as(ben, "PUT", "/api/apps/shop/versions/9.9", { artifact: ARTIFACT });
    expect(refused.json()).toMatchObject({ status: 403, code: "APPS_FORBIDDEN" });
    expect((await as(ben, "GET", "/api/apps/shop/versions/9.9")).statusCode).toBe(404);
  });

  it("lists an application's versions and 404s for an unknown application", async () => {
    expect((await as(ben, "GET", "/api/apps/shop/versions")).json().items[0]).toMatchObject({ id: "1.0" });
    expect((await as(ben, "GET", "/api/apps/nope/versions")).json().code).toBe("APPS_APP_NOT_FOUND");
  });
});

describe("approvals", () => {
  it("keeps team beta, services and repeated approvals out", async () => {
    const outsider = await as(ben, "POST", "/api/apps/shop/versions/1.0/approvals", { type: "TEST" });
    expect(outsider.json()).toMatchObject({ status: 403, code: "APPS_FORBIDDEN" });
    const first = await as(bob, "POST", "/api/apps/shop/versions/1.0/approvals", {
      type: "TEST",
      notes: "ok",
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ user: "bob", type: "TEST", notes: "ok" });
    expect(first.json().declaration).toMatch(/tested/);
    const twice = await as(bob, "POST", "/api/apps/shop/versions/1.0/approvals", { type: "TEST" });
    expect(twice.json()).toMatchObject({ status: 409, code: "APPS_APPROVAL_EXISTS" });
    const unknown = await as(bob, "POST", "/api/apps/shop/versions/1.0/approvals", { type: "NO_SUCH" });
    expect(unknown.json().code).toBe("APPS_APPROVAL_TYPE_NOT_FOUND");
    expect(await auditActions("app/shop/version/1.0")).toContain("app.approval.create");
  });

  it("refuses approvals from services", async () => {
    const client = await as(admin, "POST", "/api/clients", {
      id: "alpha-ci",
      team_id: "alpha",
      name: "CI",
      confidential: true,
    });
    const secret = client.json().client_secret as string;
    const token = await inject({
      method: "POST",
      url: "/oauth2/access_token",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`alpha-ci:${secret}`).toString("base64")}`,
      },
      payload: "grant_type=client_credentials",
    });
    const service = token.json().access_token as string;
    const refused = await as(service, "POST", "/api/apps/shop/versions/1.0/approvals", { type: "DEPLOY" });
    expect(refused.json()).toMatchObject({ status: 403, code: "APPS_APPROVER_NOT_PERSON" });
    // A service of the team may register versions, as a build pipeline does.
    expect((await as(service, "PUT", "/api/apps/shop/versions/1.1", { artifact: ARTIFACT })).statusCode).toBe(
      201,
    );
  });

  it("answers the status the deployment tool asks for", async () => {
    const status = (await as(ben, "GET", "/api/apps/shop/versions/1.0/approval-status")).json();
    expect(status).toMatchObject({
      app_id: "shop",
      version_id: "1.0",
      criticality_level: 1,
      deployable: false,
    });
    expect(status.missing).toContainEqual({ type: "TEST", needed: 2, have: 1 });
  });
});

describe("approval types and policy", () => {
  it("lets only admins define, change and delete types; built-ins stay", async () => {
    const types = (await as(ben, "GET", "/api/approval-types")).json().items.map((x: { id: string }) => x.id);
    expect(types).toEqual(expect.arrayContaining(["SPECIFICATION", "CODE_CHANGE", "TEST", "DEPLOY"]));
    const body = { id: "SECURITY", declaration: "I reviewed the threat model." };
    expect((await as(ann, "POST", "/api/approval-types", body)).json().code).toBe("APPS_FORBIDDEN");
    expect((await as(admin, "POST", "/api/approval-types", body)).statusCode).toBe(201);
    expect((await as(admin, "POST", "/api/approval-types", body)).json().code).toBe(
      "APPS_APPROVAL_TYPE_EXISTS",
    );
    expect((await as(ann, "PUT", "/api/approval-types/SECURITY", { declaration: "x" })).statusCode).toBe(403);
    const changed = await as(admin, "PUT", "/api/approval-types/SECURITY", { declaration: "New text." });
    expect(changed.statusCode).toBe(200);
    expect((await as(ann, "DELETE", "/api/approval-types/SECURITY")).statusCode).toBe(403);
    expect((await as(admin, "DELETE", "/api/approval-types/TEST")).json().code).toBe(
      "APPS_APPROVAL_TYPE_BUILT_IN",
    );
    expect((await as(admin, "DELETE", "/api/approval-types/SECURITY")).statusCode).toBe(204);
    expect((await as(ben, "GET", "/api/approval-types/SECURITY")).statusCode).toBe(404);
    expect(await auditActions("approval-type/SECURITY")).toEqual([
      "approval-type.create",
      "approval-type.update",
      "approval-type.delete",
    ]);
  });

  it("serves the default policy and lets only admins change a level, audited", async () => {
    const policy = (await as(ben, "GET", "/api/approval-policy")).json();
    expect(policy.levels).toHaveLength(4);
    expect(policy.levels[0].requirements).toContainEqual({ type: "CODE_CHANGE", approvers: 2 });
    expect(policy.levels[3].requirements).toContainEqual({ type: "DEPLOY", approvers: 1 });
    const level4 = { requirements: [{ type: "DEPLOY", approvers: 1 }] };
    expect((await as(ann, "PUT", "/api/approval-policy/4", level4)).json().code).toBe("APPS_FORBIDDEN");
    const changed = await as(admin, "PUT", "/api/approval-policy/4", level4);
    expect(changed.json()).toEqual({ level: 4, ...level4 });
    const unknown = await as(admin, "PUT", "/api/approval-policy/4", {
      requirements: [{ type: "NOPE", approvers: 1 }],
    });
    expect(unknown.json().code).toBe("APPS_APPROVAL_TYPE_NOT_FOUND");
    expect(await auditActions("approval-policy/4")).toEqual(["approval-policy.update"]);
  });
});

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { type AuditRecord, type AuditSink, ManualClock, type Principal } from "../core/index.js";
import type { Database, DatabaseHandle } from "../db/index.js";
import { AuthorizedAppsService } from "./authorized-service.js";
import { AppsService } from "./service.js";

class RecordingAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  failNext = false;
  async append(_tx: Database, record: AuditRecord): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("audit sink failed");
    }
    this.records.push(record);
  }
}

const person = (sub: string, admin = false): Principal => ({
  sub,
  realm: "employees",
  scopes: new Set(admin ? ["charter.admin"] : []),
});
const TEAMS: Record<string, string[]> = { ann: ["alpha"], bob: ["alpha"], cat: ["alpha"], ben: ["beta"] };
const ARTIFACT = `registry.example.com/alpha/shop:1@sha256:${"c".repeat(64)}`;

let handle: DatabaseHandle;
let audit: RecordingAuditSink;
let service: AppsService;
let apps: AuthorizedAppsService;

beforeAll(async () => {
  handle = await createTestDatabase();
  const now = new Date();
  for (const team of ["alpha", "beta"]) {
    await sql`insert into teams (id, name, created_at, created_by, modified_at) values (${team}, ${team}, ${now}, 'test', ${now})`.execute(
      handle.db,
    );
  }
  audit = new RecordingAuditSink();
  service = new AppsService({ db: handle.db, audit, clock: new ManualClock() });
  apps = new AuthorizedAppsService(service, { teamsOf: async (p) => TEAMS[p.sub] ?? [] });
});
afterAll(async () => handle?.close());

async function versionOf(appId: string, level: 1 | 2 | 3 | 4, creator = "ann"): Promise<void> {
  await apps.putApp(person(creator), appId, { teamId: "alpha", name: appId, criticalityLevel: level });
  await apps.putVersion(person(creator), appId, "1", { artifact: ARTIFACT });
}

describe("approval status", () => {
  it("never counts the version's creator toward a type that needs two people", async () => {
    await versionOf("four-eyes", 1);
    for (const type of ["SPECIFICATION", "CODE_CHANGE", "TEST", "DEPLOY"]) {
      await apps.approve(person("ann"), "four-eyes", "1", { type });
      await apps.approve(person("bob"), "four-eyes", "1", { type });
    }
    const status = await service.approvalStatus("four-eyes", "1");
    expect(status.deployable).toBe(false);
    expect(status.missing).toEqual([
      { type: "CODE_CHANGE", needed: 2, have: 1 },
      { type: "DEPLOY", needed: 2, have: 1 },
      { type: "TEST", needed: 2, have: 1 },
    ]);
    for (const type of ["CODE_CHANGE", "TEST", "DEPLOY"])
      await apps.approve(person("cat"), "four-eyes", "1", { type });
    expect(await service.approvalStatus("four-eyes", "1")).toMatchObject({ deployable: true, missing: [] });
  });

  it("counts the creator toward a type that needs one person", async () => {
    await versionOf("low-risk", 3);
    for (const type of ["CODE_CHANGE", "TEST", "DEPLOY"])
      await apps.approve(person("ann"), "low-risk", "1", { type });
    expect(await service.approvalStatus("low-risk", "1")).toMatchObject({
      deployable: true,
      criticalityLevel: 3,
    });
  });

  it("follows the policy as data: a changed level changes what is missing", async () => {
    await versionOf("policy-led", 4);
    expect((await service.approvalStatus("policy-led", "1")).missing).toHaveLength(3);
    await apps.putPolicyLevel(person("root", true), 4, [{ type: "DEPLOY", approvers: 1 }]);
    expect((await service.approvalStatus("policy-led", "1")).missing).toEqual([
      { type: "DEPLOY", needed: 1, have: 0 },
    ]);
    await expect(service.approvalStatus("policy-led", "nope")).rejects.toMatchObject({
      code: "APPS_VERSION_NOT_FOUND",
    });
  });

  it("copies the declaration as it read at approval time", async () => {
    await versionOf("declared", 3);
    await apps.putApprovalType(person("root", true), "TEST", "Old words.", true);
    const approval = await apps.approve(person("bob"), "declared", "1", { type: "TEST" });
    await apps.putApprovalType(person("root", true), "TEST", "New words.", true);
    expect(approval.declaration).toBe("Old words.");
    expect((await service.listApprovals("declared", "1"))[0]?.declaration).toBe("Old words.");
    const record = audit.records.findLast((r) => r.action === "app.approval.create");
    expect(record?.body).toMatchObject({ type: "TEST", declaration: "Old words." });
  });
});

describe("search", () => {
  it("pages ranked results by cursor and refuses a cursor it did not make", async () => {
    for (const id of ["quill-a", "quill-b", "quill-c"]) {
      await apps.putApp(person("ann"), id, { teamId: "alpha", name: id, description: "writes quillwork" });
    }
    const first = await service.listApps({ search: "quillwork", limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await service.listApps({ search: "quillwork", limit: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
    const ids = [...first.items, ...second.items].map((a) => a.id).sort();
    expect(ids).toEqual(["quill-a", "quill-b", "quill-c"]);
    await expect(service.listApps({ search: "quillwork", cursor: "cXVpbGwtYQ" })).rejects.toMatchObject({
      code: "APPS_INVALID_CURSOR",
    });
  });
});

describe("changes and the audit log", () => {
  it("commit together: a failing audit append leaves no application behind", async () => {
    audit.failNext = true;
    await expect(apps.putApp(person("ann"), "ghost", { teamId: "alpha", name: "Ghost" })).rejects.toThrow(
      "audit sink failed",
    );
    await expect(service.getApp("ghost")).rejects.toMatchObject({ code: "APPS_APP_NOT_FOUND" });
  });

  it("records the previous team when an application moves", async () => {
    await apps.putApp(person("ann"), "moving", { teamId: "alpha", name: "Moving" });
    await apps.putApp(person("root", true), "moving", { teamId: "beta", name: "Moving" });
    expect(audit.records.at(-1)).toMatchObject({
      action: "app.update",
      target: "app/moving",
      body: { teamId: "beta", previous_team_id: "alpha" },
    });
  });
});

describe("authorization at the service level", () => {
  it("refuses team beta every write to team alpha's application", async () => {
    await versionOf("guarded", 3);
    const ben = person("ben");
    await expect(apps.putApp(ben, "guarded", { teamId: "alpha", name: "x" })).rejects.toMatchObject({
      code: "APPS_FORBIDDEN",
    });
    await expect(apps.putVersion(ben, "guarded", "2", { artifact: ARTIFACT })).rejects.toMatchObject({
      code: "APPS_FORBIDDEN",
    });
    await expect(apps.approve(ben, "guarded", "1", { type: "TEST" })).rejects.toMatchObject({
      code: "APPS_FORBIDDEN",
    });
    await expect(apps.putApprovalType(ben, "X", "x", true)).rejects.toMatchObject({ code: "APPS_FORBIDDEN" });
    await expect(apps.putPolicyLevel(ben, 1, [])).rejects.toMatchObject({ code: "APPS_FORBIDDEN" });
    await expect(apps.deleteApprovalType(ben, "X")).rejects.toMatchObject({ code: "APPS_FORBIDDEN" });
  });

  it("refuses to delete a type the policy requires", async () => {
    const root = person("root", true);
    await apps.putApprovalType(root, "PEN_TEST", "Pen-tested.", false);
    await apps.putPolicyLevel(root, 2, [{ type: "PEN_TEST", approvers: 1 }]);
    await expect(apps.deleteApprovalType(root, "PEN_TEST")).rejects.toMatchObject({
      code: "APPS_APPROVAL_TYPE_IN_USE",
    });
  });
});

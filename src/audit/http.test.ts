import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { FileSecretBox } from "../cloud/index.js";
import {
  ADMIN_SCOPE,
  CoreErrors,
  createHttpApp,
  createLogger,
  type HttpApp,
  ManualClock,
  type Principal,
} from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { AuditCheckpointer } from "./audit-checkpointer.js";
import { AuditLog } from "./audit-log.js";
import { AUDIT_READ_SCOPE, AuthorizedAuditService } from "./authorized-service.js";
import { auditHttp } from "./http.js";
import { AuditService } from "./service.js";
import type { AuditExportLine } from "./types.js";
import { verifyAuditExport } from "./verify-audit-export.js";

const principals: Record<string, Principal> = {
  auditor: { sub: "anna", realm: "employees", scopes: new Set([AUDIT_READ_SCOPE]) },
  admin: { sub: "root", realm: "employees", scopes: new Set([ADMIN_SCOPE]) },
  developer: { sub: "dev", realm: "employees", scopes: new Set(["uid"]) },
};

describe("audit HTTP", () => {
  let handle: DatabaseHandle;
  let app: HttpApp;

  const get = (url: string, who?: keyof typeof principals) =>
    app.inject({ method: "GET", url, headers: who === undefined ? {} : { authorization: `Bearer ${who}` } });

  beforeAll(async () => {
    handle = await createTestDatabase();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const checkpointer = new AuditCheckpointer({
      db: handle.db,
      secretBox: FileSecretBox.fromKey(randomBytes(32)),
      clock,
      everyEntries: 4,
    });
    const log = new AuditLog({ clock });
    const records = [
      { actor: { sub: "jane", realm: "employees" }, action: "team.create", target: "team/platform" },
      { actor: { sub: "jane", realm: "employees" }, action: "team.member.add", target: "team/platform" },
      { actor: { sub: "ci", realm: "services" }, action: "app.create", target: "app/billing" },
      { actor: { sub: "jane", realm: "employees" }, action: "team.update", target: "team/payments" },
      { actor: { sub: "ci", realm: "services" }, action: "app.version.create", target: "app/billing/1.0" },
    ];
    for (const record of records) {
      clock.advance(60_000);
      await handle.db.transaction().execute((tx) => log.append(tx, { ...record, body: { password: "x" } }));
    }
    await checkpointer.checkpointIfDue();

    app = await createHttpApp({
      logger: createLogger({ level: "silent" }),
      authenticate: async (token) => {
        const principal = principals[token];
        if (principal === undefined) throw CoreErrors.CORE_UNAUTHENTICATED("unknown token");
        return principal;
      },
    });
    const service = new AuditService({ db: handle.db, clock });
    await app.register(auditHttp({ audit: new AuthorizedAuditService(service) }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await handle?.close();
  });

  it("lists entries oldest first for an auditor", async () => {
    const response = await get("/api/audit", "auditor");
    expect(response.statusCode).toBe(200);
    const page = response.json();
    expect(page.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page.next_cursor).toBeNull();
    expect(page.items[0]).toMatchObject({
      actor_sub: "jane",
      actor_realm: "employees",
      action: "team.create",
    });
  });

  it("filters by actor, action prefix, target prefix and time", async () => {
    const seqs = async (query: string) =>
      (await get(`/api/audit?${query}`, "admin")).json().items.map((e: { seq: number }) => e.seq);
    expect(await seqs("actor=ci")).toEqual([3, 5]);
    expect(await seqs("action=team.*")).toEqual([1, 2, 4]);
    expect(await seqs("action=team.create")).toEqual([1]);
    expect(await seqs("action=team")).toEqual([]);
    expect(await seqs("target=app/billing*")).toEqual([3, 5]);
    expect(await seqs("actor=jane&target=team/platform")).toEqual([1, 2]);
    expect(await seqs("from=2026-01-01T00:02:00.000Z&to=2026-01-01T00:04:00.000Z")).toEqual([2, 3]);
  });

  it("answers AUDIT_INVALID_QUERY for a date-time that Date cannot represent", async () => {
    for (const query of ["from=2016-12-31T23:59:60Z", "to=2016-12-31T23:59:60Z"]) {
      const response = await get(`/api/audit?${query}`, "auditor");
      expect(response.statusCode, query).toBe(400);
      expect(response.json()).toMatchObject({ code: "AUDIT_INVALID_QUERY", field: query.split("=")[0] });
    }
  });

  it("takes a literal % or _ in a prefix literally", async () => {
    expect((await get("/api/audit?action=team_*", "admin")).json().items).toEqual([]);
  });

  it("pages forward and backward with next_cursor", async () => {
    const first = (await get("/api/audit?limit=2", "auditor")).json();
    expect(first.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(first.next_cursor).toBe(2);
    const second = (await get(`/api/audit?limit=2&after_seq=${first.next_cursor}`, "auditor")).json();
    expect(second.items.map((e: { seq: number }) => e.seq)).toEqual([3, 4]);
    const last = (await get("/api/audit?limit=3&order=desc&before_seq=3", "auditor")).json();
    expect(last).toMatchObject({ next_cursor: null });
    expect(last.items.map((e: { seq: number }) => e.seq)).toEqual([2, 1]);
  });

  it("rejects a limit above 1000 and unknown filters", async () => {
    expect((await get("/api/audit?limit=1001", "auditor")).json().code).toBe("CORE_VALIDATION_FAILED");
    expect((await get("/api/audit?user=jane", "auditor")).json().code).toBe("CORE_UNKNOWN_FIELD");
  });

  it("shows a caller without the audit scope an empty list and 404 for export and verify", async () => {
    expect((await get("/api/audit", "developer")).json()).toEqual({ items: [], next_cursor: null });
    for (const url of ["/api/audit/export", "/api/audit/verify"]) {
      const response = await get(url, "developer");
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe("AUDIT_NOT_FOUND");
    }
    expect((await get("/api/audit")).statusCode).toBe(401);
  });

  it("exports JSON lines that verify offline", async () => {
    const response = await get("/api/audit/export", "auditor");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    const lines = response.body.trimEnd().split("\n");
    const kinds = lines.map((line) => (JSON.parse(line) as AuditExportLine).kind);
    expect(kinds).toEqual(["export", "key", "entry", "entry", "entry", "entry", "entry", "checkpoint"]);
    expect(await verifyAuditExport(lines)).toMatchObject({ ok: true, entries: 5, last_checkpoint_seq: 5 });
  });

  it("exports from a given seq", async () => {
    const response = await get("/api/audit/export?from_seq=4", "auditor");
    const lines = response.body.trimEnd().split("\n");
    expect(lines.filter((line) => line.includes('"kind":"entry"'))).toHaveLength(2);
    expect(await verifyAuditExport(lines)).toMatchObject({ ok: true, from_seq: 4, entries: 2 });
  });

  it("verifies server-side", async () => {
    const response = await get("/api/audit/verify", "admin");
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      ok: true,
      entries: 5,
      checkpoints: 1,
      from_seq: 1,
      last_seq: 5,
      last_checkpoint_seq: 5,
      uncovered_entries: 0,
    });
  });

  it("publishes the checkpoint keys without a token", async () => {
    const response = await get("/api/audit/keys");
    expect(response.statusCode).toBe(200);
    const { keys } = response.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
  });

  it("documents every route in the OpenAPI document", () => {
    const paths = (app.swagger() as { paths: Record<string, { get?: { operationId?: string } }> }).paths;
    expect(Object.keys(paths).filter((p) => p.startsWith("/api/audit"))).toEqual(
      expect.arrayContaining(["/api/audit", "/api/audit/export", "/api/audit/verify", "/api/audit/keys"]),
    );
    expect(paths["/api/audit/export"]?.get?.operationId).toBe("exportAudit");
  });
});

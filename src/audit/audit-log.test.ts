import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase, testEngines } from "../../test/support/database.js";
import { ManualClock, SYSTEM_ACTOR } from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { AuditLog } from "./audit-log.js";
import { bodySha256, EMPTY_BODY_SHA256 } from "./body-digest.js";
import { GENESIS_HASH } from "./entry-hash.js";
import { AuditService } from "./service.js";

const actor = { sub: "jane.doe", realm: "employees" };

describe.each(testEngines())("AuditLog on $name", (engine) => {
  let handle: DatabaseHandle;
  let clock: ManualClock;
  let log: AuditLog;
  let service: AuditService;

  beforeAll(async () => {
    handle = await engine.create();
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await resetDatabase(handle.db);
    clock = new ManualClock(Date.UTC(2026, 2, 1, 12, 0, 0, 123));
    log = new AuditLog({ clock });
    service = new AuditService({ db: handle.db, clock });
  });

  it("stores the first entry with the genesis link, the clock's time and the body digest", async () => {
    await handle.db
      .transaction()
      .execute((tx) =>
        log.append(tx, { actor, action: "team.create", target: "team/platform", body: { id: "platform" } }),
      );
    const { items } = await service.list();
    expect(items).toEqual([
      expect.objectContaining({
        seq: 1,
        at: "2026-03-01T12:00:00.123Z",
        actor_sub: "jane.doe",
        actor_realm: "employees",
        action: "team.create",
        target: "team/platform",
        body_sha256: bodySha256({ id: "platform" }),
        prev_hash: GENESIS_HASH,
      }),
    ]);
    expect(items[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hashes an absent body as the empty string", async () => {
    await handle.db
      .transaction()
      .execute((tx) => log.append(tx, { actor: SYSTEM_ACTOR, action: "x.y", target: "t" }));
    const { items } = await service.list();
    expect(items[0]!.body_sha256).toBe(EMPTY_BODY_SHA256);
  });

  it("makes a gapless, valid chain from concurrent transactions", async () => {
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        handle.db.transaction().execute(async (tx) => {
          await sql`select ${i}`.execute(tx);
          await log.append(tx, { actor, action: "app.update", target: `app/a${i}`, body: { i } });
          await sql`select pg_sleep(0.001)`.execute(tx);
        }),
      ),
    );
    const { items } = await service.list({ limit: 100 });
    expect(items.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(new Set(items.map((e) => e.target)).size).toBe(24);
    const report = await service.verify();
    expect(report).toMatchObject({ ok: true, entries: 24, last_seq: 24, uncovered_entries: 24 });
  });

  it("leaves no entry behind when the change's transaction rolls back", async () => {
    await expect(
      handle.db.transaction().execute(async (tx) => {
        await log.append(tx, { actor, action: "team.delete", target: "team/platform" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect((await service.list()).items).toEqual([]);
    await handle.db
      .transaction()
      .execute((tx) => log.append(tx, { actor, action: "team.create", target: "t" }));
    expect((await service.list()).items.map((e) => e.seq)).toEqual([1]);
  });

  it("refuses entries through ordinary UPDATE and DELETE", async () => {
    await handle.db
      .transaction()
      .execute((tx) => log.append(tx, { actor, action: "team.create", target: "t" }));
    await expect(sql`update audit_entries set action = 'x.y'`.execute(handle.db)).rejects.toThrow();
    await expect(sql`delete from audit_entries`.execute(handle.db)).rejects.toThrow();
  });

  it("refuses to append outside a transaction", async () => {
    await expect(log.append(handle.db, { actor, action: "team.create", target: "t" })).rejects.toMatchObject({
      code: "AUDIT_INVALID_RECORD",
    });
  });

  it("rejects a record with an empty action", async () => {
    await expect(
      handle.db.transaction().execute((tx) => log.append(tx, { actor, action: "", target: "t" })),
    ).rejects.toMatchObject({ code: "AUDIT_INVALID_RECORD" });
  });
});

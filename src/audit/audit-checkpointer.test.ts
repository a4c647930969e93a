import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetDatabase, testEngines } from "../../test/support/database.js";
import { FileSecretBox } from "../cloud/index.js";
import { Duration, ManualClock } from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { AuditCheckpointer } from "./audit-checkpointer.js";
import { AuditLog } from "./audit-log.js";
import { CHECKPOINT_KEY_CONTEXT } from "./checkpoint-keyring.js";
import { jwkThumbprint } from "./checkpoint-signature.js";
import { AuditService } from "./service.js";

const actor = { sub: "jane.doe", realm: "employees" };

describe.each(testEngines())("AuditCheckpointer on $name", (engine) => {
  let handle: DatabaseHandle;
  let clock: ManualClock;
  let box: FileSecretBox;
  let checkpointer: AuditCheckpointer;
  let log: AuditLog;
  let service: AuditService;

  const append = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await handle.db
        .transaction()
        .execute((tx) => log.append(tx, { actor, action: "app.update", target: `app/a${i}` }));
    }
  };
  const checkpointCount = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from audit_checkpoints`.execute(handle.db)).rows[0]!
      .n;

  beforeAll(async () => {
    handle = await engine.create();
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await resetDatabase(handle.db);
    clock = new ManualClock();
    box = FileSecretBox.fromKey(randomBytes(32));
    checkpointer = new AuditCheckpointer({
      db: handle.db,
      secretBox: box,
      clock,
      everyEntries: 5,
      interval: Duration.minutes(5),
    });
    log = new AuditLog({ clock, checkpointer });
    service = new AuditService({ db: handle.db, clock });
  });

  it("signs nothing while too few entries are unsigned and the interval has not passed", async () => {
    expect(await checkpointer.checkpointIfDue()).toBeUndefined();
    await append(4);
    clock.advance(Duration.minutes(4).milliseconds);
    expect(await checkpointer.checkpointIfDue()).toBeUndefined();
    expect(await checkpointCount()).toBe(0);
  });

  it("signs the newest entry once everyEntries are unsigned", async () => {
    await append(5);
    const checkpoint = await checkpointer.checkpointIfDue();
    const head = (await service.list({ order: "desc", limit: 1 })).items[0]!;
    expect(checkpoint).toMatchObject({ seq: 5, entry_hash: head.hash, at: clock.now().toISOString() });
    expect(await service.verify()).toMatchObject({
      ok: true,
      checkpoints: 1,
      last_checkpoint_seq: 5,
      uncovered_entries: 0,
    });
    expect(await checkpointer.checkpointIfDue()).toBeUndefined();
  });

  it("signs by time once the interval has passed and there are new entries", async () => {
    await append(2);
    clock.advance(Duration.minutes(5).milliseconds - 1);
    expect(await checkpointer.checkpointIfDue()).toBeUndefined();
    clock.advance(1);
    expect(await checkpointer.checkpointIfDue()).toMatchObject({ seq: 2 });

    clock.advance(Duration.minutes(30).milliseconds);
    expect(await checkpointer.checkpointIfDue()).toBeUndefined();
    await append(1);
    expect(await checkpointer.checkpointIfDue()).toMatchObject({ seq: 3 });
    await append(1);
    clock.advance(Duration.minutes(4).milliseconds);
    expect(await checkpointer.checkpointIfDue()).toBeUndefined();
  });

  it("makes one signing key, keeps its private half sealed and publishes the public half", async () => {
    await append(5);
    await checkpointer.checkpointIfDue();
    await append(5);
    const second = await checkpointer.checkpointIfDue();
    const keys = await service.publicKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.key_id).toBe(jwkThumbprint(keys[0]!.jwk));
    expect(second!.key_id).toBe(keys[0]!.key_id);
    const row = await handle.db
      .selectFrom("audit_keys")
      .select("sealed_private_key")
      .executeTakeFirstOrThrow();
    const der = await box.open(row.sealed_private_key, CHECKPOINT_KEY_CONTEXT);
    expect(der.length).toBeGreaterThan(32);
    await expect(box.open(row.sealed_private_key, "another.context")).rejects.toThrow();
  });

  it("lets only one of two concurrent checkers sign", async () => {
    await append(5);
    const other = new AuditCheckpointer({ db: handle.db, secretBox: box, clock, everyEntries: 5 });
    const results = await Promise.all([checkpointer.checkpointIfDue(), other.checkpointIfDue()]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await checkpointCount()).toBe(1);
  });

  it("refuses to sign a segment whose entries no longer hash", async () => {
    await append(3);
    await sql`alter table audit_entries disable trigger audit_entries_append_only`.execute(handle.db);
    try {
      await sql`update audit_entries set target = 'app/other' where seq = 2`.execute(handle.db);
    } finally {
      await sql`alter table audit_entries enable trigger audit_entries_append_only`.execute(handle.db);
    }
    clock.advance(Duration.minutes(10).milliseconds);
    await expect(checkpointer.checkpointIfDue()).rejects.toMatchObject({
      code: "AUDIT_CHAIN_BROKEN",
      extensions: { seq: 2, reason: "ENTRY_HASH_MISMATCH" },
    });
    expect(await checkpointCount()).toBe(0);
  });

  it("checks right after an append reaches everyEntries while started", async () => {
    const started = new AuditCheckpointer({
      db: handle.db,
      secretBox: box,
      clock,
      everyEntries: 3,
      checkEvery: Duration.hours(1),
    });
    log = new AuditLog({ clock, checkpointer: started });
    started.start();
    try {
      // The fourth append asks again once the third has surely committed.
      await append(4);
      await vi.waitFor(async () => expect(await checkpointCount()).toBe(1), { timeout: 10_000 });
    } finally {
      await started.stop();
    }
  });

  it("validates its options eagerly", () => {
    expect(() => new AuditCheckpointer({ db: handle.db, secretBox: box, clock, everyEntries: 0 })).toThrow(
      expect.objectContaining({ code: "AUDIT_INVALID_OPTIONS" }),
    );
  });
});

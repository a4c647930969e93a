import { generateKeyPairSync, randomBytes } from "node:crypto";
import { type RawBuilder, sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase, testEngines } from "../../test/support/database.js";
import { FileSecretBox } from "../cloud/index.js";
import { ManualClock } from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { AuditCheckpointer } from "./audit-checkpointer.js";
import { AuditLog } from "./audit-log.js";
import { jwkThumbprint, signCheckpoint } from "./checkpoint-signature.js";
import { entryHash } from "./entry-hash.js";
import { AuditService } from "./service.js";
import type { AuditEntry } from "./types.js";
import { verifyAuditExport } from "./verify-audit-export.js";

const actor = { sub: "jane.doe", realm: "employees" };

/**
 * Twelve entries with checkpoints at 5 and 10, then tampering the way someone with direct
 * database access (who can switch the append-only triggers off) would do it.
 */
describe.each(testEngines())("tamper evidence on $name", (engine) => {
  let handle: DatabaseHandle;
  let service: AuditService;

  const tamper = async (...statements: RawBuilder<unknown>[]) => {
    await handle.db.transaction().execute(async (tx) => {
      await sql`alter table audit_entries disable trigger audit_entries_append_only`.execute(tx);
      await sql`alter table audit_checkpoints disable trigger audit_checkpoints_append_only`.execute(tx);
      for (const statement of statements) await statement.execute(tx);
      await sql`alter table audit_entries enable trigger audit_entries_append_only`.execute(tx);
      await sql`alter table audit_checkpoints enable trigger audit_checkpoints_append_only`.execute(tx);
    });
  };

  beforeAll(async () => {
    handle = await engine.create();
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await resetDatabase(handle.db);
    const clock = new ManualClock();
    const checkpointer = new AuditCheckpointer({
      db: handle.db,
      secretBox: FileSecretBox.fromKey(randomBytes(32)),
      clock,
      everyEntries: 5,
    });
    const log = new AuditLog({ clock });
    service = new AuditService({ db: handle.db, clock });
    for (let i = 1; i <= 12; i++) {
      clock.advance(1_000);
      await handle.db
        .transaction()
        .execute((tx) => log.append(tx, { actor, action: "team.update", target: `team/t${i}`, body: { i } }));
      if (i % 5 === 0) expect(await checkpointer.checkpointIfDue()).toMatchObject({ seq: i });
    }
  });

  it("verifies the untouched chain, and says how much of it is not yet signed", async () => {
    expect(await service.verify()).toEqual({
      ok: true,
      entries: 12,
      checkpoints: 2,
      from_seq: 1,
      last_seq: 12,
      last_checkpoint_seq: 10,
      uncovered_entries: 2,
    });
  });

  it("names an entry whose action was altered", async () => {
    await tamper(sql`update audit_entries set action = 'team.read' where seq = 7`);
    expect((await service.verify()).first_broken).toMatchObject({ seq: 7, reason: "ENTRY_HASH_MISMATCH" });
  });

  it("names an entry whose target was altered, also in a downloaded export", async () => {
    await tamper(sql`update audit_entries set target = 'team/other' where seq = 3`);
    const text: string[] = [];
    for await (const line of service.exportLines()) text.push(JSON.stringify(line));
    const report = await verifyAuditExport(text.join("\n").split("\n"));
    expect(report.ok).toBe(false);
    expect(report.first_broken).toMatchObject({ seq: 3, reason: "ENTRY_HASH_MISMATCH" });
  });

  it("names the gap a deleted entry leaves", async () => {
    await tamper(sql`delete from audit_entries where seq = 7`);
    expect((await service.verify()).first_broken).toMatchObject({ seq: 7, reason: "SEQUENCE_GAP" });
  });

  it("notices history rewritten with recomputed hashes through the signed checkpoint", async () => {
    const rows = await service.list({ limit: 12 });
    let prev = rows.items[1]!.hash;
    const rewritten: AuditEntry[] = [];
    for (const entry of rows.items.slice(2)) {
      const fields = { ...entry, action: entry.seq === 3 ? "team.read" : entry.action, prev_hash: prev };
      const hash = entryHash(fields);
      rewritten.push({ ...fields, hash });
      prev = hash;
    }
    await tamper(
      ...rewritten.map(
        (e) =>
          sql`update audit_entries set action = ${e.action}, prev_hash = ${e.prev_hash}, hash = ${e.hash} where seq = ${e.seq}`,
      ),
    );
    expect((await service.verify()).first_broken).toMatchObject({ seq: 5, reason: "CHECKPOINT_MISMATCH" });
  });

  it("notices a cut-off tail that a checkpoint covers", async () => {
    await tamper(sql`delete from audit_entries where seq >= 8`);
    const report = await service.verify();
    expect(report.first_broken).toMatchObject({ seq: 8, reason: "TAIL_TRUNCATED" });
  });

  it("cannot notice a cut-off tail that no checkpoint covers yet", async () => {
    await tamper(sql`delete from audit_entries where seq > 10`);
    expect(await service.verify()).toMatchObject({ ok: true, last_seq: 10, uncovered_entries: 0 });
  });

  it("detects a forged checkpoint signature", async () => {
    const [, second] = (
      await sql<{ signature: string }>`select signature from audit_checkpoints order by seq`.execute(
        handle.db,
      )
    ).rows;
    await tamper(sql`update audit_checkpoints set signature = ${second!.signature} where seq = 5`);
    expect((await service.verify()).first_broken).toMatchObject({
      seq: 5,
      reason: "CHECKPOINT_SIGNATURE_INVALID",
    });
  });

  it("detects a checkpoint signed by a key someone added, when keys are pinned", async () => {
    const trusted = (await service.publicKeys()).map((k) => k.key_id);
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const jwk = publicKey.export({ format: "jwk" });
    const keyId = jwkThumbprint({ kty: "OKP", crv: "Ed25519", x: jwk.x! });
    const entry12 = (await service.list({ order: "desc", limit: 1 })).items[0]!;
    const statement = { seq: 12, entry_hash: entry12.hash, at: "2026-01-01T01:00:00.000Z", key_id: keyId };
    await tamper(
      sql`insert into audit_keys values (${keyId}, ${JSON.stringify({ kty: "OKP", crv: "Ed25519", x: jwk.x })}, ${Buffer.alloc(1)}, now())`,
      sql`insert into audit_checkpoints (seq, entry_hash, at, key_id, signature)
          values (12, ${statement.entry_hash}, ${statement.at}, ${keyId}, ${signCheckpoint(statement, privateKey)})`,
    );
    expect((await service.verify()).ok).toBe(true);
    const pinned = await verifyAuditExport(service.exportLines(), { trustedKeyIds: trusted });
    expect(pinned.first_broken).toMatchObject({ seq: 12, reason: "CHECKPOINT_SIGNATURE_INVALID" });
  });
});

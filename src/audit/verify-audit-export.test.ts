import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jwkThumbprint, signCheckpoint } from "./checkpoint-signature.js";
import { entryHash, GENESIS_HASH } from "./entry-hash.js";
import type { AuditEntry, AuditExportLine } from "./types.js";
import { verifyAuditExport } from "./verify-audit-export.js";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const jwk = { kty: "OKP" as const, crv: "Ed25519" as const, x: publicKey.export({ format: "jwk" }).x! };
const keyId = jwkThumbprint(jwk);

function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields = {
      seq,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      actor_sub: "jane.doe",
      actor_realm: "employees",
      action: "team.update",
      target: `team/t${seq}`,
      body_sha256: "a".repeat(64),
      prev_hash: prev,
    };
    prev = entryHash(fields);
    entries.push({ ...fields, hash: prev });
  }
  return entries;
}

function exportOf(entries: AuditEntry[], checkpointAt: number[] = [], fromSeq = 1): AuditExportLine[] {
  const lines: AuditExportLine[] = [
    { kind: "export", format: 1, from_seq: fromSeq, generated_at: "2026-01-02T00:00:00.000Z" },
    { kind: "key", key_id: keyId, jwk, created_at: "2026-01-01T00:00:00.000Z" },
  ];
  for (const entry of entries) {
    lines.push({ kind: "entry", ...entry });
    if (checkpointAt.includes(entry.seq)) {
      const statement = { seq: entry.seq, entry_hash: entry.hash, at: entry.at, key_id: keyId };
      lines.push({
        kind: "checkpoint",
        id: entry.seq,
        ...statement,
        signature: signCheckpoint(statement, privateKey),
      });
    }
  }
  return lines;
}

const text = (lines: AuditExportLine[]) => lines.map((line) => JSON.stringify(line));

describe("verifyAuditExport", () => {
  it("accepts an intact export given as text lines, blank lines included", async () => {
    const report = await verifyAuditExport([...text(exportOf(chain(6), [3])), ""]);
    expect(report).toEqual({
      ok: true,
      entries: 6,
      checkpoints: 1,
      from_seq: 1,
      last_seq: 6,
      last_checkpoint_seq: 3,
      uncovered_entries: 3,
    });
  });

  it("accepts an empty log", async () => {
    expect(await verifyAuditExport([])).toMatchObject({ ok: true, entries: 0, last_seq: null });
  });

  it("names the first broken entry and its line, and goes on counting", async () => {
    const lines = exportOf(chain(5));
    lines[3] = { ...(lines[3] as AuditExportLine & { kind: "entry" }), actor_sub: "mallory" };
    const report = await verifyAuditExport(lines);
    expect(report).toMatchObject({
      ok: false,
      entries: 5,
      first_broken: { seq: 2, reason: "ENTRY_HASH_MISMATCH", line: 4 },
    });
  });

  it("notices an entry replaced by a self-consistent one that does not link", async () => {
    const entries = chain(4);
    const { hash: _, ...fields } = { ...entries[2]!, prev_hash: "b".repeat(64) };
    entries[2] = { ...fields, hash: entryHash(fields) };
    expect((await verifyAuditExport(exportOf(entries))).first_broken).toMatchObject({
      seq: 3,
      reason: "PREV_HASH_MISMATCH",
    });
  });

  it("reports missing first entries when the export claims to start at 1", async () => {
    const lines = exportOf(chain(4)).filter((line) => !(line.kind === "entry" && line.seq <= 2));
    expect((await verifyAuditExport(lines)).first_broken).toMatchObject({ seq: 1, reason: "SEQUENCE_GAP" });
  });

  it("takes a partial export's first link on trust, or checks it against a known entry", async () => {
    const entries = chain(6);
    const partial = exportOf(entries.slice(3), [], 4);
    expect(await verifyAuditExport(partial)).toMatchObject({ ok: true, from_seq: 4, entries: 3 });
    const anchored = await verifyAuditExport(partial, { after: { seq: 3, hash: entries[2]!.hash } });
    expect(anchored.ok).toBe(true);
    const wrong = await verifyAuditExport(partial, { after: { seq: 3, hash: "c".repeat(64) } });
    expect(wrong.first_broken).toMatchObject({ seq: 4, reason: "PREV_HASH_MISMATCH" });
  });

  it("rejects checkpoints of keys that are not trusted or whose id is not their thumbprint", async () => {
    const lines = exportOf(chain(3), [2]);
    expect((await verifyAuditExport(lines, { trustedKeyIds: ["other"] })).first_broken).toMatchObject({
      seq: 2,
      reason: "CHECKPOINT_SIGNATURE_INVALID",
    });
    lines[1] = { kind: "key", key_id: "not-the-thumbprint", jwk, created_at: "2026-01-01T00:00:00.000Z" };
    expect((await verifyAuditExport(lines)).first_broken).toMatchObject({
      reason: "MALFORMED_EXPORT",
      line: 2,
    });
  });

  it("rejects a line that is not JSON or not an export line", async () => {
    const lines = text(exportOf(chain(2)));
    expect(
      (await verifyAuditExport([...lines.slice(0, 3), "{oops", ...lines.slice(3)])).first_broken,
    ).toMatchObject({
      reason: "MALFORMED_EXPORT",
      line: 4,
    });
    expect((await verifyAuditExport([...lines, '{"kind":"entry","seq":3}'])).first_broken).toMatchObject({
      reason: "MALFORMED_EXPORT",
      line: 5,
    });
  });

  it("reads a checkpoint that comes before the entry it covers", async () => {
    const lines = exportOf(chain(3), [2]);
    const checkpoint = lines.splice(4, 1)[0]!;
    lines.splice(2, 0, checkpoint);
    expect(await verifyAuditExport(lines)).toMatchObject({ ok: true, last_checkpoint_seq: 2 });
  });
});

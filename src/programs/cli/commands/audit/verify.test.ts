import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryHash, GENESIS_HASH } from "../../../../audit/index.js";
import { ExitCode } from "../../cli-error.js";
import { runCli } from "../../run-cli.js";
import { memoryIo } from "../../testing/memory-io.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "charter-verify-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** An export of `count` correctly chained entries, without checkpoints. */
function exportLines(count: number): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [
    { kind: "export", format: 1, from_seq: 1, generated_at: "2026-01-01T12:00:00.000Z" },
  ];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const fields = {
      seq,
      at: "2026-01-01T12:00:00.000Z",
      actor_sub: "admin",
      actor_realm: "employees",
      action: "team.create",
      target: `team/t${seq}`,
      body_sha256: "0".repeat(64),
      prev_hash: prev,
    };
    prev = entryHash(fields);
    lines.push({ kind: "entry", ...fields, hash: prev });
  }
  return lines;
}

async function verify(lines: Record<string, unknown>[], ...flags: string[]) {
  const file = join(dir, `export-${Math.random().toString(36).slice(2)}.ndjson`);
  await writeFile(file, lines.map((l) => JSON.stringify(l)).join("\n"));
  const io = memoryIo({ env: { CHARTER_CONFIG_DIR: dir } });
  const code = await runCli(["audit", "verify", "--file", file, ...flags], io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe("charter audit verify --file", () => {
  it("says ok for an intact chain", async () => {
    const { code, stdout, stderr } = await verify(exportLines(3));
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toBe("ok: 3 entries (seq 1-3), none signed by a checkpoint yet\n");
    expect(stderr).toBe("");
  });

  it("names the first broken seq and the reason, exit 1", async () => {
    const lines = exportLines(3);
    lines[2] = { ...lines[2], target: "team/renamed" };
    const { code, stdout, stderr } = await verify(lines);
    expect(code).toBe(ExitCode.error);
    expect(stdout).toMatch(/^broken: seq 2: ENTRY_HASH_MISMATCH: /);
    expect(stderr).toMatch(/^charter: the audit log is broken at seq 2 \(ENTRY_HASH_MISMATCH\)/);
  });

  it("reports a deleted entry as a gap", async () => {
    const lines = exportLines(3).filter((l) => l.seq !== 2);
    const { code, stdout } = await verify(lines, "--json");
    expect(code).toBe(ExitCode.error);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, first_broken: { seq: 2, reason: "SEQUENCE_GAP" } });
  });

  it("explains a file that cannot be read", async () => {
    const io = memoryIo({ env: { CHARTER_CONFIG_DIR: dir } });
    const code = await runCli(["audit", "verify", "--file", join(dir, "missing.ndjson")], io);
    expect(code).toBe(ExitCode.error);
    expect(io.stderrText()).toContain("ENOENT");
  });
});

import type { KeyObject } from "node:crypto";
import { checkpointSignatureValid, jwkThumbprint, publicKeyOf } from "./checkpoint-signature.js";
import { entryHash, GENESIS_HASH } from "./entry-hash.js";
import type {
  AuditBreak,
  AuditBreakReason,
  AuditCheckpoint,
  AuditEntry,
  AuditExportLine,
  AuditPublicKey,
  AuditVerifyReport,
} from "./types.js";

export interface VerifyAuditExportOptions {
  /**
   * Key ids (RFC 7638 thumbprints) whose checkpoints count; default every key the export lists.
   * Pin them (from `GET /api/audit/keys`, fetched earlier or elsewhere) so that a checkpoint signed
   * by a key someone added to the database is reported too.
   */
  readonly trustedKeyIds?: Iterable<string>;
  /**
   * The entry just before the first exported one, when an earlier verification established it; the
   * first entry must then link to it. Without it an export from `from_seq > 1` takes its first
   * `prev_hash` on trust.
   */
  readonly after?: { readonly seq: number; readonly hash: string };
}

/**
 * Checks an audit export line by line: every entry's hash recomputes, links to the previous one and
 * follows it without a gap; every checkpoint is signed by a listed (and trusted) key and names the
 * hash the chain has at its seq; no checkpoint covers entries that are missing from the end. Reads
 * the lines once, in order, keeping only the last entry and the checkpoints still ahead of it, so it
 * runs over an export of any size. It touches no database: the CLI runs it over a file or a
 * download, the server over its own export.
 *
 * @param lines JSON text lines (blank ones are skipped) or already parsed lines, as
 *   `GET /api/audit/export` writes them.
 * @example
 * const report = await verifyAuditExport(readline.createInterface({ input: createReadStream(file) }));
 * if (!report.ok) console.error(report.first_broken);
 */
export async function verifyAuditExport(
  lines: AsyncIterable<string | AuditExportLine> | Iterable<string | AuditExportLine>,
  options: VerifyAuditExportOptions = {},
): Promise<AuditVerifyReport> {
  const verifier = new ChainVerifier(options);
  let number = 0;
  for await (const raw of lines) {
    number += 1;
    if (typeof raw === "string" && raw.trim() === "") continue;
    verifier.read(raw, number);
  }
  return verifier.report();
}

class ChainVerifier {
  readonly #trusted: ReadonlySet<string> | undefined;
  readonly #keys = new Map<string, KeyObject>();
  /** Checkpoints read before the entry they cover, in seq order. */
  readonly #ahead: { checkpoint: AuditCheckpoint; line: number }[] = [];
  readonly #anchored: boolean;
  #fromSeq: number;
  #expectedSeq: number;
  /** What the next entry's `prev_hash` must be; `undefined` when unknown (unanchored start, gap). */
  #prevHash: string | undefined;
  #last: { seq: number; hash: string } | undefined;
  #lastCheckpointSeq: number | null = null;
  #entries = 0;
  #checkpoints = 0;
  #linesRead = 0;
  #firstBroken: AuditBreak | undefined;

  constructor(options: VerifyAuditExportOptions) {
    this.#trusted = options.trustedKeyIds === undefined ? undefined : new Set(options.trustedKeyIds);
    this.#anchored = options.after !== undefined;
    this.#fromSeq = options.after === undefined ? 1 : options.after.seq + 1;
    this.#expectedSeq = this.#fromSeq;
    this.#prevHash = options.after === undefined ? GENESIS_HASH : options.after.hash;
  }

  read(raw: string | AuditExportLine, line: number): void {
    this.#linesRead += 1;
    const parsed: unknown = typeof raw === "string" ? parseLine(raw) : raw;
    const kind =
      typeof parsed === "object" && parsed !== null ? (parsed as { kind?: unknown }).kind : undefined;
    if (kind === "export") this.#readHeader(parsed as object, line);
    else if (kind === "key") this.#readKey(parsed as object, line);
    else if (kind === "entry" && isEntry(parsed as object)) this.#readEntry(parsed as AuditEntry, line);
    else if (kind === "checkpoint" && isCheckpoint(parsed as object)) {
      this.#readCheckpoint(parsed as AuditCheckpoint, line);
    } else {
      const what =
        kind === "entry" || kind === "checkpoint"
          ? `the ${kind} line lacks a field`
          : "the line is not an export line";
      this.#break(this.#expectedSeq, "MALFORMED_EXPORT", what, line);
    }
  }

  report(): AuditVerifyReport {
    for (const { checkpoint, line } of this.#ahead) {
      if (!this.#signatureHolds(checkpoint, line)) continue;
      const end = this.#last?.seq ?? this.#fromSeq - 1;
      this.#break(
        end + 1,
        "TAIL_TRUNCATED",
        `a checkpoint covers entries up to ${checkpoint.seq}, but the chain ends at ${end}`,
        line,
      );
    }
    const covered = this.#lastCheckpointSeq ?? this.#fromSeq - 1;
    return {
      ok: this.#firstBroken === undefined,
      entries: this.#entries,
      checkpoints: this.#checkpoints,
      from_seq: this.#fromSeq,
      last_seq: this.#last?.seq ?? null,
      last_checkpoint_seq: this.#lastCheckpointSeq,
      uncovered_entries: this.#last === undefined ? 0 : Math.max(0, this.#last.seq - covered),
      ...(this.#firstBroken === undefined ? {} : { first_broken: this.#firstBroken }),
    };
  }

  #readHeader(header: object, line: number): void {
    const fromSeq = (header as { from_seq?: unknown }).from_seq;
    if (this.#linesRead !== 1 || !isSeq(fromSeq)) {
      this.#break(this.#expectedSeq, "MALFORMED_EXPORT", "the export header is not the first line", line);
      return;
    }
    if (this.#anchored) {
      if (fromSeq !== this.#fromSeq) {
        this.#break(
          this.#fromSeq,
          "MALFORMED_EXPORT",
          `the export starts at ${fromSeq}, not ${this.#fromSeq}`,
          line,
        );
      }
      return;
    }
    this.#fromSeq = fromSeq;
    this.#expectedSeq = fromSeq;
    if (fromSeq > 1) this.#prevHash = undefined;
  }

  #readKey(key: object, line: number): void {
    const { key_id, jwk } = key as Partial<AuditPublicKey>;
    try {
      if (typeof key_id !== "string" || jwk === undefined || jwkThumbprint(jwk) !== key_id) {
        throw new TypeError("key id is not the key's thumbprint");
      }
      this.#keys.set(key_id, publicKeyOf(jwk));
    } catch {
      this.#break(this.#expectedSeq, "MALFORMED_EXPORT", "a key line is not a valid Ed25519 key", line);
    }
  }

  #readEntry(entry: AuditEntry, line: number): void {
    this.#entries += 1;
    if (entry.seq < this.#expectedSeq) {
      this.#break(
        entry.seq,
        "MALFORMED_EXPORT",
        `entry ${entry.seq} is out of order (expected ${this.#expectedSeq})`,
        line,
      );
      return;
    }
    if (entry.seq > this.#expectedSeq) {
      const missing =
        entry.seq - 1 === this.#expectedSeq
          ? `entry ${this.#expectedSeq} is`
          : `entries ${this.#expectedSeq} to ${entry.seq - 1} are`;
      this.#break(
        this.#expectedSeq,
        "SEQUENCE_GAP",
        `${missing} missing; the next present is ${entry.seq}`,
        line,
      );
      this.#prevHash = undefined;
    }
    const { hash: stored, ...fields } = entry;
    const recomputed = entryHash(fields);
    if (recomputed !== stored) {
      this.#break(
        entry.seq,
        "ENTRY_HASH_MISMATCH",
        `entry ${entry.seq} does not hash to its stored hash`,
        line,
      );
    }
    if (this.#prevHash !== undefined && entry.prev_hash !== this.#prevHash) {
      this.#break(
        entry.seq,
        "PREV_HASH_MISMATCH",
        `entry ${entry.seq} does not link to entry ${entry.seq - 1}'s hash`,
        line,
      );
    }
    // The next entry links to the stored hash; an altered entry is reported once, above.
    this.#prevHash = stored;
    this.#last = { seq: entry.seq, hash: recomputed };
    this.#expectedSeq = entry.seq + 1;
    while (this.#ahead.length > 0 && this.#ahead[0]!.checkpoint.seq <= entry.seq) {
      const { checkpoint, line: cpLine } = this.#ahead.shift()!;
      if (checkpoint.seq === entry.seq) this.#checkCheckpoint(checkpoint, recomputed, cpLine);
      else if (this.#signatureHolds(checkpoint, cpLine)) {
        this.#break(
          checkpoint.seq,
          "CHECKPOINT_MISMATCH",
          `the checkpoint of entry ${checkpoint.seq} covers a missing entry`,
          cpLine,
        );
      }
    }
  }

  #readCheckpoint(checkpoint: AuditCheckpoint, line: number): void {
    this.#checkpoints += 1;
    if (checkpoint.seq < this.#fromSeq) {
      // Covers entries before a partial export; only its signature can be checked.
      this.#signatureHolds(checkpoint, line);
      return;
    }
    if (this.#last !== undefined && checkpoint.seq === this.#last.seq) {
      this.#checkCheckpoint(checkpoint, this.#last.hash, line);
      return;
    }
    if (this.#last === undefined || checkpoint.seq > this.#last.seq) {
      this.#ahead.push({ checkpoint, line });
      this.#ahead.sort((a, b) => a.checkpoint.seq - b.checkpoint.seq);
      return;
    }
    this.#break(
      checkpoint.seq,
      "MALFORMED_EXPORT",
      `the checkpoint of entry ${checkpoint.seq} comes after entry ${this.#last.seq}`,
      line,
    );
  }

  #checkCheckpoint(checkpoint: AuditCheckpoint, chainHash: string, line: number): void {
    if (!this.#signatureHolds(checkpoint, line)) return;
    if (checkpoint.entry_hash !== chainHash) {
      this.#break(
        checkpoint.seq,
        "CHECKPOINT_MISMATCH",
        `the checkpoint of entry ${checkpoint.seq} signed another hash than the chain has`,
        line,
      );
      return;
    }
    this.#lastCheckpointSeq = Math.max(this.#lastCheckpointSeq ?? 0, checkpoint.seq);
  }

  #signatureHolds(checkpoint: AuditCheckpoint, line: number): boolean {
    const key = this.#keys.get(checkpoint.key_id);
    let problem: string | undefined;
    if (key === undefined) problem = `names key ${checkpoint.key_id}, which the export does not list`;
    else if (this.#trusted !== undefined && !this.#trusted.has(checkpoint.key_id)) {
      problem = `is signed by key ${checkpoint.key_id}, which is not trusted`;
    } else if (!checkpointSignatureValid(checkpoint, key)) problem = "has a signature that does not verify";
    if (problem === undefined) return true;
    this.#break(
      checkpoint.seq,
      "CHECKPOINT_SIGNATURE_INVALID",
      `the checkpoint of entry ${checkpoint.seq} ${problem}`,
      line,
    );
    return false;
  }

  #break(seq: number, reason: AuditBreakReason, detail: string, line: number): void {
    this.#firstBroken ??= { seq, reason, detail, line };
  }
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

function allStrings(value: object, names: readonly string[]): boolean {
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === "string");
}

function isEntry(value: object): value is AuditEntry {
  return (
    isSeq((value as { seq?: unknown }).seq) &&
    allStrings(value, [
      "at",
      "actor_sub",
      "actor_realm",
      "action",
      "target",
      "body_sha256",
      "prev_hash",
      "hash",
    ])
  );
}

function isCheckpoint(value: object): value is AuditCheckpoint {
  return (
    isSeq((value as { seq?: unknown }).seq) && allStrings(value, ["entry_hash", "at", "key_id", "signature"])
  );
}

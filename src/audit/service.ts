import type { Clock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { AuditErrors } from "./errors.js";
import { AuditStore } from "./store.js";
import type { AuditExportLine, AuditPage, AuditPublicKey, AuditQuery, AuditVerifyReport } from "./types.js";
import { verifyAuditExport } from "./verify-audit-export.js";

export interface AuditServiceOptions {
  readonly db: Database;
  /** Stamps the export header's `generated_at`. */
  readonly clock: Clock;
}

export interface AuditExportOptions {
  /** The first entry to include; default 1. */
  readonly fromSeq?: number;
}

/** Page sizes of `list`. */
export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 1_000;

const EXPORT_BATCH = 1_000;

/** Reading the audit log: pages, the export, server-side verification and the public keys. */
export class AuditService {
  readonly #store: AuditStore;
  readonly #clock: Clock;

  constructor(options: AuditServiceOptions) {
    this.#store = new AuditStore(options.db);
    this.#clock = options.clock;
  }

  /** One page of entries matching every filter given, in `seq` order. */
  async list(query: AuditQuery = {}): Promise<AuditPage> {
    const limit = query.limit ?? AUDIT_PAGE_DEFAULT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > AUDIT_PAGE_MAX) {
      throw AuditErrors.AUDIT_INVALID_QUERY(`limit must be 1 to ${AUDIT_PAGE_MAX}, got ${limit}`);
    }
    const rows = await this.#store.findEntries({ ...query, limit });
    const items = rows.slice(0, limit);
    return { items, next_cursor: rows.length > limit ? items[items.length - 1]!.seq : null };
  }

  /**
   * The export, lazily, in the order `verifyAuditExport` reads: header, keys, then entries with each
   * checkpoint right after the entry it covers. Reads in batches without a long transaction; the
   * bounds are read first, in an order that keeps concurrent appends and checkpoints from looking
   * like damage: the highest checkpointed seq, then the keys (so every checkpoint up to it finds
   * its key), then the highest entry. Checkpoints beyond that entry can only mean a cut-off tail and
   * come last.
   */
  exportLines(options: AuditExportOptions = {}): AsyncIterable<AuditExportLine> {
    const fromSeq = options.fromSeq ?? 1;
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 1) {
      throw AuditErrors.AUDIT_INVALID_QUERY(`from_seq must be a whole number of at least 1, got ${fromSeq}`);
    }
    return this.#export(fromSeq);
  }

  /** Verifies the whole chain as stored now; see `verifyAuditExport`. */
  async verify(): Promise<AuditVerifyReport> {
    return verifyAuditExport(this.#export(1));
  }

  /** Every checkpoint key's public half, oldest first. */
  async publicKeys(): Promise<AuditPublicKey[]> {
    return this.#store.publicKeys();
  }

  async *#export(fromSeq: number): AsyncGenerator<AuditExportLine> {
    const store = this.#store;
    const checkpointedSeq = (await store.lastCheckpoint())?.seq ?? 0;
    const keys = await store.publicKeys();
    const lastSeq = await store.maxEntrySeq();
    yield { kind: "export", format: 1, from_seq: fromSeq, generated_at: this.#clock.now().toISOString() };
    for (const key of keys) yield { kind: "key", ...key };
    for (let lo = fromSeq; lo <= lastSeq; lo += EXPORT_BATCH) {
      const hi = Math.min(lo + EXPORT_BATCH - 1, lastSeq);
      const entries = await store.entriesBetween(lo, hi);
      const checkpoints = await store.checkpointsBetween(lo, Math.min(hi, checkpointedSeq));
      let c = 0;
      for (const entry of entries) {
        while (c < checkpoints.length && checkpoints[c]!.seq < entry.seq) {
          yield { kind: "checkpoint", ...checkpoints[c++]! };
        }
        yield { kind: "entry", ...entry };
        while (c < checkpoints.length && checkpoints[c]!.seq === entry.seq) {
          yield { kind: "checkpoint", ...checkpoints[c++]! };
        }
      }
      while (c < checkpoints.length) yield { kind: "checkpoint", ...checkpoints[c++]! };
    }
    const beyond = await store.checkpointsBetween(Math.max(lastSeq + 1, fromSeq), checkpointedSeq);
    for (const checkpoint of beyond) yield { kind: "checkpoint", ...checkpoint };
  }
}

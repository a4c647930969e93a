import type { AuditRecord, AuditSink, Clock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { bodySha256 } from "./body-digest.js";
import { entryHash, GENESIS_HASH } from "./entry-hash.js";
import { AuditErrors } from "./errors.js";
import { AuditStore } from "./store.js";
import type { AuditEntry } from "./types.js";

export interface AuditLogOptions {
  /** Stamps each entry's `at`. */
  readonly clock: Clock;
  /** Told of every append, so a checkpoint follows soon after the count threshold. */
  readonly checkpointer?: { noteAppended(seq: number): void };
}

const LIMITS = { actor_sub: 256, actor_realm: 64, action: 128, target: 512 } as const;

/**
 * The tamper-evident audit log: the `AuditSink` every part appends to. Each entry carries the hash
 * of the one before, so altering, removing or reordering an entry breaks the chain from there on.
 *
 * @example
 * await db.transaction().execute(async (tx) => {
 *   await teams.create(tx, team);
 *   await audit.append(tx, { actor, action: "team.create", target: `team/${team.id}`, body });
 * });
 */
export class AuditLog implements AuditSink {
  readonly #clock: Clock;
  readonly #checkpointer: AuditLogOptions["checkpointer"];

  constructor(options: AuditLogOptions) {
    this.#clock = options.clock;
    this.#checkpointer = options.checkpointer;
  }

  /**
   * Appends the record on `tx`, the transaction of the change it records: both commit or neither.
   * Takes a transaction-scoped advisory lock first, so appenders on every replica line up until
   * their transactions end and the sequence stays gapless. Throws `AUDIT_INVALID_RECORD` when
   * `tx` is not a transaction or a field is empty or oversized.
   */
  async append(tx: Database, record: AuditRecord): Promise<void> {
    if (!tx.isTransaction) {
      // Outside a transaction the lock would end with the statement and the entry would not
      // share the change's fate.
      throw AuditErrors.AUDIT_INVALID_RECORD("audit entries must be appended on the change's transaction");
    }
    const fields = {
      actor_sub: record.actor.sub,
      actor_realm: record.actor.realm,
      action: record.action,
      target: record.target,
    };
    for (const [name, value] of Object.entries(fields)) {
      const max = LIMITS[name as keyof typeof LIMITS];
      if (typeof value !== "string" || value.length === 0 || value.length > max) {
        throw AuditErrors.AUDIT_INVALID_RECORD(`audit record ${name} must be 1 to ${max} characters`);
      }
    }
    const body_sha256 = bodySha256(record.body);
    const store = new AuditStore(tx);
    await store.lockForAppend();
    const head = await store.head();
    const unhashed = {
      seq: (head?.seq ?? 0) + 1,
      at: this.#clock.now().toISOString(),
      ...fields,
      body_sha256,
      prev_hash: head?.hash ?? GENESIS_HASH,
    };
    const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
    await store.insertEntry(entry);
    this.#checkpointer?.noteAppended(entry.seq);
  }
}

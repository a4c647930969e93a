import type { SecretBox } from "../cloud/index.js";
import { type Clock, Duration, type Logger } from "../core/index.js";
import type { Database } from "../db/index.js";
import { CheckpointKeyring } from "./checkpoint-keyring.js";
import { signCheckpoint } from "./checkpoint-signature.js";
import { GENESIS_HASH } from "./entry-hash.js";
import { AuditErrors } from "./errors.js";
import { AuditStore } from "./store.js";
import type { AuditCheckpoint, AuditEntry } from "./types.js";
import { verifyAuditExport } from "./verify-audit-export.js";

export interface AuditCheckpointerOptions {
  readonly db: Database;
  /** Seals the checkpoint signing key (context `audit.checkpoint-key`). */
  readonly secretBox: SecretBox;
  readonly clock: Clock;
  /** Where a failed scheduled check is reported; default silent. */
  readonly logger?: Logger;
  /** A checkpoint is due once this many entries are unsigned. Default 1,000. */
  readonly everyEntries?: number;
  /**
   * A checkpoint is due once this much time has passed since the last one (or, before the first,
   * since the first entry) and there are unsigned entries. Default 5 minutes.
   */
  readonly interval?: Duration;
  /** How often the started job looks whether a checkpoint is due. Default 10 seconds. */
  readonly checkEvery?: Duration;
}

const SEGMENT_BATCH = 1_000;

/**
 * Writes signed checkpoints of the audit chain. `checkpointIfDue` does the work once and is safe to
 * call from every replica at any time: it takes a transaction-scoped `pg_try_advisory_xact_lock`, so
 * one replica signs and the others return at once. `start` runs it every `checkEvery`; while
 * started, `AuditLog` also asks for a check as soon as `everyEntries` entries are unsigned.
 */
export class AuditCheckpointer {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #keyring: CheckpointKeyring;
  readonly #everyEntries: number;
  readonly #interval: Duration;
  readonly #checkEvery: Duration;
  /** The seq the last checkpoint this process saw covers; a hint for `noteAppended` only. */
  #coveredSeq: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Immediate | undefined;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(options: AuditCheckpointerOptions) {
    const everyEntries = options.everyEntries ?? 1_000;
    if (!Number.isSafeInteger(everyEntries) || everyEntries < 1) {
      throw AuditErrors.AUDIT_INVALID_OPTIONS(
        `everyEntries must be a whole number of at least 1, got ${everyEntries}`,
      );
    }
    for (const name of ["interval", "checkEvery"] as const) {
      const value = options[name];
      if (value !== undefined && (!(value instanceof Duration) || value.milliseconds <= 0)) {
        throw AuditErrors.AUDIT_INVALID_OPTIONS(
          `${name} must be a Duration longer than zero, got ${String(value)}`,
        );
      }
    }
    this.#db = options.db;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#keyring = new CheckpointKeyring(options.secretBox, options.clock);
    this.#everyEntries = everyEntries;
    this.#interval = options.interval ?? Duration.minutes(5);
    this.#checkEvery = options.checkEvery ?? Duration.seconds(10);
  }

  /**
   * Signs a checkpoint over the newest entry when one is due, and returns it; returns `undefined`
   * when none is due or another replica is checkpointing. Before signing it recomputes every entry
   * since the last checkpoint and throws `AUDIT_CHAIN_BROKEN` rather than sign a tampered segment.
   */
  async checkpointIfDue(): Promise<AuditCheckpoint | undefined> {
    return this.#db.transaction().execute(async (tx) => {
      const store = new AuditStore(tx);
      if (!(await store.tryLockForCheckpoint())) return undefined;
      const last = await store.lastCheckpoint();
      const covered = last?.seq ?? 0;
      this.#coveredSeq = covered;
      const head = await store.head();
      if (head === undefined || head.seq <= covered) return undefined;
      const now = this.#clock.now();
      if (head.seq - covered < this.#everyEntries) {
        const since = last?.at ?? (await store.entryAt(covered + 1))?.at;
        if (since !== undefined && now.getTime() - Date.parse(since) < this.#interval.milliseconds) {
          return undefined;
        }
      }
      await this.#checkSegment(store, covered, last?.entry_hash ?? GENESIS_HASH, head.seq);
      const key = await this.#keyring.signingKey(store);
      const statement = { seq: head.seq, entry_hash: head.hash, at: now.toISOString(), key_id: key.keyId };
      const checkpoint = await store.insertCheckpoint({
        ...statement,
        signature: signCheckpoint(statement, key.privateKey),
      });
      this.#coveredSeq = checkpoint.seq;
      return checkpoint;
    });
  }

  /** Starts the periodic check (and an immediate one). Idempotent. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#runSoon(), this.#checkEvery.milliseconds);
    this.#timer.unref();
    this.#runSoon();
  }

  /** Stops scheduling checks and waits for one in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#pending !== undefined) clearImmediate(this.#pending);
    this.#pending = undefined;
    await this.#running;
  }

  /**
   * Called by `AuditLog` after each append: asks for a check when the count threshold is reached.
   * The append's transaction may not have committed yet, in which case the check finds nothing due
   * and a later append or the periodic check catches up. Does nothing unless started.
   */
  noteAppended(seq: number): void {
    if (this.#timer === undefined) return;
    if (this.#coveredSeq !== undefined && seq - this.#coveredSeq < this.#everyEntries) return;
    this.#runSoon();
  }

  #runSoon(): void {
    if (this.#running !== undefined) {
      // A check already under way may have read the chain before the entry that asked committed.
      this.#again = true;
      return;
    }
    if (this.#pending !== undefined) return;
    this.#pending = setImmediate(() => {
      this.#pending = undefined;
      this.#again = false;
      this.#running = this.checkpointIfDue()
        .then(
          (checkpoint) => {
            if (checkpoint !== undefined) {
              this.#logger?.info({ seq: checkpoint.seq }, "audit checkpoint written");
            }
          },
          (err: unknown) => this.#logger?.error({ err }, "audit checkpoint failed"),
        )
        .finally(() => {
          this.#running = undefined;
          if (this.#again && this.#timer !== undefined) this.#runSoon();
        });
    });
  }

  async #checkSegment(store: AuditStore, covered: number, coveredHash: string, to: number): Promise<void> {
    const report = await verifyAuditExport(segment(store, covered + 1, to), {
      after: { seq: covered, hash: coveredHash },
    });
    const broken = report.first_broken;
    if (broken !== undefined) {
      throw AuditErrors.AUDIT_CHAIN_BROKEN(`refusing to sign: ${broken.reason} at entry ${broken.seq}`, {
        seq: broken.seq,
        reason: broken.reason,
      });
    }
    if (report.last_seq !== to) {
      throw AuditErrors.AUDIT_CHAIN_BROKEN(
        `refusing to sign: entries after ${report.last_seq ?? covered} are missing`,
      );
    }
  }
}

async function* segment(
  store: AuditStore,
  from: number,
  to: number,
): AsyncGenerator<{ kind: "entry" } & AuditEntry> {
  for (let lo = from; lo <= to; lo += SEGMENT_BATCH) {
    for (const entry of await store.entriesBetween(lo, Math.min(lo + SEGMENT_BATCH - 1, to))) {
      yield { kind: "entry", ...entry };
    }
  }
}

import { type Generated, type Kysely, type Selectable, sql } from "kysely";
import type { Database } from "../db/index.js";
import type { AuditCheckpoint, AuditEntry, AuditPublicKey, AuditQuery, Ed25519PublicJwk } from "./types.js";

interface AuditTables {
  audit_entries: {
    seq: number | string;
    at: Date | string;
    actor_sub: string;
    actor_realm: string;
    action: string;
    target: string;
    body_sha256: string;
    prev_hash: string;
    hash: string;
  };
  audit_checkpoints: {
    id: Generated<number | string>;
    seq: number | string;
    entry_hash: string;
    at: Date | string;
    key_id: string;
    signature: string;
  };
  audit_keys: {
    id: string;
    public_jwk: Ed25519PublicJwk | string;
    sealed_private_key: Uint8Array;
    created_at: Date | string;
  };
}

/*
 * Fixed advisory lock keys: the first eight bytes, as a signed integer, of the SHA-256 of
 * "charter.audit.append" and "charter.audit.checkpoint". Distinct, so checkpointing never waits
 * for appenders nor they for it.
 */
const APPEND_LOCK = sql.raw("4331038699639314823");
const CHECKPOINT_LOCK = sql.raw("109582184105546092");

export interface SealedCheckpointKey {
  readonly key_id: string;
  readonly sealed_private_key: Uint8Array;
}

/**
 * The only code that reads or writes the audit tables. Bound to the database or to a transaction;
 * `int8` and `timestamptz` come back as JavaScript numbers and ISO strings whichever driver runs.
 */
export class AuditStore {
  readonly #db: Kysely<AuditTables>;

  constructor(db: Database) {
    this.#db = db as Kysely<AuditTables>;
  }

  /** Blocks until no other transaction is appending, and holds the lock until this one ends. */
  async lockForAppend(): Promise<void> {
    await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(this.#db);
  }

  /** Whether this transaction got the checkpoint lock; never waits. */
  async tryLockForCheckpoint(): Promise<boolean> {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(${CHECKPOINT_LOCK}) as locked`.execute(this.#db);
    return rows[0]?.locked === true;
  }

  async head(): Promise<{ seq: number; hash: string; at: string } | undefined> {
    const row = await this.#db
      .selectFrom("audit_entries")
      .select(["seq", "hash", "at"])
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : { seq: Number(row.seq), hash: row.hash, at: iso(row.at) };
  }

  async entryAt(seq: number): Promise<AuditEntry | undefined> {
    const row = await this.#db
      .selectFrom("audit_entries")
      .selectAll()
      .where("seq", "=", seq)
      .executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  async insertEntry(entry: AuditEntry): Promise<void> {
    await this.#db.insertInto("audit_entries").values(entry).execute();
  }

  /** Entries with `from <= seq <= to`, ascending. */
  async entriesBetween(from: number, to: number): Promise<AuditEntry[]> {
    const rows = await this.#db
      .selectFrom("audit_entries")
      .selectAll()
      .where("seq", ">=", from)
      .where("seq", "<=", to)
      .orderBy("seq", "asc")
      .execute();
    return rows.map(toEntry);
  }

  /** One page of entries matching the query, plus one more row when more follow. */
  async findEntries(query: AuditQuery & { readonly limit: number }): Promise<AuditEntry[]> {
    let q = this.#db.selectFrom("audit_entries").selectAll();
    if (query.actor !== undefined) q = q.where("actor_sub", "=", query.actor);
    for (const column of ["action", "target"] as const) {
      const wanted = query[column];
      if (wanted === undefined) continue;
      q = wanted.endsWith("*")
        ? q.where(column, "like", `${escapeLike(wanted.slice(0, -1))}%`)
        : q.where(column, "=", wanted);
    }
    if (query.from !== undefined) q = q.where("at", ">=", query.from.toISOString());
    if (query.to !== undefined) q = q.where("at", "<", query.to.toISOString());
    if (query.after_seq !== undefined) q = q.where("seq", ">", query.after_seq);
    if (query.before_seq !== undefined) q = q.where("seq", "<", query.before_seq);
    const rows = await q
      .orderBy("seq", query.order ?? "asc")
      .limit(query.limit + 1)
      .execute();
    return rows.map(toEntry);
  }

  /** The highest seq of any entry, or 0. */
  async maxEntrySeq(): Promise<number> {
    const row = await this.#db
      .selectFrom("audit_entries")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async lastCheckpoint(): Promise<AuditCheckpoint | undefined> {
    const row = await this.#db
      .selectFrom("audit_checkpoints")
      .selectAll()
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : toCheckpoint(row);
  }

  /** Checkpoints covering `from <= seq <= to`, ascending. */
  async checkpointsBetween(from: number, to: number): Promise<AuditCheckpoint[]> {
    if (to < from) return [];
    const rows = await this.#db
      .selectFrom("audit_checkpoints")
      .selectAll()
      .where("seq", ">=", from)
      .where("seq", "<=", to)
      .orderBy("seq", "asc")
      .execute();
    return rows.map(toCheckpoint);
  }

  async insertCheckpoint(checkpoint: Omit<AuditCheckpoint, "id">): Promise<AuditCheckpoint> {
    const row = await this.#db
      .insertInto("audit_checkpoints")
      .values(checkpoint)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCheckpoint(row);
  }

  /** Every checkpoint key's public half, oldest first. */
  async publicKeys(): Promise<AuditPublicKey[]> {
    const rows = await this.#db
      .selectFrom("audit_keys")
      .select(["id", "public_jwk", "created_at"])
      .orderBy("created_at", "asc")
      .orderBy("id", "asc")
      .execute();
    return rows.map((row) => ({
      key_id: row.id,
      jwk: typeof row.public_jwk === "string" ? JSON.parse(row.public_jwk) : row.public_jwk,
      created_at: iso(row.created_at),
    }));
  }

  /** The newest key's sealed private half. */
  async newestSealedKey(): Promise<SealedCheckpointKey | undefined> {
    const row = await this.#db
      .selectFrom("audit_keys")
      .select(["id", "sealed_private_key"])
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : { key_id: row.id, sealed_private_key: row.sealed_private_key };
  }

  async insertKey(key: AuditPublicKey & { readonly sealed_private_key: Uint8Array }): Promise<void> {
    await this.#db
      .insertInto("audit_keys")
      .values({
        id: key.key_id,
        public_jwk: JSON.stringify(key.jwk),
        sealed_private_key: key.sealed_private_key,
        created_at: key.created_at,
      })
      .execute();
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function toEntry(row: AuditTables["audit_entries"]): AuditEntry {
  return {
    seq: Number(row.seq),
    at: iso(row.at),
    actor_sub: row.actor_sub,
    actor_realm: row.actor_realm,
    action: row.action,
    target: row.target,
    body_sha256: row.body_sha256,
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}

function toCheckpoint(row: Selectable<AuditTables["audit_checkpoints"]>): AuditCheckpoint {
  return {
    id: Number(row.id),
    seq: Number(row.seq),
    entry_hash: row.entry_hash,
    at: iso(row.at),
    key_id: row.key_id,
    signature: row.signature,
  };
}

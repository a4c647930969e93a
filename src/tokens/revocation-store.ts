import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import type { Revocation } from "./revocation-types.js";

interface RevocationsTable {
  id: string;
  type: Revocation["type"];
  token_hash: string | null;
  claim_names: string | null;
  value_hash: string | null;
  issued_before: Date | null;
  revoked_at: Date;
  revoked_by: string;
}

interface Tables {
  revocations: RevocationsTable;
}

/** The only code that reads or writes the `revocations` table. */
export class RevocationStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Database) {
    this.#db = db as Kysely<Tables>;
  }

  /** Appends a revocation on the caller's transaction; returns its row id. */
  async insert(tx: Database, revocation: Revocation, revokedBy: string): Promise<string> {
    const row = await (tx as Kysely<Tables>)
      .insertInto("revocations")
      .values({
        type: revocation.type,
        token_hash: revocation.type === "TOKEN" ? revocation.data.token_hash : null,
        claim_names: revocation.type === "CLAIM" ? revocation.data.names : null,
        value_hash: revocation.type === "CLAIM" ? revocation.data.value_hash : null,
        issued_before: revocation.type === "TOKEN" ? null : fromSeconds(revocation.data.issued_before),
        revoked_at: fromSeconds(revocation.revoked_at),
        revoked_by: revokedBy,
      } as never)
      .returning("id")
      .executeTakeFirstOrThrow();
    return String(row.id);
  }

  /**
   * Revocations made at or after `from` (whole seconds), oldest first, about `limit` of them. A
   * page holds whole seconds: when the limit cuts into a second, that second is left to the next
   * page (`nextFrom`); when a single second holds more than `limit`, it is returned whole, so a
   * reader always advances.
   */
  async listPage(from: number, limit: number): Promise<{ revocations: Revocation[]; nextFrom?: number }> {
    const rows = await this.#select()
      .where("revoked_at", ">=", fromSeconds(from))
      .limit(limit + 1)
      .execute();
    if (rows.length <= limit) return { revocations: rows.map(toRevocation) };
    const cut = toSeconds(rows[limit]!.revoked_at);
    const whole = rows.slice(0, limit).filter((row) => toSeconds(row.revoked_at) < cut);
    if (whole.length > 0) return { revocations: whole.map(toRevocation), nextFrom: cut };
    const second = await this.#select()
      .where("revoked_at", ">=", fromSeconds(cut))
      .where("revoked_at", "<", fromSeconds(cut + 1))
      .execute();
    return { revocations: second.map(toRevocation), nextFrom: cut + 1 };
  }

  #select() {
    return this.#db
      .selectFrom("revocations")
      .select(["type", "token_hash", "claim_names", "value_hash", "issued_before", "revoked_at"])
      .orderBy("revoked_at")
      .orderBy("id");
  }
}

function toRevocation(row: Omit<RevocationsTable, "id" | "revoked_by">): Revocation {
  const revoked_at = toSeconds(row.revoked_at);
  switch (row.type) {
    case "TOKEN":
      return { type: "TOKEN", revoked_at, data: { token_hash: row.token_hash!, hash_algorithm: "SHA-256" } };
    case "CLAIM":
      return {
        type: "CLAIM",
        revoked_at,
        data: {
          names: row.claim_names!,
          value_hash: row.value_hash!,
          issued_before: toSeconds(row.issued_before!),
          hash_algorithm: "SHA-256",
        },
      };
    case "GLOBAL":
      return { type: "GLOBAL", revoked_at, data: { issued_before: toSeconds(row.issued_before!) } };
  }
}

function fromSeconds(seconds: number): Date {
  return new Date(seconds * 1000);
}

function toSeconds(date: Date): number {
  return Math.floor(new Date(date).getTime() / 1000);
}

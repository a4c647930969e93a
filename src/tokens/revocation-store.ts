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

  /** Every revocation made at or after `from`, oldest first. */
  async listSince(from: Date): Promise<Revocation[]> {
    const rows = await this.#db
      .selectFrom("revocations")
      .select(["type", "token_hash", "claim_names", "value_hash", "issued_before", "revoked_at"])
      .where("revoked_at", ">=", from)
      .orderBy("revoked_at")
      .orderBy("id")
      .execute();
    return rows.map(toRevocation);
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

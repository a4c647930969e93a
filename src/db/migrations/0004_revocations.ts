import { type Kysely, sql } from "kysely";

/**
 * Revocation lists (Plan B's revocation service): every revocation ever made, append-only. Token
 * and claim values are stored only as salted SHA-256 hashes; readers poll by `revoked_at`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("revocations")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("token_hash", "text")
    // Claim names, sorted, joined with "|"; value_hash hashes the values joined the same way.
    .addColumn("claim_names", "text")
    .addColumn("value_hash", "text")
    .addColumn("issued_before", "timestamptz")
    .addColumn("revoked_at", "timestamptz", (c) => c.notNull())
    .addColumn("revoked_by", "text", (c) => c.notNull())
    .addCheckConstraint(
      "revocations_shape",
      sql`(type = 'TOKEN' and token_hash is not null and claim_names is null and value_hash is null and issued_before is null)
       or (type = 'CLAIM' and token_hash is null and claim_names is not null and value_hash is not null and issued_before is not null)
       or (type = 'GLOBAL' and token_hash is null and claim_names is null and value_hash is null and issued_before is not null)`,
    )
    .execute();
  await db.schema
    .createIndex("revocations_revoked_at")
    .on("revocations")
    .columns(["revoked_at", "id"])
    .execute();
}

import { type Kysely, sql } from "kysely";

/**
 * The tokens part: signing keys (private halves sealed by the SecretBox), single-use authorization
 * codes (stored only as hashes) and the registry of resource types and scopes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("signing_keys")
    .addColumn("kid", "text", (c) => c.primaryKey())
    .addColumn("alg", "text", (c) => c.notNull())
    .addColumn("public_jwk", "jsonb", (c) => c.notNull())
    .addColumn("sealed_private_key", "bytea", (c) => c.notNull())
    .addColumn("sign_from", "timestamptz", (c) => c.notNull())
    // Null while the key is current or pending; set when its successor is scheduled.
    .addColumn("sign_until", "timestamptz")
    // Null while the key may still sign; afterwards sign_until plus the longest token lifetime.
    .addColumn("publish_until", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addCheckConstraint("signing_keys_window", sql`sign_until is null or sign_until >= sign_from`)
    .execute();

  await db.schema
    .createTable("authorization_codes")
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("redirect_uri", "text", (c) => c.notNull())
    .addColumn("code_challenge", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("realm", "text", (c) => c.notNull())
    // Space-separated, as in the `scope` parameter; scope names never contain spaces.
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("authorization_codes_expires_at")
    .on("authorization_codes")
    .column("expires_at")
    .execute();

  await db.schema
    .createTable("resource_types")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("scopes")
    .addColumn("resource_type_id", "text", (c) =>
      c.notNull().references("resource_types.id").onDelete("restrict"),
    )
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("scopes_pkey", ["resource_type_id", "id"])
    .execute();
}

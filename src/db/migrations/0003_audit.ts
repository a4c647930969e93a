import { type Kysely, sql } from "kysely";

/**
 * The audit hash chain, its signed checkpoints and the checkpoint keys. Entries carry no foreign
 * keys and checkpoints do not reference entries: a damaged chain must stay readable so that
 * verification can say where it breaks. Rows of entries and checkpoints cannot be updated or
 * deleted through ordinary statements; that stops mistakes, while the hashes and signatures are
 * what expose deliberate changes by someone who can disable the trigger.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("audit_entries")
    .addColumn("seq", "bigint", (c) => c.primaryKey().check(sql`seq > 0`))
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("actor_sub", "text", (c) => c.notNull())
    .addColumn("actor_realm", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("body_sha256", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  // text_pattern_ops serves both equality and the prefix LIKE of the action and target filters.
  await sql`create index audit_entries_actor_idx on audit_entries (actor_sub, seq)`.execute(db);
  await sql`create index audit_entries_action_idx on audit_entries (action text_pattern_ops, seq)`.execute(
    db,
  );
  await sql`create index audit_entries_target_idx on audit_entries (target text_pattern_ops, seq)`.execute(
    db,
  );
  await sql`create index audit_entries_at_idx on audit_entries (at)`.execute(db);

  await db.schema
    .createTable("audit_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("public_jwk", "jsonb", (c) => c.notNull())
    .addColumn("sealed_private_key", "bytea", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("audit_checkpoints")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("seq", "bigint", (c) => c.notNull().unique())
    .addColumn("entry_hash", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("key_id", "text", (c) => c.notNull().references("audit_keys.id"))
    .addColumn("signature", "text", (c) => c.notNull())
    .execute();

  await sql`
    create function audit_reject_change() returns trigger language plpgsql as $$
    begin
      raise exception 'rows of % are append-only', tg_table_name using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  for (const table of ["audit_entries", "audit_checkpoints"]) {
    await sql`
      create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function audit_reject_change()`.execute(db);
  }
}

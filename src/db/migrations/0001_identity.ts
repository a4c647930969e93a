import { sql } from "kysely";
import type { Database } from "../database.js";

// Ids compare byte-wise (collation "C") so keyset pages come out in the same order on PostgreSQL,
// whatever its default locale, as on PGlite.
const ID = sql`text collate "C"`;

export async function up(db: Database): Promise<void> {
  await db.schema
    .createTable("teams")
    .addColumn("id", ID, (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .execute();

  // One row per account: an AWS account belongs to exactly one team, and the compliance detector
  // looks teams up by account.
  await db.schema
    .createTable("team_aws_accounts")
    .addColumn("account_id", "text", (c) => c.primaryKey())
    .addColumn("team_id", ID, (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .execute();
  await db.schema
    .createIndex("team_aws_accounts_team_id")
    .on("team_aws_accounts")
    .column("team_id")
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", ID, (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("scopes", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("disabled", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("users_scopes").on("users").using("gin").column("scopes").execute();

  // No cascade from teams: a team with members cannot be deleted, and the foreign key keeps a
  // concurrent membership from outliving its team.
  await db.schema
    .createTable("team_members")
    .addColumn("team_id", ID, (c) => c.notNull().references("teams.id"))
    .addColumn("user_id", ID, (c) => c.notNull().references("users.id"))
    .addColumn("added_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("team_members_pkey", ["team_id", "user_id"])
    .execute();
  await db.schema.createIndex("team_members_user_id").on("team_members").column("user_id").execute();

  await db.schema
    .createTable("clients")
    .addColumn("id", ID, (c) => c.primaryKey())
    .addColumn("team_id", ID, (c) => c.notNull().references("teams.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("confidential", "boolean", (c) => c.notNull())
    // SHA-256 of the secret, base64url; null exactly for public clients.
    .addColumn("secret_hash", "text")
    .addColumn("redirect_uris", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("scopes", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .addColumn("secret_rotated_at", "timestamptz")
    .addCheckConstraint("clients_secret_iff_confidential", sql`confidential = (secret_hash is not null)`)
    .execute();
  await db.schema.createIndex("clients_team_id_id").on("clients").columns(["team_id", "id"]).execute();
  await db.schema.createIndex("clients_scopes").on("clients").using("gin").column("scopes").execute();
}

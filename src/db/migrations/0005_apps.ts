import { sql } from "kysely";
import type { Database } from "../database.js";

// Ids compare byte-wise (collation "C") so keyset pages come out alike on PostgreSQL and PGlite.
const ID = sql`text collate "C"`;

const BUILT_IN_TYPES: ReadonlyArray<readonly [string, string]> = [
  [
    "SPECIFICATION",
    "I confirm that this version implements the specified requirements and that the specification was reviewed.",
  ],
  [
    "CODE_CHANGE",
    "I confirm that I reviewed every code change in this version and found nothing that should not be deployed.",
  ],
  [
    "TEST",
    "I confirm that this version was tested according to the team's test plan and that the tests passed.",
  ],
  ["DEPLOY", "I confirm that this version may be deployed to production."],
];

// Levels 1-2 (critical) need four eyes on code, tests and deployment; levels 3-4 one person each.
const DEFAULT_POLICY: ReadonlyArray<readonly [number, string, number]> = [
  ...[1, 2].flatMap((level) => [
    [level, "SPECIFICATION", 1] as const,
    [level, "CODE_CHANGE", 2] as const,
    [level, "TEST", 2] as const,
    [level, "DEPLOY", 2] as const,
  ]),
  ...[3, 4].flatMap((level) => [
    [level, "CODE_CHANGE", 1] as const,
    [level, "TEST", 1] as const,
    [level, "DEPLOY", 1] as const,
  ]),
];

export async function up(db: Database): Promise<void> {
  await db.schema
    .createTable("apps")
    .addColumn("id", ID, (c) => c.primaryKey())
    .addColumn("team_id", ID, (c) => c.notNull().references("teams.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("subtitle", "text")
    .addColumn("description", "text")
    .addColumn("service_url", "text")
    .addColumn("scm_url", "text")
    .addColumn("documentation_url", "text")
    .addColumn("specification_url", "text")
    .addColumn("support_url", "text")
    .addColumn("incident_contact", "text")
    .addColumn("criticality_level", "smallint", (c) =>
      c.notNull().check(sql`criticality_level between 1 and 4`),
    )
    .addColumn("publicly_accessible", "boolean", (c) => c.notNull())
    .addColumn("active", "boolean", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .addColumn("modified_by", "text", (c) => c.notNull())
    // Maintained by PostgreSQL itself, so no write path can forget it. The id is split on dashes by
    // the 'simple' parser ("billing-api" also finds "billing"); words of prose are stemmed.
    .addColumn("search", sql`tsvector`, (c) =>
      c
        .generatedAlwaysAs(sql`
        setweight(to_tsvector('simple', id), 'A') ||
        setweight(to_tsvector('english', name), 'A') ||
        setweight(to_tsvector('english', coalesce(subtitle, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(description, '')), 'C')`)
        .stored(),
    )
    .execute();
  await db.schema.createIndex("apps_search").on("apps").using("gin").column("search").execute();
  await db.schema.createIndex("apps_team_id_id").on("apps").columns(["team_id", "id"]).execute();
  await db.schema.createIndex("apps_active_id").on("apps").columns(["active", "id"]).execute();
  await db.schema.createIndex("apps_modified_at").on("apps").columns(["modified_at", "id"]).execute();

  await db.schema
    .createTable("app_versions")
    .addColumn("app_id", ID, (c) => c.notNull().references("apps.id"))
    .addColumn("id", ID, (c) => c.notNull())
    .addColumn("artifact", "text", (c) => c.notNull())
    .addColumn("notes", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .addColumn("modified_by", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("app_versions_pkey", ["app_id", "id"])
    .execute();

  await db.schema
    .createTable("approval_types")
    .addColumn("id", ID, (c) => c.primaryKey())
    .addColumn("declaration", "text", (c) => c.notNull())
    .addColumn("built_in", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .addColumn("modified_by", "text", (c) => c.notNull())
    .execute();

  // Approvals keep the declaration they confirmed, so they need no reference to approval_types and
  // outlive a type an administrator deletes.
  await db.schema
    .createTable("app_approvals")
    .addColumn("app_id", ID, (c) => c.notNull())
    .addColumn("version_id", ID, (c) => c.notNull())
    .addColumn("type", ID, (c) => c.notNull())
    .addColumn("user_id", ID, (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("declaration", "text", (c) => c.notNull())
    .addColumn("notes", "text")
    .addPrimaryKeyConstraint("app_approvals_pkey", ["app_id", "version_id", "type", "user_id"])
    .addForeignKeyConstraint("app_approvals_version", ["app_id", "version_id"], "app_versions", [
      "app_id",
      "id",
    ])
    .execute();

  await db.schema
    .createTable("approval_policy")
    .addColumn("level", "smallint", (c) => c.notNull().check(sql`level between 1 and 4`))
    .addColumn("type", ID, (c) => c.notNull().references("approval_types.id"))
    .addColumn("approvers", "smallint", (c) => c.notNull().check(sql`approvers between 1 and 10`))
    .addPrimaryKeyConstraint("approval_policy_pkey", ["level", "type"])
    .execute();

  await db
    .insertInto("approval_types")
    .values(
      BUILT_IN_TYPES.map(([id, declaration]) => ({
        id,
        declaration,
        built_in: true,
        modified_at: sql`now()`,
        modified_by: "charter",
      })),
    )
    .execute();
  await db
    .insertInto("approval_policy")
    .values(DEFAULT_POLICY.map(([level, type, approvers]) => ({ level, type, approvers })))
    .execute();
}

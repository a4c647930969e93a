import { sql } from "kysely";
import type { Database } from "../database.js";

// Names and digests compare byte-wise (collation "C") so tag lists and catalog pages come out alike
// on PostgreSQL and PGlite, and match the OCI specification's lexical order.
const ID = sql`text collate "C"`;

export async function up(db: Database): Promise<void> {
  // A repository is `<team>/<artifact>`; it exists from its first push.
  await db.schema
    .createTable("image_repositories")
    .addColumn("name", ID, (c) => c.primaryKey())
    .addColumn("team_id", ID, (c) => c.notNull().references("teams.id"))
    .addColumn("artifact", ID, (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("last_pushed_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("image_repositories_team")
    .on("image_repositories")
    .columns(["team_id", "name"])
    .execute();

  // Blobs are stored once, by digest; a blob is visible in a repository once linked to it (by an
  // upload into it or a mount). `touched_at` protects a fresh blob from garbage collection until a
  // manifest can reference it.
  await db.schema
    .createTable("image_blobs")
    .addColumn("digest", ID, (c) => c.primaryKey())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("touched_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("image_repository_blobs")
    .addColumn("repository", ID, (c) => c.notNull().references("image_repositories.name"))
    .addColumn("digest", ID, (c) => c.notNull().references("image_blobs.digest").onDelete("cascade"))
    .addColumn("linked_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("image_repository_blobs_pk", ["repository", "digest"])
    .execute();
  await db.schema
    .createIndex("image_repository_blobs_digest")
    .on("image_repository_blobs")
    .column("digest")
    .execute();

  // Manifests are small (≤ 4 MiB) and read on every pull, so they live in the database.
  await db.schema
    .createTable("image_manifests")
    .addColumn("repository", ID, (c) => c.notNull().references("image_repositories.name"))
    .addColumn("digest", ID, (c) => c.notNull())
    .addColumn("media_type", "text", (c) => c.notNull())
    .addColumn("artifact_type", "text")
    .addColumn("subject_digest", ID)
    .addColumn("content", "bytea", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("total_size", "bigint", (c) => c.notNull())
    .addColumn("annotations", "jsonb")
    .addColumn("platforms", "jsonb")
    .addColumn("created", "timestamptz")
    .addColumn("pushed_at", "timestamptz", (c) => c.notNull())
    .addColumn("pushed_by", "text", (c) => c.notNull())
    .addColumn("provenance_status", "text", (c) =>
      c.notNull().check(sql`provenance_status in ('known', 'missing', 'pending')`),
    )
    .addColumn("provenance_origin", "text")
    .addColumn("source_url", "text")
    .addColumn("source_revision", "text")
    .addColumn("source_author", "text")
    .addColumn("source_clean", "boolean")
    .addColumn("provenance_note", "text")
    .addPrimaryKeyConstraint("image_manifests_pk", ["repository", "digest"])
    .execute();
  await db.schema
    .createIndex("image_manifests_subject")
    .on("image_manifests")
    .columns(["repository", "subject_digest"])
    .where(sql.ref("subject_digest"), "is not", null)
    .execute();
  await db.schema
    .createIndex("image_manifests_pending")
    .on("image_manifests")
    .column("pushed_at")
    .where(sql.ref("provenance_status"), "=", "pending")
    .execute();

  // What a manifest references: blobs (config, layers) and, for an index, other manifests. Garbage
  // collection keeps every blob some manifest references.
  await db.schema
    .createTable("image_manifest_references")
    .addColumn("repository", ID, (c) => c.notNull())
    .addColumn("manifest_digest", ID, (c) => c.notNull())
    .addColumn("digest", ID, (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('blob', 'manifest')`))
    .addPrimaryKeyConstraint("image_manifest_references_pk", ["repository", "manifest_digest", "digest"])
    .addForeignKeyConstraint(
      "image_manifest_references_manifest",
      ["repository", "manifest_digest"],
      "image_manifests",
      ["repository", "digest"],
      (c) => c.onDelete("cascade"),
    )
    .execute();
  await db.schema
    .createIndex("image_manifest_references_digest")
    .on("image_manifest_references")
    .column("digest")
    .execute();

  await db.schema
    .createTable("image_tags")
    .addColumn("repository", ID, (c) => c.notNull())
    .addColumn("tag", ID, (c) => c.notNull())
    .addColumn("digest", ID, (c) => c.notNull())
    .addColumn("pushed_at", "timestamptz", (c) => c.notNull())
    .addColumn("pushed_by", "text", (c) => c.notNull())
    .addColumn("revoked_at", "timestamptz")
    .addColumn("revoked_by", "text")
    .addColumn("revoked_reason", "text")
    .addPrimaryKeyConstraint("image_tags_pk", ["repository", "tag"])
    .addForeignKeyConstraint("image_tags_manifest", ["repository", "digest"], "image_manifests", [
      "repository",
      "digest",
    ])
    .execute();
  await db.schema
    .createIndex("image_tags_pushed")
    .on("image_tags")
    .columns(["repository", "pushed_at desc", "tag"])
    .execute();
  await db.schema
    .createIndex("image_tags_digest")
    .on("image_tags")
    .columns(["repository", "digest"])
    .execute();

  // An upload in progress: its bytes are parts in the object store, one per PATCH. Parts are only
  // recorded once fully received, so an interrupted PATCH resumes from the last whole part.
  await db.schema
    .createTable("image_uploads")
    .addColumn("id", ID, (c) => c.primaryKey())
    .addColumn("repository", ID, (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("parts", "jsonb", (c) => c.notNull())
    .addColumn("started_at", "timestamptz", (c) => c.notNull())
    .addColumn("started_by", "text", (c) => c.notNull())
    .addColumn("touched_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("image_uploads_touched").on("image_uploads").column("touched_at").execute();
}

import { type Kysely, type Selectable, sql } from "kysely";
import type { Database } from "../db/index.js";
import type { ReceivedPart } from "./blob-storage.js";
import type { Artifact, ProvenanceView, Tag } from "./types.js";

interface RepositoriesTable {
  name: string;
  team_id: string;
  artifact: string;
  created_at: Date;
  created_by: string;
  last_pushed_at: Date | null;
}

interface BlobsTable {
  digest: string;
  size: string | number;
  created_at: Date;
  touched_at: Date;
}

interface RepositoryBlobsTable {
  repository: string;
  digest: string;
  linked_at: Date;
}

interface ManifestsTable {
  repository: string;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject_digest: string | null;
  content: Uint8Array;
  size: string | number;
  total_size: string | number;
  annotations: string | null;
  platforms: string | null;
  created: Date | null;
  pushed_at: Date;
  pushed_by: string;
  provenance_status: ProvenanceView["status"];
  provenance_origin: string | null;
  source_url: string | null;
  source_revision: string | null;
  source_author: string | null;
  source_clean: boolean | null;
  provenance_note: string | null;
}

interface ManifestReferencesTable {
  repository: string;
  manifest_digest: string;
  digest: string;
  kind: "blob" | "manifest";
}

interface TagsTable {
  repository: string;
  tag: string;
  digest: string;
  pushed_at: Date;
  pushed_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoked_reason: string | null;
}

interface UploadsTable {
  id: string;
  repository: string;
  size: string | number;
  parts: string;
  started_at: Date;
  started_by: string;
  touched_at: Date;
}

/** The tables of migration 0006_images. */
export interface ImagesTables {
  image_repositories: RepositoriesTable;
  image_blobs: BlobsTable;
  image_repository_blobs: RepositoryBlobsTable;
  image_manifests: ManifestsTable;
  image_manifest_references: ManifestReferencesTable;
  image_tags: TagsTable;
  image_uploads: UploadsTable;
}

/** A stored manifest, without its content unless asked for. */
export interface StoredManifest {
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType: string | null;
  readonly subjectDigest: string | null;
  readonly size: number;
  readonly annotations: Record<string, string> | null;
}

export interface NewManifest {
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType: string | null;
  readonly subjectDigest: string | null;
  readonly content: Uint8Array;
  readonly totalSize: number;
  readonly annotations: Record<string, string> | null;
  readonly platforms: readonly string[] | null;
  readonly created: Date | null;
  readonly pushedAt: Date;
  readonly pushedBy: string;
  readonly provenance: ProvenanceView;
  readonly references: ReadonlyArray<{ readonly digest: string; readonly kind: "blob" | "manifest" }>;
}

export interface Upload {
  readonly id: string;
  readonly repository: string;
  readonly size: number;
  /** The parts received so far, in order. */
  readonly parts: readonly ReceivedPart[];
  /** Who started it: the repository's creator, if its first blob comes from this upload. */
  readonly startedBy: string;
  readonly touchedAt: Date;
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
const parsed = <T>(value: unknown): T | null =>
  value === null || value === undefined
    ? null
    : typeof value === "string"
      ? (JSON.parse(value) as T)
      : (value as T);

function provenanceColumns(p: ProvenanceView) {
  return {
    provenance_status: p.status,
    provenance_origin: p.origin ?? null,
    source_url: p.url ?? null,
    source_revision: p.revision ?? null,
    source_author: p.author ?? null,
    source_clean: p.clean ?? null,
    provenance_note: p.note ?? null,
  };
}

function toProvenance(
  row: Pick<Selectable<ManifestsTable>, keyof ReturnType<typeof provenanceColumns>>,
): ProvenanceView {
  if (row.provenance_status !== "known") {
    return {
      status: row.provenance_status,
      ...(row.provenance_note === null ? {} : { note: row.provenance_note }),
    };
  }
  return {
    status: "known",
    origin: row.provenance_origin as NonNullable<ProvenanceView["origin"]>,
    url: row.source_url ?? "",
    revision: row.source_revision ?? "",
    author: row.source_author,
    clean: row.source_clean,
  };
}

/** What `StoredManifest` is read from, in queries that name the manifests table `m`. */
const MANIFEST_COLUMNS = [
  "m.repository",
  "m.digest",
  "m.media_type",
  "m.artifact_type",
  "m.subject_digest",
  "m.size",
  "m.annotations",
  "m.content",
] as const;

const TAG_COLUMNS = [
  "t.repository",
  "t.tag",
  "t.digest",
  "t.pushed_at",
  "t.pushed_by",
  "t.revoked_at",
  "t.revoked_by",
  "t.revoked_reason",
  "r.team_id",
  "r.artifact",
  "m.media_type",
  "m.total_size",
  "m.platforms",
  "m.created",
  "m.provenance_status",
  "m.provenance_origin",
  "m.source_url",
  "m.source_revision",
  "m.source_author",
  "m.source_clean",
  "m.provenance_note",
] as const;

/**
 * The only code that reads or writes the image registry's tables. Every method runs on the executor
 * the store was made with, so a store made inside a transaction writes inside it.
 */
export class ImagesStore {
  readonly #db: Kysely<ImagesTables>;

  constructor(db: Database) {
    this.#db = db as Kysely<ImagesTables>;
  }

  transaction<T>(work: (store: ImagesStore, tx: Database) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((tx) => work(new ImagesStore(tx), tx));
  }

  // Repositories

  async repositoryExists(name: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom("image_repositories")
      .select("name")
      .where("name", "=", name)
      .executeTakeFirst();
    return row !== undefined;
  }

  async ensureRepository(
    repo: { name: string; team: string; artifact: string },
    at: Date,
    by: string,
  ): Promise<void> {
    await this.#db
      .insertInto("image_repositories")
      .values({
        name: repo.name,
        team_id: repo.team,
        artifact: repo.artifact,
        created_at: at,
        created_by: by,
        last_pushed_at: null,
      })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
  }

  /** Repository names after `last`, in lexical order (the catalog). */
  async repositoryNames(limit: number, last?: string): Promise<string[]> {
    let query = this.#db.selectFrom("image_repositories").select("name").orderBy("name").limit(limit);
    if (last !== undefined) query = query.where("name", ">", last);
    return (await query.execute()).map((row) => row.name);
  }

  async listArtifacts(options: { team?: string; after?: string; limit: number }): Promise<Artifact[]> {
    let query = this.#db
      .selectFrom("image_repositories as r")
      .select(["r.name", "r.team_id", "r.artifact", "r.last_pushed_at"])
      .select((eb) =>
        eb
          .selectFrom("image_tags as t")
          .whereRef("t.repository", "=", "r.name")
          .select(sql<string>`count(*)`.as("n"))
          .as("tag_count"),
      )
      .orderBy("r.name")
      .limit(options.limit);
    if (options.team !== undefined) query = query.where("r.team_id", "=", options.team);
    if (options.after !== undefined) query = query.where("r.name", ">", options.after);
    return (await query.execute()).map((row) => ({
      team: row.team_id,
      artifact: row.artifact,
      repository: row.name,
      tagCount: Number(row.tag_count ?? 0),
      lastPushedAt: row.last_pushed_at,
    }));
  }

  // Blobs

  /** The size of a blob linked to the repository, or undefined when it is not visible there. */
  async linkedBlobSize(repository: string, digest: string): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom("image_repository_blobs as l")
      .innerJoin("image_blobs as b", "b.digest", "l.digest")
      .select("b.size")
      .where("l.repository", "=", repository)
      .where("l.digest", "=", digest)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.size);
  }

  /**
   * Records a stored blob, or refreshes its timestamp; holds the row's lock until the transaction
   * ends, so garbage collection cannot delete the object while the caller links or moves it.
   */
  async upsertBlob(digest: string, size: number, at: Date): Promise<void> {
    await this.#db
      .insertInto("image_blobs")
      .values({ digest, size, created_at: at, touched_at: at })
      .onConflict((oc) => oc.column("digest").doUpdateSet({ touched_at: at }))
      .execute();
  }

  /**
   * Marks a blob linked to `repository` as used at `at`, locking its row until the transaction
   * ends; false when the repository does not have it (or a garbage collection just removed it).
   */
  async touchLinkedBlob(repository: string, digest: string, at: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable("image_blobs")
      .set({ touched_at: at })
      .where("digest", "=", digest)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("image_repository_blobs as l")
            .select("l.digest")
            .where("l.repository", "=", repository)
            .whereRef("l.digest", "=", "image_blobs.digest"),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async linkBlob(repository: string, digest: string, at: Date): Promise<void> {
    await this.#db
      .insertInto("image_repository_blobs")
      .values({ repository, digest, linked_at: at })
      .onConflict((oc) => oc.columns(["repository", "digest"]).doUpdateSet({ linked_at: at }))
      .execute();
  }

  /**
   * Of `digests`, those linked to the repository, locked against garbage collection until the
   * transaction ends.
   */
  async lockLinkedBlobs(repository: string, digests: readonly string[]): Promise<Map<string, number>> {
    if (digests.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom("image_blobs as b")
      .innerJoin("image_repository_blobs as l", "l.digest", "b.digest")
      .select(["b.digest", "b.size"])
      .where("l.repository", "=", repository)
      .where("b.digest", "in", [...digests])
      .forShare()
      .execute();
    return new Map(rows.map((row) => [row.digest, Number(row.size)]));
  }

  // Uploads

  async createUpload(id: string, repository: string, at: Date, by: string): Promise<void> {
    await this.#db
      .insertInto("image_uploads")
      .values({ id, repository, size: 0, parts: "[]", started_at: at, started_by: by, touched_at: at })
      .execute();
  }

  /** Of `ids`, those with an upload row. */
  async existingUploads(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("image_uploads")
      .select("id")
      .where("id", "in", [...ids])
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  /** Of `digests`, those with a blob row. */
  async existingBlobs(digests: readonly string[]): Promise<Set<string>> {
    if (digests.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("image_blobs")
      .select("digest")
      .where("digest", "in", [...digests])
      .execute();
    return new Set(rows.map((row) => row.digest));
  }

  async findUpload(repository: string, id: string): Promise<Upload | undefined> {
    const row = await this.#db
      .selectFrom("image_uploads")
      .selectAll()
      .where("id", "=", id)
      .where("repository", "=", repository)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return toUpload(row);
  }

  /**
   * Appends a received part, provided the upload is still at `expectedSize` (a concurrent PATCH to
   * the same upload loses); false when it was not.
   */
  async appendUploadPart(upload: Upload, part: ReceivedPart, at: Date): Promise<boolean> {
    const parts = [...upload.parts, part];
    const result = await this.#db
      .updateTable("image_uploads")
      .set({
        size: upload.size + part.size,
        parts: JSON.stringify(parts),
        touched_at: at,
      })
      .where("id", "=", upload.id)
      .where("size", "=", upload.size)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteUpload(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom("image_uploads").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Uploads untouched since `before`, oldest first. */
  async staleUploads(before: Date, limit: number): Promise<Upload[]> {
    const rows = await this.#db
      .selectFrom("image_uploads")
      .selectAll()
      .where("touched_at", "<", before)
      .orderBy("touched_at")
      .limit(limit)
      .execute();
    return rows.map(toUpload);
  }

  // Manifests

  async findManifest(
    repository: string,
    digest: string,
  ): Promise<(StoredManifest & { content: Uint8Array }) | undefined> {
    const row = await this.#db
      .selectFrom("image_manifests as m")
      .select(MANIFEST_COLUMNS)
      .where("m.repository", "=", repository)
      .where("m.digest", "=", digest)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return toStoredManifest(row);
  }

  /** The manifest a tag points to, in one query. */
  async findTaggedManifest(
    repository: string,
    tag: string,
  ): Promise<(StoredManifest & { content: Uint8Array }) | undefined> {
    const row = await this.#db
      .selectFrom("image_tags as t")
      .innerJoin("image_manifests as m", (join) =>
        join.onRef("m.repository", "=", "t.repository").onRef("m.digest", "=", "t.digest"),
      )
      .select(MANIFEST_COLUMNS)
      .where("t.repository", "=", repository)
      .where("t.tag", "=", tag)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return toStoredManifest(row);
  }

  /** Of `digests`, the manifests present in the repository, locked until the transaction ends. */
  async lockManifests(repository: string, digests: readonly string[]): Promise<Map<string, number>> {
    if (digests.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom("image_manifests")
      .select(["digest", "total_size"])
      .where("repository", "=", repository)
      .where("digest", "in", [...digests])
      .forShare()
      .execute();
    return new Map(rows.map((row) => [row.digest, Number(row.total_size)]));
  }

  /** Inserts the manifest and its references; false when the repository already had it. */
  async insertManifest(m: NewManifest): Promise<boolean> {
    const inserted = await this.#db
      .insertInto("image_manifests")
      .values({
        repository: m.repository,
        digest: m.digest,
        media_type: m.mediaType,
        artifact_type: m.artifactType,
        subject_digest: m.subjectDigest,
        content: m.content,
        size: m.content.byteLength,
        total_size: m.totalSize,
        annotations: json(m.annotations),
        platforms: json(m.platforms),
        created: m.created,
        pushed_at: m.pushedAt,
        pushed_by: m.pushedBy,
        ...provenanceColumns(m.provenance),
      })
      .onConflict((oc) => oc.columns(["repository", "digest"]).doNothing())
      .returning("digest")
      .executeTakeFirst();
    if (inserted === undefined) return false;
    const references = [...new Map(m.references.map((r) => [r.digest, r])).values()];
    if (references.length > 0) {
      await this.#db
        .insertInto("image_manifest_references")
        .values(
          references.map((r) => ({
            repository: m.repository,
            manifest_digest: m.digest,
            digest: r.digest,
            kind: r.kind,
          })),
        )
        .execute();
    }
    return true;
  }

  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom("image_manifests")
      .where("repository", "=", repository)
      .where("digest", "=", digest)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Whether another manifest of the repository (an index) lists this one. */
  async isReferencedManifest(repository: string, digest: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom("image_manifest_references")
      .select("manifest_digest")
      .where("repository", "=", repository)
      .where("digest", "=", digest)
      .where("kind", "=", "manifest")
      .executeTakeFirst();
    return row !== undefined;
  }

  async setProvenance(repository: string, digest: string, provenance: ProvenanceView): Promise<void> {
    await this.#db
      .updateTable("image_manifests")
      .set(provenanceColumns(provenance))
      .where("repository", "=", repository)
      .where("digest", "=", digest)
      .execute();
  }

  /**
   * Records what reading the layers found, unless the provenance stopped being pending meanwhile
   * (an scm-source referrer was pushed while the layers were read: it wins).
   */
  /** Records what the layers said, unless something else resolved it first; true when recorded. */
  async resolvePendingProvenance(
    repository: string,
    digest: string,
    provenance: ProvenanceView,
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable("image_manifests")
      .set(provenanceColumns(provenance))
      .where("repository", "=", repository)
      .where("digest", "=", digest)
      .where("provenance_status", "=", "pending")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async provenanceOf(repository: string, digest: string): Promise<ProvenanceView | undefined> {
    const row = await this.#db
      .selectFrom("image_manifests")
      .select([
        "provenance_status",
        "provenance_origin",
        "source_url",
        "source_revision",
        "source_author",
        "source_clean",
        "provenance_note",
      ])
      .where("repository", "=", repository)
      .where("digest", "=", digest)
      .executeTakeFirst();
    return row === undefined ? undefined : toProvenance(row);
  }

  /** Manifests whose provenance is still to be found, oldest first. */
  async pendingProvenance(limit: number): Promise<Array<{ repository: string; digest: string }>> {
    return this.#db
      .selectFrom("image_manifests")
      .select(["repository", "digest"])
      .where("provenance_status", "=", "pending")
      .orderBy("pushed_at")
      .limit(limit)
      .execute();
  }

  /** The layers of an image manifest, in order, from its references' content. */
  async manifestContent(repository: string, digest: string): Promise<Uint8Array | undefined> {
    const row = await this.#db
      .selectFrom("image_manifests")
      .select("content")
      .where("repository", "=", repository)
      .where("digest", "=", digest)
      .executeTakeFirst();
    return row?.content;
  }

  /** Manifests whose subject is `subject`, optionally of one artifact type. */
  async referrers(repository: string, subject: string, artifactType?: string) {
    let query = this.#db
      .selectFrom("image_manifests")
      .select(["digest", "media_type", "artifact_type", "size", "annotations"])
      .where("repository", "=", repository)
      .where("subject_digest", "=", subject)
      .orderBy("digest")
      .limit(10_000);
    if (artifactType !== undefined) query = query.where("artifact_type", "=", artifactType);
    const rows = await query.execute();
    return rows.map((row) => ({
      digest: row.digest,
      mediaType: row.media_type,
      artifactType: row.artifact_type,
      size: Number(row.size),
      annotations: parsed<Record<string, string>>(row.annotations),
    }));
  }

  // Tags

  async findTagDigest(
    repository: string,
    tag: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<string | undefined> {
    let query = this.#db
      .selectFrom("image_tags")
      .select("digest")
      .where("repository", "=", repository)
      .where("tag", "=", tag);
    if (options.forUpdate === true) query = query.forUpdate();
    return (await query.executeTakeFirst())?.digest;
  }

  /** Creates the tag unless it exists (then false): a concurrent push of the same tag waits here. */
  async insertTag(repository: string, tag: string, digest: string, at: Date, by: string): Promise<boolean> {
    const row = await this.#db
      .insertInto("image_tags")
      .values({ repository, tag, ...pushedTag(digest, at, by) })
      .onConflict((oc) => oc.columns(["repository", "tag"]).doNothing())
      .returning("tag")
      .executeTakeFirst();
    if (row !== undefined) {
      await this.#db
        .updateTable("image_repositories")
        .set({ last_pushed_at: at })
        .where("name", "=", repository)
        .execute();
    }
    return row !== undefined;
  }

  async upsertTag(repository: string, tag: string, digest: string, at: Date, by: string): Promise<void> {
    await this.#db
      .insertInto("image_tags")
      .values({ repository, tag, ...pushedTag(digest, at, by) })
      .onConflict((oc) => oc.columns(["repository", "tag"]).doUpdateSet(pushedTag(digest, at, by)))
      .execute();
    await this.#db
      .updateTable("image_repositories")
      .set({ last_pushed_at: at })
      .where("name", "=", repository)
      .execute();
  }

  async countTags(repository: string, digest: string): Promise<number> {
    const row = await this.#db
      .selectFrom("image_tags")
      .select(sql<string>`count(*)`.as("n"))
      .where("repository", "=", repository)
      .where("digest", "=", digest)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Tag names after `last`, in lexical order (the OCI tag list). */
  async tagNames(repository: string, limit: number, last?: string): Promise<string[]> {
    let query = this.#db
      .selectFrom("image_tags")
      .select("tag")
      .where("repository", "=", repository)
      .orderBy("tag")
      .limit(limit);
    if (last !== undefined) query = query.where("tag", ">", last);
    return (await query.execute()).map((row) => row.tag);
  }

  async findTag(repository: string, tag: string): Promise<Tag | undefined> {
    const row = await this.#tags()
      .where("t.repository", "=", repository)
      .where("t.tag", "=", tag)
      .executeTakeFirst();
    return row === undefined ? undefined : toTag(row);
  }

  /** Tags of a repository, newest first, after the (pushed_at, tag) position `after`. */
  async listTags(repository: string, limit: number, after?: { at: Date; tag: string }): Promise<Tag[]> {
    let query = this.#tags()
      .where("t.repository", "=", repository)
      .orderBy("t.pushed_at", "desc")
      .orderBy("t.tag")
      .limit(limit);
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb("t.pushed_at", "<", after.at),
          eb.and([eb("t.pushed_at", "=", after.at), eb("t.tag", ">", after.tag)]),
        ]),
      );
    }
    return (await query.execute()).map(toTag);
  }

  async revokeTag(
    repository: string,
    tag: string,
    revocation: { at: Date; by: string; reason: string },
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable("image_tags")
      .set({ revoked_at: revocation.at, revoked_by: revocation.by, revoked_reason: revocation.reason })
      .where("repository", "=", repository)
      .where("tag", "=", tag)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  #tags() {
    return this.#db
      .selectFrom("image_tags as t")
      .innerJoin("image_repositories as r", "r.name", "t.repository")
      .innerJoin("image_manifests as m", (join) =>
        join.onRef("m.repository", "=", "t.repository").onRef("m.digest", "=", "t.digest"),
      )
      .select(TAG_COLUMNS);
  }

  // Garbage collection

  /** Blobs no manifest references and untouched since `before`. */
  async unreferencedBlobs(before: Date, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom("image_blobs as b")
      .select("b.digest")
      .where("b.touched_at", "<", before)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("image_manifest_references as r")
              .select("r.digest")
              .whereRef("r.digest", "=", "b.digest")
              .where("r.kind", "=", "blob"),
          ),
        ),
      )
      .orderBy("b.digest")
      .limit(limit)
      .execute();
    return rows.map((row) => row.digest);
  }

  /**
   * Deletes the blob's row (and its links) if it is still unreferenced and untouched since
   * `before`, holding its lock so a concurrent push waits; true when deleted.
   */
  async deleteBlobIfUnreferenced(digest: string, before: Date): Promise<boolean> {
    const locked = await this.#db
      .selectFrom("image_blobs")
      .select(["digest", "touched_at"])
      .where("digest", "=", digest)
      .forUpdate()
      .executeTakeFirst();
    if (locked === undefined || locked.touched_at >= before) return false;
    const referenced = await this.#db
      .selectFrom("image_manifest_references")
      .select("digest")
      .where("digest", "=", digest)
      .where("kind", "=", "blob")
      .executeTakeFirst();
    if (referenced !== undefined) return false;
    await this.#db.deleteFrom("image_blobs").where("digest", "=", digest).execute();
    return true;
  }
}

type TagRow = {
  repository: string;
  tag: string;
  digest: string;
  pushed_at: Date;
  pushed_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoked_reason: string | null;
  team_id: string;
  artifact: string;
  media_type: string;
  total_size: string | number;
  platforms: string | null;
  created: Date | null;
} & Pick<Selectable<ManifestsTable>, keyof ReturnType<typeof provenanceColumns>>;

function toTag(row: TagRow): Tag {
  const platforms = parsed<string[]>(row.platforms);
  return {
    team: row.team_id,
    artifact: row.artifact,
    repository: row.repository,
    tag: row.tag,
    digest: row.digest,
    mediaType: row.media_type,
    size: Number(row.total_size),
    ...(platforms === null ? {} : { platforms }),
    created: row.created,
    pushedAt: row.pushed_at,
    pushedBy: row.pushed_by,
    provenance: toProvenance(row),
    revoked:
      row.revoked_at === null
        ? null
        : { at: row.revoked_at, by: row.revoked_by ?? "", reason: row.revoked_reason ?? "" },
  };
}

function toUpload(row: Selectable<UploadsTable>): Upload {
  return {
    id: row.id,
    repository: row.repository,
    size: Number(row.size),
    parts: parsed<ReceivedPart[]>(row.parts) ?? [],
    startedBy: row.started_by,
    touchedAt: row.touched_at,
  };
}

type ManifestRow = Pick<
  Selectable<ManifestsTable>,
  | "repository"
  | "digest"
  | "media_type"
  | "artifact_type"
  | "subject_digest"
  | "size"
  | "annotations"
  | "content"
>;

function toStoredManifest(row: ManifestRow): StoredManifest & { content: Uint8Array } {
  return {
    repository: row.repository,
    digest: row.digest,
    mediaType: row.media_type,
    artifactType: row.artifact_type,
    subjectDigest: row.subject_digest,
    size: Number(row.size),
    annotations: parsed(row.annotations),
    content: row.content,
  };
}

/** The columns of a tag as a push leaves it: pointing at `digest`, not revoked. */
function pushedTag(digest: string, at: Date, by: string) {
  return {
    digest,
    pushed_at: at,
    pushed_by: by,
    revoked_at: null,
    revoked_by: null,
    revoked_reason: null,
  };
}

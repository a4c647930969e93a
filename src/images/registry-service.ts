import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Actor, AuditSink, Clock } from "../core/index.js";
import { systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import type { BlobStorage } from "./blob-storage.js";
import { type Digest, digestOf, isDigest, parseDigest } from "./digest.js";
import { ImagesErrors } from "./errors.js";
import { isImageConfig, MEDIA_TYPES, type ParsedManifest, parseManifest } from "./manifest.js";
import { isTag, type RepositoryName } from "./names.js";
import { provenanceFromAnnotations } from "./provenance/annotations.js";
import type { Provenance } from "./provenance/provenance.js";
import { ReferrerProvenance } from "./referrer-provenance.js";
import { ImagesStore, type Upload } from "./store.js";
import type { ProvenanceView } from "./types.js";

/** Manifests larger than this are refused (the OCI specification asks registries to take 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Chunks one upload may have: each is an object to join at the end, and a row entry to rewrite. */
export const MAX_UPLOAD_PARTS = 10_000;
/** Image configs are read at push time for `created`, labels and the platform. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface RegistryServiceOptions {
  readonly db: Database;
  readonly blobs: BlobStorage;
  readonly audit: AuditSink;
  readonly clock?: Clock;
  /** Tags matching it may be moved to other content; default: none (every tag is immutable). */
  readonly mutableTags?: RegExp;
  /** Called after a push left an image whose provenance must be looked for in its layers. */
  readonly onProvenancePending?: () => void;
}

export interface BlobRead {
  readonly size: number;
  /** The whole blob, or the requested range of it. */
  readonly range?: { readonly start: number; readonly end: number };
  readonly body: Readable;
}

/** Where to fetch a blob directly (a presigned object-store URL). */
export interface BlobRedirect {
  readonly size: number;
  readonly url: string;
}

export interface PushedManifest {
  readonly digest: string;
  readonly subject?: string;
}

const RANGE_NONE = undefined;

/**
 * The registry's operations as the OCI Distribution Specification defines them: uploads, blobs,
 * manifests, tags, referrers and the catalog. Callers have checked access (see `RegistryAccess`).
 * Blob bytes live in the object store; what exists where, and every manifest, in the database.
 */
export class RegistryService {
  readonly #store: ImagesStore;
  readonly #blobs: BlobStorage;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #mutableTags: RegExp | undefined;
  readonly #onPending: () => void;
  readonly #referrers: ReferrerProvenance;

  constructor(options: RegistryServiceOptions) {
    this.#store = new ImagesStore(options.db);
    this.#blobs = options.blobs;
    this.#audit = options.audit;
    this.#clock = options.clock ?? systemClock;
    this.#mutableTags = options.mutableTags;
    this.#onPending = options.onProvenancePending ?? (() => {});
    this.#referrers = new ReferrerProvenance(options.blobs);
  }

  // Uploads

  async startUpload(repo: RepositoryName, actor: Actor): Promise<Upload> {
    const id = randomUUID();
    const now = this.#clock.now();
    // The repository itself appears with its first blob or manifest, so an abandoned or refused
    // push leaves nothing behind.
    await this.#store.createUpload(id, repo.name, now, actor.sub);
    return { id, repository: repo.name, size: 0, parts: [], startedBy: actor.sub, touchedAt: now };
  }

  async upload(repo: RepositoryName, id: string): Promise<Upload> {
    const upload = isUploadId(id) ? await this.#store.findUpload(repo.name, id) : undefined;
    if (upload === undefined)
      throw ImagesErrors.IMAGES_BLOB_UPLOAD_UNKNOWN(`no upload ${id.slice(0, 64)} in ${repo.name}`);
    return upload;
  }

  /**
   * Appends one chunk. A `range` (from Content-Range) must start where the upload ends; without one
   * the chunk is appended (a streamed PATCH). The chunk counts only once wholly received, so an
   * interrupted request leaves the upload where it was, to be resumed.
   */
  async appendChunk(
    repo: RepositoryName,
    id: string,
    body: AsyncIterable<Uint8Array>,
    range?: { start: number; end: number },
    signal?: AbortSignal,
  ): Promise<Upload> {
    const upload = await this.upload(repo, id);
    if (range !== undefined && range.start !== upload.size) {
      throw ImagesErrors.IMAGES_UPLOAD_OUT_OF_ORDER(
        `chunk starts at ${range.start} but upload ${id} has ${upload.size} bytes`,
        { uploaded: upload.size },
      );
    }
    if (upload.parts.length >= MAX_UPLOAD_PARTS) {
      throw ImagesErrors.IMAGES_BLOB_UPLOAD_INVALID(
        `upload ${id} has ${MAX_UPLOAD_PARTS} chunks already; send larger chunks or one stream`,
      );
    }
    const part = await this.#blobs.receivePart(id, upload.size, body, signal);
    if (range !== undefined && part.size !== range.end - range.start + 1) {
      await this.#blobs.deleteKeys([part.key]);
      throw ImagesErrors.IMAGES_BLOB_UPLOAD_INVALID(
        `Content-Range announced ${range.end - range.start + 1} bytes but the chunk had ${part.size}`,
      );
    }
    const now = this.#clock.now();
    if (!(await this.#store.appendUploadPart(upload, part, now))) {
      await this.#blobs.deleteKeys([part.key]);
      throw ImagesErrors.IMAGES_UPLOAD_OUT_OF_ORDER(`upload ${id} changed while this chunk was sent`, {
        uploaded: (await this.upload(repo, id)).size,
      });
    }
    return { ...upload, size: upload.size + part.size, parts: [...upload.parts, part], touchedAt: now };
  }

  /** Completes an upload with the blob's digest, after an optional last chunk. */
  async completeUpload(
    repo: RepositoryName,
    id: string,
    digest: string,
    lastChunk?: AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<{ digest: string; size: number }> {
    const expected = parseDigest(digest);
    let upload = await this.upload(repo, id);
    if (lastChunk !== undefined) upload = await this.appendChunk(repo, id, lastChunk, RANGE_NONE, signal);
    if (upload.parts.length === 0) upload = await this.appendChunk(repo, id, emptyBody(), RANGE_NONE, signal);
    const verifiedKey = await this.#blobs.verify(id, upload.parts, expected);
    await this.#publishBlob(repo, expected, upload.size, verifiedKey, upload.startedBy);
    await this.#store.deleteUpload(id);
    await this.#blobs.deleteUpload(id);
    return { digest: expected.value, size: upload.size };
  }

  /** A blob sent whole in the POST that would otherwise start an upload. */
  async putBlob(
    repo: RepositoryName,
    digest: string,
    body: AsyncIterable<Uint8Array>,
    actor: Actor,
    signal?: AbortSignal,
  ): Promise<{ digest: string; size: number }> {
    const expected = parseDigest(digest);
    const upload = await this.startUpload(repo, actor);
    try {
      return await this.completeUpload(repo, upload.id, expected.value, body, signal);
    } catch (error) {
      await this.cancelUpload(repo, upload.id).catch(() => {});
      throw error;
    }
  }

  async cancelUpload(repo: RepositoryName, id: string): Promise<void> {
    const upload = await this.upload(repo, id);
    await this.#store.deleteUpload(upload.id);
    await this.#blobs.deleteUpload(upload.id);
  }

  /**
   * Links a blob of `from` into `repo` without moving bytes; false when `from` does not have it (the
   * client then uploads). The caller has checked that the principal may pull `from`.
   */
  async mountBlob(
    repo: RepositoryName,
    digest: string,
    from: RepositoryName,
    actor: Actor,
  ): Promise<boolean> {
    parseDigest(digest);
    const now = this.#clock.now();
    return this.#store.transaction(async (store) => {
      // Refreshing the blob's row (which locks it) instead of writing it anew: had a garbage
      // collection just removed the blob, re-creating the row would show bytes that are gone.
      if (!(await store.touchLinkedBlob(from.name, digest, now))) return false;
      await this.#ensureRepository(store, repo, actor.sub);
      await store.linkBlob(repo.name, digest, now);
      return true;
    });
  }

  // Blobs

  async blobSize(repo: RepositoryName, digest: string): Promise<number> {
    parseDigest(digest);
    const size = await this.#store.linkedBlobSize(repo.name, digest);
    if (size === undefined) throw ImagesErrors.IMAGES_BLOB_UNKNOWN(`${repo.name} has no blob ${digest}`);
    return size;
  }

  /**
   * Opens a blob, or a range of it. With `redirect`, a whole blob of at least `minSize` bytes is
   * answered with a presigned URL instead, when the object store can make one.
   */
  async readBlob(
    repo: RepositoryName,
    digest: string,
    range?: { start: number; end?: number },
  ): Promise<BlobRead>;
  async readBlob(
    repo: RepositoryName,
    digest: string,
    range: { start: number; end?: number } | undefined,
    redirect: { minSize: number; ttlSeconds: number },
  ): Promise<BlobRead | BlobRedirect>;
  async readBlob(
    repo: RepositoryName,
    digest: string,
    range?: { start: number; end?: number },
    redirect?: { minSize: number; ttlSeconds: number },
  ): Promise<BlobRead | BlobRedirect> {
    const size = await this.blobSize(repo, digest);
    if (range === undefined && redirect !== undefined && size >= redirect.minSize) {
      const url = await this.#blobs.presignedUrl(digest, redirect.ttlSeconds);
      if (url !== undefined) return { size, url };
    }
    if (range === undefined) return { size, body: await this.#blobs.open(digest) };
    const end = Math.min(range.end ?? size - 1, size - 1);
    if (range.start >= size || range.start > end) {
      throw ImagesErrors.IMAGES_RANGE_NOT_SATISFIABLE(`blob ${digest} has ${size} bytes`, { size });
    }
    return {
      size,
      range: { start: range.start, end },
      body: await this.#blobs.open(digest, { start: range.start, end }),
    };
  }

  // Manifests

  async readManifest(repo: RepositoryName, reference: string) {
    const manifest = isDigest(reference)
      ? await this.#store.findManifest(repo.name, reference)
      : isTag(reference)
        ? await this.#store.findTaggedManifest(repo.name, reference)
        : undefined;
    if (manifest === undefined)
      throw ImagesErrors.IMAGES_MANIFEST_UNKNOWN(`${repo.name} has no manifest ${reference}`);
    return manifest;
  }

  /**
   * Stores a manifest by digest or under a tag. Tags are immutable: pushing different content under
   * an existing tag is TAG_INVALID, pushing the same content again succeeds and changes nothing.
   */
  async putManifest(
    repo: RepositoryName,
    reference: string,
    bytes: Uint8Array,
    contentType: string | undefined,
    actor: Actor,
  ): Promise<PushedManifest> {
    if (bytes.byteLength > MAX_MANIFEST_BYTES) {
      throw ImagesErrors.IMAGES_MANIFEST_TOO_LARGE(`manifests may have at most ${MAX_MANIFEST_BYTES} bytes`);
    }
    const byDigest = isDigest(reference);
    const digest = byDigest ? digestOf(bytes, parseDigest(reference).algorithm) : digestOf(bytes);
    if (byDigest && digest !== reference) {
      throw ImagesErrors.IMAGES_DIGEST_INVALID(`the manifest's digest is ${digest}, not ${reference}`);
    }
    const tag = byDigest ? undefined : this.#checkTag(reference);
    const parsed = parseManifest(bytes, contentType);
    const facts = await this.#imageFacts(repo, parsed);
    const now = this.#clock.now();
    let pending = false;
    await this.#store.transaction(async (store, tx) => {
      await this.#ensureRepository(store, repo, actor.sub);
      const blobDigests = [...(parsed.config === undefined ? [] : [parsed.config]), ...parsed.layers].map(
        (d) => d.digest,
      );
      const blobs = await store.lockLinkedBlobs(repo.name, blobDigests);
      const children = await store.lockManifests(
        repo.name,
        parsed.manifests.map((d) => d.digest),
      );
      const missing = [
        ...blobDigests.filter((d) => !blobs.has(d)),
        ...parsed.manifests.map((d) => d.digest).filter((d) => !children.has(d)),
      ];
      if (missing.length > 0) {
        throw ImagesErrors.IMAGES_MANIFEST_BLOB_UNKNOWN(
          `${repo.name} has no ${missing[0]} (referenced by the manifest)`,
          {
            digest: missing[0],
          },
        );
      }
      const current =
        tag === undefined ? undefined : await store.findTagDigest(repo.name, tag, { forUpdate: true });
      if (tag !== undefined && current !== undefined && current !== digest && !this.#mutableTags?.test(tag)) {
        throw ImagesErrors.IMAGES_TAG_INVALID(
          `tag ${repo.name}:${tag} already points to ${current}; tags are immutable, push a new tag`,
        );
      }
      let provenance = facts.provenance;
      if (provenance === undefined) {
        const attached = await this.#referrers.forSubject(store, repo.name, digest);
        // An unusable attachment explains a missing source, but an image's layers are still read.
        provenance =
          attached?.status === "known" || facts.fallback.status !== "pending"
            ? (attached ?? facts.fallback)
            : facts.fallback;
      }
      const totalSize =
        bytes.byteLength +
        [...blobs.values()].reduce((a, b) => a + b, 0) +
        [...children.values()].reduce((a, b) => a + b, 0);
      const inserted = await store.insertManifest({
        repository: repo.name,
        digest,
        mediaType: parsed.mediaType,
        artifactType: parsed.artifactType ?? null,
        subjectDigest: parsed.subject?.digest ?? null,
        content: bytes,
        totalSize,
        annotations: parsed.annotations ?? null,
        platforms: facts.platforms,
        created: facts.created,
        pushedAt: now,
        pushedBy: actor.sub,
        provenance,
        references: [
          ...blobDigests.map((d) => ({ digest: d, kind: "blob" as const })),
          ...parsed.manifests.map((d) => ({ digest: d.digest, kind: "manifest" as const })),
        ],
      });
      pending = inserted && provenance.status === "pending";
      if (inserted && parsed.subject !== undefined) {
        await this.#referrers.applyToSubject(store, repo.name, parsed, digest, (change) =>
          this.#audit.append(tx, { actor, ...change }),
        );
      }
      // Pushed before: hold it against a concurrent delete until the tag points to it.
      if (!inserted && (await store.lockManifests(repo.name, [digest])).size === 0) {
        throw ImagesErrors.IMAGES_MANIFEST_UNKNOWN(
          `${repo.name}@${digest} was deleted while this push ran; push again`,
        );
      }
      // Immutable tags are only ever inserted: of two pushes racing for a new tag, the second finds
      // the first's row here (PostgreSQL makes it wait for that commit) and compares digests again.
      let tagged = false;
      if (tag !== undefined && current === undefined && !this.#mutableTags?.test(tag)) {
        tagged = await store.insertTag(repo.name, tag, digest, now, actor.sub);
        if (!tagged) {
          const winner = await store.findTagDigest(repo.name, tag, { forUpdate: true });
          if (winner !== digest) {
            throw ImagesErrors.IMAGES_TAG_INVALID(
              `tag ${repo.name}:${tag} already points to ${winner}; tags are immutable, push a new tag`,
            );
          }
        }
      } else if (tag !== undefined && current !== digest) {
        await store.upsertTag(repo.name, tag, digest, now, actor.sub);
        tagged = true;
      }
      if (tagged) {
        await this.#audit.append(tx, {
          actor,
          action: current === undefined ? "image.tag.push" : "image.tag.move",
          target: `image/${repo.name}:${tag}`,
          body: { digest, previous: current ?? null, mediaType: parsed.mediaType, provenance },
        });
      } else if (inserted) {
        await this.#audit.append(tx, {
          actor,
          action: "image.manifest.push",
          target: `image/${repo.name}@${digest}`,
          body: { mediaType: parsed.mediaType, subject: parsed.subject?.digest ?? null },
        });
      }
    });
    if (pending) this.#onPending();
    return { digest, ...(parsed.subject === undefined ? {} : { subject: parsed.subject.digest }) };
  }

  /** Deletes an untagged manifest by digest; tags are never deleted, only revoked. */
  async deleteManifest(repo: RepositoryName, reference: string, actor: Actor): Promise<void> {
    if (!isDigest(reference)) {
      throw ImagesErrors.IMAGES_UNSUPPORTED(
        `tags cannot be deleted; revoke ${repo.name}:${reference} instead`,
      );
    }
    await this.#store.transaction(async (store, tx) => {
      if ((await store.findManifest(repo.name, reference)) === undefined) {
        throw ImagesErrors.IMAGES_MANIFEST_UNKNOWN(`${repo.name} has no manifest ${reference}`);
      }
      if ((await store.countTags(repo.name, reference)) > 0) {
        throw ImagesErrors.IMAGES_UNSUPPORTED(
          `${repo.name}@${reference} is tagged; tags are never deleted, only revoked`,
        );
      }
      if (await store.isReferencedManifest(repo.name, reference)) {
        throw ImagesErrors.IMAGES_UNSUPPORTED(`${repo.name}@${reference} is listed by an index`);
      }
      await store.deleteManifest(repo.name, reference);
      await this.#audit.append(tx, {
        actor,
        action: "image.manifest.delete",
        target: `image/${repo.name}@${reference}`,
      });
    });
  }

  // Listings

  async tagNames(repo: RepositoryName, limit: number, last?: string): Promise<string[]> {
    return this.#store.tagNames(repo.name, limit, last);
  }

  async catalog(limit: number, last?: string): Promise<string[]> {
    return this.#store.repositoryNames(limit, last);
  }

  async referrers(repo: RepositoryName, digest: string, artifactType?: string) {
    parseDigest(digest);
    return this.#store.referrers(repo.name, digest, artifactType);
  }

  async repositoryExists(repo: RepositoryName): Promise<boolean> {
    return this.#store.repositoryExists(repo.name);
  }

  // Internals

  #checkTag(tag: string): string {
    if (!isTag(tag)) throw ImagesErrors.IMAGES_TAG_NAME_INVALID(`"${tag.slice(0, 140)}" is not a valid tag`);
    if (tag === "latest") {
      throw ImagesErrors.IMAGES_TAG_INVALID(
        'tag "latest" cannot be pushed: it names no version; push a version tag',
      );
    }
    return tag;
  }

  async #ensureRepository(store: ImagesStore, repo: RepositoryName, by: string): Promise<void> {
    try {
      await store.ensureRepository(repo, this.#clock.now(), by);
    } catch (error) {
      if ((error as { code?: unknown }).code === "23503") {
        throw ImagesErrors.IMAGES_NAME_UNKNOWN(`there is no team ${repo.team}`);
      }
      throw error;
    }
  }

  /**
   * Records the blob's row first (which also protects it from a concurrent garbage collection),
   * then moves the verified bytes into place, then links it to the repository.
   */
  async #publishBlob(
    repo: RepositoryName,
    digest: Digest,
    size: number,
    verifiedKey: string,
    by: string,
  ): Promise<void> {
    const now = this.#clock.now();
    await this.#store.upsertBlob(digest.value, size, now);
    await this.#blobs.commit(verifiedKey, digest);
    await this.#store.transaction(async (store) => {
      await this.#ensureRepository(store, repo, by);
      await store.linkBlob(repo.name, digest.value, now);
    });
  }

  /**
   * What the push can learn before its transaction: creation time, platforms and provenance from
   * the annotations or the image config's labels; otherwise what to record until the layers are read.
   */
  async #imageFacts(repo: RepositoryName, parsed: ParsedManifest) {
    let created: Date | null = null;
    let platforms: string[] | null = null;
    let labels: Record<string, string> | undefined;
    if (parsed.isIndex) {
      platforms = parsed.manifests
        .map((m) => m.platform)
        .filter((p) => p?.os !== undefined && p.architecture !== undefined)
        .map((p) => [p!.os, p!.architecture, p!.variant].filter(Boolean).join("/"));
    } else if (parsed.config !== undefined && isImageConfig(parsed.config.mediaType)) {
      const config = await this.#readConfig(repo, parsed.config.digest);
      if (config !== undefined) {
        created =
          typeof config.created === "string" && !Number.isNaN(Date.parse(config.created))
            ? new Date(config.created)
            : null;
        if (typeof config.os === "string" && typeof config.architecture === "string") {
          platforms = [
            [config.os, config.architecture, config.variant].filter((v) => typeof v === "string").join("/"),
          ];
        }
        const inner = config.config as { Labels?: unknown } | undefined;
        if (inner?.Labels !== null && typeof inner?.Labels === "object")
          labels = inner.Labels as Record<string, string>;
      }
    }
    const known: Provenance | undefined = provenanceFromAnnotations(parsed.annotations, labels);
    const isImage = !parsed.isIndex && parsed.artifactType === undefined && parsed.layers.length > 0;
    const fallback: ProvenanceView = isImage
      ? { status: "pending" }
      : {
          status: "missing",
          note: parsed.isIndex
            ? "an index names no source of its own; see its manifests"
            : "an artifact, not an image: no scm-source.json to read",
        };
    return { created, platforms, provenance: known === undefined ? undefined : viewOf(known), fallback };
  }

  async #readConfig(repo: RepositoryName, digest: string): Promise<Record<string, unknown> | undefined> {
    const size = await this.#store.linkedBlobSize(repo.name, digest);
    if (size === undefined || size > MAX_CONFIG_BYTES) return undefined;
    try {
      const value: unknown = JSON.parse(
        Buffer.from(await this.#blobs.read(digest, MAX_CONFIG_BYTES)).toString("utf8"),
      );
      return value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }
}

export function viewOf(provenance: Provenance): ProvenanceView {
  return {
    status: "known",
    origin: provenance.origin,
    url: provenance.url,
    revision: provenance.revision,
    author: provenance.author,
    clean: provenance.clean,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isUploadId(id: string): boolean {
  return UUID.test(id);
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

export { MEDIA_TYPES };

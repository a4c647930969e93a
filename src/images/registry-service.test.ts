import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import {
  blobPath,
  buildOciImage,
  OCI_INDEX,
  OCI_MANIFEST,
  type OciImage,
  ociArtifact,
  sha256,
} from "../../test/support/oci-image.js";
import { freshRegistry } from "../../test/support/registry-fixture.js";
import type { FileObjectStore } from "../cloud/index.js";
import { type Actor, type AuditRecord, type AuditSink, ManualClock } from "../core/index.js";
import type { Database, DatabaseHandle } from "../db/index.js";
import type { BlobStorage } from "./blob-storage.js";
import { digestOf } from "./digest.js";
import { ImagesService } from "./images-service.js";
import { parseRepositoryName } from "./names.js";
import { MAX_MANIFEST_BYTES, RegistryService } from "./registry-service.js";

class RecordingAudit implements AuditSink {
  readonly records: AuditRecord[] = [];
  failNext = false;
  async append(_tx: Database, record: AuditRecord): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("audit sink failed");
    }
    this.records.push(record);
  }
  actions(): string[] {
    return this.records.map((r) => `${r.action} ${r.target}`);
  }
}

const ANN: Actor = { sub: "ann", realm: "employees" };
const SCM = { url: "git:git@github.com:acme/shop.git", revision: "0f3a5c9e2b7d", author: "ann", status: "" };

let handle: DatabaseHandle;
let db: Database;
let work: string;
let objects: FileObjectStore;
let blobs: BlobStorage;
let clock: ManualClock;
let audit: RecordingAudit;
let pending: number;
let registry: RegistryService;
let images: ImagesService;
let plain: OciImage;
let annotated: OciImage;
let labelled: OciImage;
let withScm: OciImage;

const shop = parseRepositoryName("alpha", "shop");
const other = parseRepositoryName("alpha", "other");

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield part;
}

async function* failingAfter(part: Uint8Array): AsyncIterable<Uint8Array> {
  yield part;
  throw new Error("connection reset");
}

async function read(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function keys(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const object of objects.list(prefix)) found.push(object.key);
  return found;
}

const putBytes = (repo = shop, bytes: Uint8Array = randomBytes(100)) =>
  registry.putBlob(repo, sha256(bytes), chunks(bytes), ANN);

async function pushBlobsOf(image: OciImage, repo = shop): Promise<void> {
  for (const digest of [image.configDigest, ...image.layerDigests]) {
    await putBytes(repo, await readFile(blobPath(image.dir, digest)));
  }
}

async function pushImage(image: OciImage, tag: string, repo = shop, service = registry) {
  await pushBlobsOf(image, repo);
  return service.putManifest(repo, tag, image.manifest, OCI_MANIFEST, ANN);
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function rejection(
  promise: Promise<unknown>,
): Promise<{ code: string; extensions?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; extensions?: Record<string, unknown> };
  }
  throw new Error("expected a rejection");
}

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
  work = await mkdtemp(join(tmpdir(), "charter-registry-service-"));
  const layers = [{ files: { "app/run.sh": "echo hi\n" } }];
  plain = await buildOciImage(join(work, "plain"), { layers });
  annotated = await buildOciImage(join(work, "annotated"), {
    layers,
    annotations: {
      "org.opencontainers.image.source": "https://github.com/acme/shop",
      "org.opencontainers.image.revision": "4f2c0a1",
      "org.opencontainers.image.authors": "ann@example.com",
    },
  });
  labelled = await buildOciImage(join(work, "labelled"), {
    layers,
    labels: {
      "org.opencontainers.image.source": "https://github.com/acme/labels",
      "org.opencontainers.image.revision": "77aa (locally modified)",
    },
  });
  withScm = await buildOciImage(join(work, "scm"), { layers, scmSource: SCM });
}, 60_000);

afterAll(async () => {
  await handle?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

beforeEach(async () => {
  ({ objects, blobs } = await freshRegistry(db, work, ["alpha", "beta"]));
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  audit = new RecordingAudit();
  pending = 0;
  registry = new RegistryService({ db, blobs, audit, clock, onProvenancePending: () => pending++ });
  images = new ImagesService({ db, audit, clock });
});

describe("uploads", () => {
  it("assembles chunks in order into a verified blob, and forgets the upload", async () => {
    const bytes = randomBytes(3000);
    const upload = await registry.startUpload(shop, ANN);
    expect(upload).toMatchObject({ repository: "alpha/shop", size: 0, parts: [] });
    await registry.appendChunk(shop, upload.id, chunks(bytes.subarray(0, 1000)), { start: 0, end: 999 });
    const second = await registry.appendChunk(shop, upload.id, chunks(bytes.subarray(1000, 2000)), {
      start: 1000,
      end: 1999,
    });
    expect(second.size).toBe(2000);
    const done = await registry.completeUpload(shop, upload.id, sha256(bytes), chunks(bytes.subarray(2000)));
    expect(done).toEqual({ digest: sha256(bytes), size: 3000 });
    expect(await registry.blobSize(shop, sha256(bytes))).toBe(3000);
    expect(await read((await registry.readBlob(shop, sha256(bytes))).body)).toEqual(bytes);
    expect((await rejection(registry.upload(shop, upload.id))).code).toBe("IMAGES_BLOB_UPLOAD_UNKNOWN");
    expect(await keys("uploads/")).toEqual([]);
  });

  it("refuses a chunk that does not continue the upload, telling how much it has", async () => {
    const upload = await registry.startUpload(shop, ANN);
    await registry.appendChunk(shop, upload.id, chunks(randomBytes(10)), { start: 0, end: 9 });
    const error = await rejection(
      registry.appendChunk(shop, upload.id, chunks(randomBytes(10)), { start: 20, end: 29 }),
    );
    expect(error.code).toBe("IMAGES_UPLOAD_OUT_OF_ORDER");
    expect(error.extensions).toEqual({ uploaded: 10 });
    expect((await registry.upload(shop, upload.id)).size).toBe(10);
  });

  it("refuses a chunk shorter or longer than its Content-Range and keeps none of it", async () => {
    const upload = await registry.startUpload(shop, ANN);
    const error = await rejection(
      registry.appendChunk(shop, upload.id, chunks(randomBytes(5)), { start: 0, end: 9 }),
    );
    expect(error.code).toBe("IMAGES_BLOB_UPLOAD_INVALID");
    expect((await registry.upload(shop, upload.id)).size).toBe(0);
    expect(await keys(`uploads/${upload.id}/`)).toEqual([]);
  });

  it("keeps nothing of a chunk whose body fails midway, and the upload goes on", async () => {
    const bytes = randomBytes(2000);
    const upload = await registry.startUpload(shop, ANN);
    await registry.appendChunk(shop, upload.id, chunks(bytes.subarray(0, 1000)));
    const before = await keys(`uploads/${upload.id}/`);
    await expect(
      registry.appendChunk(shop, upload.id, failingAfter(bytes.subarray(1000, 1500))),
    ).rejects.toThrow("connection reset");
    expect((await registry.upload(shop, upload.id)).size).toBe(1000);
    expect(await keys(`uploads/${upload.id}/`)).toEqual(before);
    await registry.appendChunk(shop, upload.id, chunks(bytes.subarray(1000)));
    expect(await registry.completeUpload(shop, upload.id, sha256(bytes))).toEqual({
      digest: sha256(bytes),
      size: 2000,
    });
  });

  it("refuses a wrong digest without making a blob, and keeps the upload for another try", async () => {
    const bytes = randomBytes(1000);
    const upload = await registry.startUpload(shop, ANN);
    await registry.appendChunk(shop, upload.id, chunks(bytes.subarray(0, 400)));
    await registry.appendChunk(shop, upload.id, chunks(bytes.subarray(400)));
    const wrong = sha256(randomBytes(8));
    expect((await rejection(registry.completeUpload(shop, upload.id, wrong))).code).toBe(
      "IMAGES_DIGEST_INVALID",
    );
    expect((await rejection(registry.blobSize(shop, wrong))).code).toBe("IMAGES_BLOB_UNKNOWN");
    expect((await rejection(registry.blobSize(shop, sha256(bytes)))).code).toBe("IMAGES_BLOB_UNKNOWN");
    expect(await keys("blobs/")).toEqual([]);
    // Only the two parts remain: the assembled copy that failed verification is gone.
    expect(await keys(`uploads/${upload.id}/`)).toHaveLength(2);
    expect(await registry.completeUpload(shop, upload.id, sha256(bytes))).toMatchObject({ size: 1000 });
  });

  it("cancels a monolithic upload whose digest is wrong, leaving no upload and no bytes", async () => {
    const bytes = randomBytes(500);
    const error = await rejection(registry.putBlob(shop, sha256(randomBytes(5)), chunks(bytes), ANN));
    expect(error.code).toBe("IMAGES_DIGEST_INVALID");
    expect(await db.selectFrom("image_uploads").selectAll().execute()).toEqual([]);
    expect(await keys("uploads/")).toEqual([]);
    expect(await keys("blobs/")).toEqual([]);
  });

  it("verifies sha512 digests too", async () => {
    const bytes = randomBytes(700);
    const digest = digestOf(bytes, "sha512");
    expect(await registry.putBlob(shop, digest, chunks(bytes), ANN)).toEqual({ digest, size: 700 });
    expect(await read((await registry.readBlob(shop, digest)).body)).toEqual(bytes);
  });

  it("refuses digests that are not sha256 or sha512 ones", async () => {
    for (const digest of ["md5:abc", "sha256:ABC", `sha256:${"a".repeat(63)}`, "sha256"]) {
      expect((await rejection(registry.putBlob(shop, digest, chunks(randomBytes(1)), ANN))).code).toBe(
        "IMAGES_DIGEST_INVALID",
      );
    }
  });

  it("cancels an upload and removes its parts", async () => {
    const upload = await registry.startUpload(shop, ANN);
    await registry.appendChunk(shop, upload.id, chunks(randomBytes(10)));
    await registry.cancelUpload(shop, upload.id);
    expect(await keys("uploads/")).toEqual([]);
    expect((await rejection(registry.cancelUpload(shop, upload.id))).code).toBe("IMAGES_BLOB_UPLOAD_UNKNOWN");
  });

  it("makes a repository with its first blob, and only in a team that exists", async () => {
    const gamma = parseRepositoryName("gamma", "x");
    const upload = await registry.startUpload(gamma, ANN);
    expect(
      await db.selectFrom("image_repositories").select("name").where("name", "=", "gamma/x").execute(),
    ).toEqual([]);
    const bytes = randomBytes(16);
    const error = await rejection(registry.completeUpload(gamma, upload.id, sha256(bytes), chunks(bytes)));
    expect(error.code).toBe("IMAGES_NAME_UNKNOWN");
  });
});

describe("blobs", () => {
  it("reads ranges, clamping the end, and refuses ranges beyond the blob", async () => {
    const bytes = randomBytes(100);
    await putBytes(shop, bytes);
    const part = await registry.readBlob(shop, sha256(bytes), { start: 90, end: 500 });
    expect(part.range).toEqual({ start: 90, end: 99 });
    expect(await read(part.body)).toEqual(bytes.subarray(90));
    const error = await rejection(registry.readBlob(shop, sha256(bytes), { start: 100 }));
    expect(error.code).toBe("IMAGES_RANGE_NOT_SATISFIABLE");
    expect(error.extensions).toEqual({ size: 100 });
    expect((await rejection(registry.readBlob(shop, sha256(bytes), { start: 50, end: 40 }))).code).toBe(
      "IMAGES_RANGE_NOT_SATISFIABLE",
    );
  });

  it("shows a blob only in the repositories it was uploaded to or mounted in", async () => {
    const bytes = randomBytes(100);
    await putBytes(shop, bytes);
    expect((await rejection(registry.blobSize(other, sha256(bytes)))).code).toBe("IMAGES_BLOB_UNKNOWN");
    expect(await registry.mountBlob(other, sha256(bytes), shop, ANN)).toBe(true);
    expect(await registry.blobSize(other, sha256(bytes))).toBe(100);
    expect(await registry.mountBlob(shop, sha256(randomBytes(3)), other, ANN)).toBe(false);
    // A blob stored once is stored once, whatever the number of repositories.
    expect(await keys("blobs/")).toHaveLength(1);
  });
});

describe("manifests", () => {
  it("stores an image under a tag, with created, platform and size, and audits the push", async () => {
    const pushed = await pushImage(plain, "1.0.0");
    expect(pushed).toEqual({ digest: plain.manifestDigest });
    const tag = await images.getTag(shop, "1.0.0");
    expect(tag).toMatchObject({
      digest: plain.manifestDigest,
      mediaType: OCI_MANIFEST,
      size: plain.totalSize,
      platforms: ["linux/amd64"],
      created: new Date("2024-01-01T00:00:00Z"),
      pushedAt: clock.now(),
      pushedBy: "ann",
      revoked: null,
    });
    expect(audit.actions()).toEqual(["image.tag.push image/alpha/shop:1.0.0"]);
    expect(audit.records[0]!.body).toMatchObject({ digest: plain.manifestDigest, previous: null });
    const stored = await registry.readManifest(shop, "1.0.0");
    expect(Buffer.from(stored.content)).toEqual(Buffer.from(plain.manifest));
    expect(stored.mediaType).toBe(OCI_MANIFEST);
  });

  it("refuses a manifest whose blobs the repository lacks, and records nothing", async () => {
    await pushBlobsOf(plain, other);
    const error = await rejection(registry.putManifest(shop, "1.0.0", plain.manifest, OCI_MANIFEST, ANN));
    expect(error.code).toBe("IMAGES_MANIFEST_BLOB_UNKNOWN");
    expect(error.extensions).toEqual({ digest: plain.configDigest });
    expect(await db.selectFrom("image_manifests").selectAll().execute()).toEqual([]);
    expect(await db.selectFrom("image_tags").selectAll().execute()).toEqual([]);
    expect(audit.records).toEqual([]);
  });

  it("keeps tags immutable and takes the same content again without a new record", async () => {
    await pushImage(plain, "1.0.0");
    await pushBlobsOf(annotated);
    const error = await rejection(registry.putManifest(shop, "1.0.0", annotated.manifest, OCI_MANIFEST, ANN));
    expect(error.code).toBe("IMAGES_TAG_INVALID");
    expect((await registry.readManifest(shop, "1.0.0")).digest).toBe(plain.manifestDigest);
    clock.advance(60_000);
    expect(await registry.putManifest(shop, "1.0.0", plain.manifest, OCI_MANIFEST, ANN)).toEqual({
      digest: plain.manifestDigest,
    });
    expect((await images.getTag(shop, "1.0.0")).pushedAt).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect(audit.actions()).toEqual(["image.tag.push image/alpha/shop:1.0.0"]);
  });

  it("lets one of two racing pushes of a tag win and refuses the other", async () => {
    await pushBlobsOf(plain);
    await pushBlobsOf(annotated);
    const results = await Promise.allSettled([
      registry.putManifest(shop, "1.0.0", plain.manifest, OCI_MANIFEST, ANN),
      registry.putManifest(shop, "1.0.0", annotated.manifest, OCI_MANIFEST, ANN),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason.code).toBe("IMAGES_TAG_INVALID");
  });

  it("refuses latest and malformed tags", async () => {
    await pushBlobsOf(plain);
    expect(
      (await rejection(registry.putManifest(shop, "latest", plain.manifest, OCI_MANIFEST, ANN))).code,
    ).toBe("IMAGES_TAG_INVALID");
    expect((await rejection(registry.putManifest(shop, ".x", plain.manifest, OCI_MANIFEST, ANN))).code).toBe(
      "IMAGES_TAG_NAME_INVALID",
    );
  });

  it("moves a tag matching the mutable pattern, audited as image.tag.move", async () => {
    const mutable = new RegistryService({ db, blobs, audit, clock, mutableTags: /-SNAPSHOT$/ });
    await pushImage(plain, "1.0-SNAPSHOT", shop, mutable);
    clock.advance(1000);
    await pushImage(annotated, "1.0-SNAPSHOT", shop, mutable);
    expect((await mutable.readManifest(shop, "1.0-SNAPSHOT")).digest).toBe(annotated.manifestDigest);
    expect(audit.actions()).toEqual([
      "image.tag.push image/alpha/shop:1.0-SNAPSHOT",
      "image.tag.move image/alpha/shop:1.0-SNAPSHOT",
    ]);
    expect(audit.records[1]!.body).toMatchObject({
      digest: annotated.manifestDigest,
      previous: plain.manifestDigest,
    });
    expect((await rejection(pushImage(plain, "latest", shop, mutable))).code).toBe("IMAGES_TAG_INVALID");
    await pushImage(plain, "1.0", shop, mutable);
    expect((await rejection(pushImage(annotated, "1.0", shop, mutable))).code).toBe("IMAGES_TAG_INVALID");
  });

  it("stores nothing when the audit record cannot be written", async () => {
    await pushBlobsOf(plain);
    audit.failNext = true;
    await expect(registry.putManifest(shop, "1.0.0", plain.manifest, OCI_MANIFEST, ANN)).rejects.toThrow(
      "audit sink failed",
    );
    expect((await rejection(registry.readManifest(shop, "1.0.0"))).code).toBe("IMAGES_MANIFEST_UNKNOWN");
    expect((await rejection(registry.readManifest(shop, plain.manifestDigest))).code).toBe(
      "IMAGES_MANIFEST_UNKNOWN",
    );
  });

  it("checks a manifest pushed by digest against it, sha512 included", async () => {
    await pushBlobsOf(plain);
    const wrong = await rejection(
      registry.putManifest(shop, `sha256:${"0".repeat(64)}`, plain.manifest, OCI_MANIFEST, ANN),
    );
    expect(wrong.code).toBe("IMAGES_DIGEST_INVALID");
    const sha512 = digestOf(plain.manifest, "sha512");
    expect(await registry.putManifest(shop, sha512, plain.manifest, OCI_MANIFEST, ANN)).toEqual({
      digest: sha512,
    });
    expect((await registry.readManifest(shop, sha512)).digest).toBe(sha512);
    expect(audit.actions()).toEqual([`image.manifest.push image/alpha/shop@${sha512}`]);
  });

  it("refuses manifests over 4 MiB", async () => {
    const big = new Uint8Array(MAX_MANIFEST_BYTES + 1);
    expect((await rejection(registry.putManifest(shop, "1.0.0", big, OCI_MANIFEST, ANN))).code).toBe(
      "IMAGES_MANIFEST_TOO_LARGE",
    );
  });

  it("stores an index over manifests of the repository, with their platforms and sizes", async () => {
    await pushImage(plain, "amd64");
    await pushImage(annotated, "arm64");
    const index = json({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { ...plain.descriptor, platform: { os: "linux", architecture: "amd64" } },
        { ...annotated.descriptor, platform: { os: "linux", architecture: "arm", variant: "v7" } },
        { ...annotated.descriptor, platform: { architecture: "unknown" } },
      ],
    });
    await registry.putManifest(shop, "1.0.0", index, OCI_INDEX, ANN);
    const tag = await images.getTag(shop, "1.0.0");
    expect(tag.platforms).toEqual(["linux/amd64", "linux/arm/v7"]);
    expect(tag.size).toBe(index.byteLength + plain.totalSize + annotated.totalSize);
    expect(tag.provenance).toMatchObject({ status: "missing" });
    expect(tag.created).toBeNull();
  });

  it("deletes untagged manifests only, never tagged ones or ones an index lists", async () => {
    await pushImage(plain, "1.0.0");
    await pushBlobsOf(annotated);
    await registry.putManifest(shop, annotated.manifestDigest, annotated.manifest, OCI_MANIFEST, ANN);
    await pushBlobsOf(labelled);
    await registry.putManifest(shop, labelled.manifestDigest, labelled.manifest, OCI_MANIFEST, ANN);
    await registry.putManifest(
      shop,
      sha256(json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [labelled.descriptor] })),
      json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [labelled.descriptor] }),
      OCI_INDEX,
      ANN,
    );
    expect((await rejection(registry.deleteManifest(shop, "1.0.0", ANN))).code).toBe("IMAGES_UNSUPPORTED");
    expect((await rejection(registry.deleteManifest(shop, plain.manifestDigest, ANN))).code).toBe(
      "IMAGES_UNSUPPORTED",
    );
    expect((await rejection(registry.deleteManifest(shop, labelled.manifestDigest, ANN))).code).toBe(
      "IMAGES_UNSUPPORTED",
    );
    await registry.deleteManifest(shop, annotated.manifestDigest, ANN);
    expect((await rejection(registry.readManifest(shop, annotated.manifestDigest))).code).toBe(
      "IMAGES_MANIFEST_UNKNOWN",
    );
    expect((await rejection(registry.deleteManifest(shop, annotated.manifestDigest, ANN))).code).toBe(
      "IMAGES_MANIFEST_UNKNOWN",
    );
    expect(audit.actions()).toContain(`image.manifest.delete image/alpha/shop@${annotated.manifestDigest}`);
  });

  it("pages tag names and the catalog in lexical order", async () => {
    await pushBlobsOf(plain);
    for (const tag of ["b", "a", "c", "B"])
      await registry.putManifest(shop, tag, plain.manifest, OCI_MANIFEST, ANN);
    expect(await registry.tagNames(shop, 10)).toEqual(["B", "a", "b", "c"]);
    expect(await registry.tagNames(shop, 2, "a")).toEqual(["b", "c"]);
    await putBytes(parseRepositoryName("beta", "zeta"));
    await putBytes(parseRepositoryName("alpha", "a-first"));
    expect(await registry.catalog(10)).toEqual(["alpha/a-first", "alpha/shop", "beta/zeta"]);
    expect(await registry.catalog(1, "alpha/a-first")).toEqual(["alpha/shop"]);
  });
});

describe("provenance at push", () => {
  it("takes the source from the manifest's annotations", async () => {
    await pushImage(annotated, "1.0.0");
    expect((await images.getTag(shop, "1.0.0")).provenance).toEqual({
      status: "known",
      origin: "annotations",
      url: "https://github.com/acme/shop",
      revision: "4f2c0a1",
      author: "ann@example.com",
      clean: null,
    });
    expect(pending).toBe(0);
  });

  it("takes the source from the image config's labels; a locally modified revision is not clean", async () => {
    await pushImage(labelled, "1.0.0");
    expect((await images.getTag(shop, "1.0.0")).provenance).toEqual({
      status: "known",
      origin: "annotations",
      url: "https://github.com/acme/labels",
      revision: "77aa",
      author: null,
      clean: false,
    });
  });

  it("leaves an image without annotations pending, for the scanner, and says so once", async () => {
    await pushImage(withScm, "1.0.0");
    expect((await images.getTag(shop, "1.0.0")).provenance).toEqual({ status: "pending" });
    expect(pending).toBe(1);
    await registry.putManifest(shop, "1.0.1", withScm.manifest, OCI_MANIFEST, ANN);
    expect(pending).toBe(1);
  });

  it("takes the source from an scm-source referrer pushed after the image", async () => {
    await pushImage(plain, "1.0.0");
    const artifact = ociArtifact({ subject: plain.descriptor, content: { ...SCM, status: " M app/run.sh" } });
    for (const bytes of artifact.blobs.values()) await putBytes(shop, bytes);
    const pushed = await registry.putManifest(shop, artifact.digest, artifact.manifest, OCI_MANIFEST, ANN);
    expect(pushed).toEqual({ digest: artifact.digest, subject: plain.manifestDigest });
    expect((await images.getTag(shop, "1.0.0")).provenance).toEqual({
      status: "known",
      origin: "referrer",
      url: SCM.url,
      revision: SCM.revision,
      author: "ann",
      clean: false,
    });
    const referrers = await registry.referrers(shop, plain.manifestDigest);
    expect(referrers.map((r) => r.digest)).toEqual([artifact.digest]);
  });

  it("takes the source from an scm-source referrer pushed before the image", async () => {
    const artifact = ociArtifact({ subject: plain.descriptor, content: SCM });
    for (const bytes of artifact.blobs.values()) await putBytes(shop, bytes);
    await registry.putManifest(shop, artifact.digest, artifact.manifest, OCI_MANIFEST, ANN);
    await pushImage(plain, "1.0.0");
    expect((await images.getTag(shop, "1.0.0")).provenance).toMatchObject({
      status: "known",
      origin: "referrer",
      clean: true,
    });
    expect(pending).toBe(0);
  });

  it("never lets a referrer replace a source the image names itself", async () => {
    await pushImage(annotated, "1.0.0");
    const artifact = ociArtifact({ subject: annotated.descriptor, content: SCM });
    for (const bytes of artifact.blobs.values()) await putBytes(shop, bytes);
    await registry.putManifest(shop, artifact.digest, artifact.manifest, OCI_MANIFEST, ANN);
    expect((await images.getTag(shop, "1.0.0")).provenance).toMatchObject({ origin: "annotations" });
  });

  it("does not let an unusable scm-source referrer stop the search of the image's layers", async () => {
    await pushImage(withScm, "1.0.0");
    const artifact = ociArtifact({ subject: withScm.descriptor, content: { revision: "no url" } });
    for (const bytes of artifact.blobs.values()) await putBytes(shop, bytes);
    await registry.putManifest(shop, artifact.digest, artifact.manifest, OCI_MANIFEST, ANN);
    expect((await images.getTag(shop, "1.0.0")).provenance).toEqual({ status: "pending" });

    // Pushed before the image, likewise.
    const early = ociArtifact({ subject: labelled.descriptor, content: "not json" });
    for (const bytes of early.blobs.values()) await putBytes(other, bytes);
    await registry.putManifest(other, early.digest, early.manifest, OCI_MANIFEST, ANN);
    const bare = await buildOciImage(join(work, "bare"), { layers: [{ files: { "x.txt": "x" } }] });
    const bareArtifact = ociArtifact({ subject: bare.descriptor, content: "not json" });
    for (const bytes of bareArtifact.blobs.values()) await putBytes(other, bytes);
    await registry.putManifest(other, bareArtifact.digest, bareArtifact.manifest, OCI_MANIFEST, ANN);
    await pushImage(bare, "1.0.0", other);
    expect((await images.getTag(other, "1.0.0")).provenance).toEqual({ status: "pending" });
  });

  it("ignores referrers of other artifact types", async () => {
    await pushImage(withScm, "1.0.0");
    const sbom = ociArtifact({
      subject: withScm.descriptor,
      content: SCM,
      artifactType: "application/spdx+json",
    });
    for (const bytes of sbom.blobs.values()) await putBytes(shop, bytes);
    await registry.putManifest(shop, sbom.digest, sbom.manifest, OCI_MANIFEST, ANN);
    expect((await images.getTag(shop, "1.0.0")).provenance).toEqual({ status: "pending" });
    expect(
      (await registry.referrers(shop, withScm.manifestDigest, "application/spdx+json")).map((r) => r.digest),
    ).toEqual([sbom.digest]);
    expect(await registry.referrers(shop, withScm.manifestDigest, "application/other")).toEqual([]);
  });

  it("records an artifact that is not an image as without provenance", async () => {
    const artifact = ociArtifact({
      subject: plain.descriptor,
      content: { sbom: 1 },
      artifactType: "application/spdx+json",
    });
    for (const bytes of artifact.blobs.values()) await putBytes(shop, bytes);
    await registry.putManifest(shop, "sbom-1", artifact.manifest, OCI_MANIFEST, ANN);
    expect((await images.getTag(shop, "sbom-1")).provenance).toMatchObject({
      status: "missing",
      note: expect.any(String),
    });
  });
});

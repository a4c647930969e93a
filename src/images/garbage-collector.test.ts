import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testEngines } from "../../test/support/database.js";
import { OCI_MANIFEST, sha256 } from "../../test/support/oci-image.js";
import { freshRegistry } from "../../test/support/registry-fixture.js";
import type { FileObjectStore } from "../cloud/index.js";
import { type Actor, type AuditSink, Duration, ManualClock } from "../core/index.js";
import type { Database, DatabaseHandle } from "../db/index.js";
import { BlobStorage } from "./blob-storage.js";
import { parseDigest } from "./digest.js";
import { GarbageCollector } from "./garbage-collector.js";
import { parseRepositoryName, type RepositoryName } from "./names.js";
import { RegistryService } from "./registry-service.js";

const ANN: Actor = { sub: "ann", realm: "employees" };
const audit: AuditSink = { append: async () => {} };
const HOUR = 60 * 60 * 1000;

let handle: DatabaseHandle;
let db: Database;
let work: string;
let objects: FileObjectStore;
let blobs: BlobStorage;
let clock: ManualClock;
let registry: RegistryService;
let collector: GarbageCollector;

const shop = parseRepositoryName("alpha", "shop");
const other = parseRepositoryName("alpha", "other");

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield part;
}

async function putBlob(repo: RepositoryName, bytes: Uint8Array = randomBytes(64)): Promise<string> {
  return (await registry.putBlob(repo, sha256(bytes), chunks(bytes), ANN)).digest;
}

/** A manifest whose config and layers are the given blobs (the registry does not read their content). */
function manifestOf(config: string, layers: readonly string[]): Uint8Array {
  const descriptor = (digest: string, mediaType: string) => ({ mediaType, digest, size: 64 });
  return new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor(config, "application/vnd.example.config+json"),
      layers: layers.map((digest) => descriptor(digest, "application/vnd.example.layer")),
    }),
  );
}

async function stored(digest: string): Promise<boolean> {
  return (await objects.stat(BlobStorage.blobKey(parseDigest(digest)))) !== undefined;
}

async function keys(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const object of objects.list(prefix)) found.push(object.key);
  return found;
}

/** Every blob some manifest references is still stored: the invariant collection must keep. */
async function expectNoManifestLostABlob(): Promise<void> {
  const rows = await db
    .selectFrom("image_manifest_references")
    .select(["repository", "manifest_digest", "digest"])
    .where("kind", "=", "blob")
    .execute();
  for (const row of rows as Array<{ repository: string; manifest_digest: string; digest: string }>) {
    expect(
      await stored(row.digest),
      `${row.repository}@${row.manifest_digest} references ${row.digest}`,
    ).toBe(true);
  }
}

/** Every blob linked to a repository (so HEAD says it is there) is stored. */
async function expectNoLinkWithoutBytes(): Promise<void> {
  const rows = await db.selectFrom("image_repository_blobs").select(["repository", "digest"]).execute();
  for (const row of rows as Array<{ repository: string; digest: string }>) {
    expect(await stored(row.digest), `${row.repository} shows ${row.digest}`).toBe(true);
  }
}

/**
 * The database with a hook that runs once the garbage collector has listed its candidates, before
 * it deletes any. On PGlite what the hook starts queues behind the listing and ahead of the
 * collector's deletions, the worst moment, every time; on PostgreSQL it runs at the same time on
 * another connection.
 */
function afterCandidatesListed(hook: () => void): Database {
  const listings = new WeakSet<object>();
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const node = args.node as RootOperationNode & { limit?: unknown };
      if (
        node.kind === "SelectQueryNode" &&
        node.limit !== undefined &&
        JSON.stringify(node).includes('"image_blobs"')
      ) {
        listings.add(args.queryId);
      }
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      if (listings.has(args.queryId) && args.result.rows.length > 0) hook();
      return args.result;
    },
  };
  return db.withPlugin(plugin);
}

function collectorOn(database: Database, options: { uploadTtl?: Duration; blobGrace?: Duration } = {}) {
  return new GarbageCollector({
    db: database,
    blobs,
    clock,
    uploadTtl: options.uploadTtl ?? Duration.hours(24),
    blobGrace: options.blobGrace ?? Duration.hours(24),
  });
}

// On PGlite one connection runs one statement at a time; on PostgreSQL the collector and the pushes
// it races run on connections of their own, so the row locks are what keeps the invariants.
describe.each(testEngines())("garbage collection on $name", (engine) => {
  beforeAll(async () => {
    handle = await engine.create();
    db = handle.db;
    work = await mkdtemp(join(tmpdir(), "charter-gc-"));
  });

  afterAll(async () => {
    await handle?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  beforeEach(async () => {
    ({ objects, blobs } = await freshRegistry(db, work));
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    registry = new RegistryService({ db, blobs, audit, clock });
    collector = collectorOn(db);
  });

  describe("uploads", () => {
    it("removes uploads untouched for longer than the TTL, with their parts, and keeps the others", async () => {
      const old = await registry.startUpload(shop, ANN);
      await registry.appendChunk(shop, old.id, chunks(randomBytes(10)));
      const touched = await registry.startUpload(shop, ANN);
      clock.advance(20 * HOUR);
      await registry.appendChunk(shop, touched.id, chunks(randomBytes(10)));
      const young = await registry.startUpload(shop, ANN);
      clock.advance(5 * HOUR);

      expect(await collector.collect()).toEqual({ uploads: 1, blobs: 0, orphans: 0 });
      await expect(registry.upload(shop, old.id)).rejects.toMatchObject({
        code: "IMAGES_BLOB_UPLOAD_UNKNOWN",
      });
      expect(await keys(`uploads/${old.id}/`)).toEqual([]);
      expect((await registry.upload(shop, touched.id)).size).toBe(10);
      expect(await keys(`uploads/${touched.id}/`)).toHaveLength(1);
      expect((await registry.upload(shop, young.id)).size).toBe(0);
    });

    it("removes more uploads than fit in one batch", async () => {
      for (let i = 0; i < 12; i++) await registry.startUpload(shop, ANN);
      clock.advance(25 * HOUR);
      expect((await collector.collect()).uploads).toBe(12);
      expect(await db.selectFrom("image_uploads").selectAll().execute()).toEqual([]);
    });
  });

  describe("blobs", () => {
    it("removes old unreferenced blobs, keeps referenced and young ones", async () => {
      const config = await putBlob(shop);
      const layer = await putBlob(shop);
      const orphan = await putBlob(shop);
      await registry.putManifest(shop, "1.0.0", manifestOf(config, [layer]), OCI_MANIFEST, ANN);
      clock.advance(25 * HOUR);
      const young = await putBlob(shop);

      expect(await collector.collect()).toEqual({ uploads: 0, blobs: 1, orphans: 0 });
      expect(await stored(orphan)).toBe(false);
      await expect(registry.blobSize(shop, orphan)).rejects.toMatchObject({ code: "IMAGES_BLOB_UNKNOWN" });
      for (const digest of [config, layer, young]) expect(await stored(digest)).toBe(true);
      expect(await registry.blobSize(shop, young)).toBe(64);
    });

    it("keeps a blob that a manifest of another repository references", async () => {
      const config = await putBlob(shop);
      await registry.mountBlob(other, config, shop, ANN);
      await registry.putManifest(other, "1.0.0", manifestOf(config, []), OCI_MANIFEST, ANN);
      clock.advance(48 * HOUR);
      expect((await collector.collect()).blobs).toBe(0);
      expect(await registry.blobSize(shop, config)).toBe(64);
    });

    it("removes the blobs of a deleted manifest once the grace period is over", async () => {
      const config = await putBlob(shop);
      const pushed = await registry.putManifest(
        shop,
        sha256(manifestOf(config, [])),
        manifestOf(config, []),
        OCI_MANIFEST,
        ANN,
      );
      await registry.deleteManifest(shop, pushed.digest, ANN);
      clock.advance(25 * HOUR);
      expect((await collector.collect()).blobs).toBe(1);
      expect(await stored(config)).toBe(false);
    });

    it("counts a mount or a re-upload as a use that restarts the grace period", async () => {
      const mounted = await putBlob(shop);
      const bytes = randomBytes(64);
      const reuploaded = await putBlob(shop, bytes);
      clock.advance(20 * HOUR);
      await registry.mountBlob(other, mounted, shop, ANN);
      await putBlob(other, bytes);
      clock.advance(5 * HOUR);
      expect((await collector.collect()).blobs).toBe(0);
      expect(await stored(mounted)).toBe(true);
      expect(await stored(reuploaded)).toBe(true);
    });

    it("joins a collection that is already running", async () => {
      await putBlob(shop);
      clock.advance(25 * HOUR);
      const [first, second] = await Promise.all([collector.collect(), collector.collect()]);
      expect(first).toEqual({ uploads: 0, blobs: 1, orphans: 0 });
      expect(second).toBe(first);
    });

    it("collects on its interval once started, until stopped", async () => {
      await putBlob(shop);
      clock.advance(25 * HOUR);
      const periodic = new GarbageCollector({ db, blobs, clock, interval: Duration.milliseconds(20) });
      periodic.start();
      await expect
        .poll(() => db.selectFrom("image_blobs").selectAll().execute(), { timeout: 5000 })
        .toEqual([]);
      await periodic.stop();
    });
  });

  describe("collection racing pushes", () => {
    it("never leaves a mounted blob without its bytes", async () => {
      const digest = await putBlob(shop);
      clock.advance(25 * HOUR);
      let mounted: Promise<boolean> | undefined;
      const racing = collectorOn(
        afterCandidatesListed(() => {
          mounted ??= registry.mountBlob(other, digest, shop, ANN);
        }),
      );
      await racing.collect();
      expect(mounted).toBeDefined();
      if (await mounted) {
        // The mount won: the blob is used again and must still be there.
        expect(await stored(digest)).toBe(true);
      } else {
        await expect(registry.blobSize(other, digest)).rejects.toMatchObject({ code: "IMAGES_BLOB_UNKNOWN" });
      }
      await expectNoLinkWithoutBytes();
      // A manifest can only name what the repository shows, and so never a blob that is gone.
      await registry
        .putManifest(other, "1.0.0", manifestOf(digest, []), OCI_MANIFEST, ANN)
        .catch((error: { code?: string }) => {
          expect(error.code).toBe("IMAGES_MANIFEST_BLOB_UNKNOWN");
        });
      await expectNoManifestLostABlob();
    });

    it("never leaves a manifest whose blob is gone when its push meets a collection", async () => {
      const config = await putBlob(shop);
      const layer = await putBlob(shop);
      clock.advance(25 * HOUR);
      let push: Promise<unknown> | undefined;
      const racing = collectorOn(
        afterCandidatesListed(() => {
          push ??= registry.putManifest(shop, "1.0.0", manifestOf(config, [layer]), OCI_MANIFEST, ANN).then(
            () => "pushed",
            (error: { code?: string }) => error.code,
          );
        }),
      );
      await racing.collect();
      expect(["pushed", "IMAGES_MANIFEST_BLOB_UNKNOWN"]).toContain(await push);
      await expectNoManifestLostABlob();
      await expectNoLinkWithoutBytes();
    });

    it("never loses a blob uploaded again while it is being collected", async () => {
      const bytes = randomBytes(64);
      const digest = await putBlob(shop, bytes);
      clock.advance(25 * HOUR);
      let upload: Promise<unknown> | undefined;
      const racing = collectorOn(
        afterCandidatesListed(() => {
          upload ??= putBlob(other, bytes);
        }),
      );
      await racing.collect();
      await upload;
      expect(await stored(digest)).toBe(true);
      expect(await registry.blobSize(other, digest)).toBe(64);
      await expectNoLinkWithoutBytes();
    });

    it("keeps its invariant through many pushes, mounts and collections at once", async () => {
      const old: string[] = [];
      for (let i = 0; i < 8; i++) old.push(await putBlob(shop));
      clock.advance(25 * HOUR);
      const work: Array<Promise<unknown>> = [];
      for (let i = 0; i < 8; i++) {
        const digest = old[i]!;
        const repo = parseRepositoryName("alpha", `r${i}`);
        work.push(collector.collect());
        work.push(
          registry
            .mountBlob(repo, digest, shop, ANN)
            .then(() => registry.putManifest(repo, "1.0.0", manifestOf(digest, []), OCI_MANIFEST, ANN))
            .catch(() => undefined),
        );
        work.push(
          registry
            .putManifest(shop, `t${i}`, manifestOf(digest, []), OCI_MANIFEST, ANN)
            .catch(() => undefined),
        );
        work.push(
          putBlob(repo)
            .then((fresh) =>
              registry.putManifest(repo, "2.0.0", manifestOf(fresh, [digest]), OCI_MANIFEST, ANN),
            )
            .catch(() => undefined),
        );
      }
      await Promise.all(work);
      await collector.collect();
      await expectNoManifestLostABlob();
      await expectNoLinkWithoutBytes();
    });
  });

  describe("orphans", () => {
    it("removes old objects no row accounts for, and keeps those of live uploads and blobs", async () => {
      // Objects carry the real clock's times: collect as if two days had passed since they were written.
      clock = new ManualClock(Date.now() + 48 * HOUR);
      registry = new RegistryService({ db, blobs, audit, clock });
      collector = collectorOn(db);
      const kept = await putBlob(shop);
      const live = await registry.startUpload(shop, ANN);
      await registry.appendChunk(shop, live.id, chunks(randomBytes(10)));
      const lost = randomBytes(32);
      const lostDigest = parseDigest(sha256(lost));
      await objects.put(BlobStorage.blobKey(lostDigest), chunks(lost));
      await objects.put(
        "uploads/0b7a4c9e-3f1d-4a57-9d3e-2c8b1f6a5e40/000000000000000-deadbeef",
        chunks(lost),
      );

      expect(await collector.collect()).toEqual({ uploads: 0, blobs: 0, orphans: 2 });
      expect(await stored(lostDigest.value)).toBe(false);
      expect(await keys("uploads/0b7a4c9e-3f1d-4a57-9d3e-2c8b1f6a5e40/")).toEqual([]);
      expect(await stored(kept)).toBe(true);
      expect(await keys(`uploads/${live.id}/`)).toHaveLength(1);
    });
  });
});

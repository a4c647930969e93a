import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import {
  blobPath,
  buildOciImage,
  OCI_MANIFEST,
  type OciImage,
  type OciImageOptions,
  ociArtifact,
  sha256,
} from "../../test/support/oci-image.js";
import { freshRegistry } from "../../test/support/registry-fixture.js";
import type { ByteRange, FileObjectStore } from "../cloud/index.js";
import { type Actor, type AuditRecord, type AuditSink, ManualClock, SYSTEM_ACTOR } from "../core/index.js";
import type { Database, DatabaseHandle } from "../db/index.js";
import { BlobStorage } from "./blob-storage.js";
import { parseDigest } from "./digest.js";
import { ImagesService } from "./images-service.js";
import { parseRepositoryName } from "./names.js";
import { ProvenanceScanner } from "./provenance-scanner.js";
import { RegistryService } from "./registry-service.js";

const ANN: Actor = { sub: "ann", realm: "employees" };
const audit: AuditSink = { append: async () => {} };
const SCM = { url: "git:git@github.com:acme/shop.git", revision: "0f3a5c9e2b7d", author: "ann", status: "" };
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** Blob storage whose reads wait for `release()`, to hold a scan midway. */
class GatedBlobs extends BlobStorage {
  opened = 0;
  #gate: Promise<void> | undefined;
  #release: (() => void) | undefined;

  close(): void {
    this.#gate = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  release(): void {
    this.#release?.();
    this.#gate = undefined;
  }

  override async open(digest: string, range?: ByteRange): Promise<Readable> {
    this.opened++;
    await this.#gate;
    return super.open(digest, range);
  }
}

let handle: DatabaseHandle;
let db: Database;
let work: string;
let objects: FileObjectStore;
let blobs: BlobStorage;
let registry: RegistryService;
let images: ImagesService;
let logged: Array<{ level: string; message: string }>;
let counter = 0;

const shop = parseRepositoryName("alpha", "shop");

const logger = {
  warn: (_: unknown, message: string) => logged.push({ level: "warn", message }),
  info: () => {},
  error: (_: unknown, message: string) => logged.push({ level: "error", message }),
} as unknown as import("../core/index.js").Logger;

async function* chunks(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function build(options: OciImageOptions): Promise<OciImage> {
  return buildOciImage(join(work, `image-${counter++}`), options);
}

async function push(image: OciImage, tag: string): Promise<void> {
  for (const digest of [image.configDigest, ...image.layerDigests]) {
    const bytes = await readFile(blobPath(image.dir, digest));
    await registry.putBlob(shop, digest, chunks(bytes), ANN);
  }
  await registry.putManifest(shop, tag, image.manifest, OCI_MANIFEST, ANN);
}

const provenanceOf = async (tag: string) => (await images.getTag(shop, tag)).provenance;

function scanner(storage: BlobStorage = blobs): ProvenanceScanner {
  return new ProvenanceScanner({ db, blobs: storage, logger });
}

async function scanned(image: OciImage, tag = "1.0.0") {
  await push(image, tag);
  expect(await provenanceOf(tag)).toEqual({ status: "pending" });
  const s = scanner();
  s.notify();
  await s.idle();
  return provenanceOf(tag);
}

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
  work = await mkdtemp(join(tmpdir(), "charter-scanner-"));
});

afterAll(async () => {
  await handle?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

beforeEach(async () => {
  ({ objects, blobs } = await freshRegistry(db, work));
  const clock = new ManualClock();
  registry = new RegistryService({ db, blobs, audit, clock });
  images = new ImagesService({ db, audit, clock });
  logged = [];
});

describe("ProvenanceScanner", () => {
  it("finds /scm-source.json in the top layer: known, clean when status is empty", async () => {
    const image = await build({ layers: [{ files: { "app/run.sh": "echo\n" } }], scmSource: SCM });
    expect(await scanned(image)).toEqual({
      status: "known",
      origin: "scm-source.json",
      url: SCM.url,
      revision: SCM.revision,
      author: "ann",
      clean: true,
    });
  });

  it("records what it found in the audit log, as Charter itself", async () => {
    const image = await build({ layers: [{ files: { "app/run.sh": "echo\n" } }], scmSource: SCM });
    await push(image, "2.0.0");
    const records: AuditRecord[] = [];
    const s = new ProvenanceScanner({
      db,
      blobs,
      logger,
      audit: { append: async (_tx, record) => void records.push(record) },
    });
    s.notify();
    await s.idle();
    expect(records).toEqual([
      {
        actor: SYSTEM_ACTOR,
        action: "image.provenance.resolve",
        target: `image/${shop.name}@${image.manifestDigest}`,
        body: expect.objectContaining({ status: "known", origin: "scm-source.json" }),
      },
    ]);
  });

  it("marks a dirty working tree (a non-empty status) as not clean", async () => {
    const image = await build({
      layers: [{ files: { a: "a" } }],
      scmSource: { ...SCM, status: " M src/main.ts\n" },
    });
    expect(await scanned(image)).toMatchObject({ status: "known", clean: false });
  });

  it("strips a ' (locally modified)' revision suffix and marks the tree not clean", async () => {
    const image = await build({
      layers: [{ files: { a: "a" } }],
      scmSource: { ...SCM, revision: "abc123 (locally modified)" },
    });
    expect(await scanned(image)).toMatchObject({ status: "known", revision: "abc123", clean: false });
  });

  it("reads layers top first: an upper scm-source.json shadows a lower one", async () => {
    const image = await build({
      layers: [
        { files: { "scm-source.json": JSON.stringify({ ...SCM, revision: "lower" }) } },
        { files: { "scm-source.json": JSON.stringify({ ...SCM, revision: "upper" }) }, gzip: false },
        { files: { "app/other": "x" } },
      ],
    });
    expect(await scanned(image)).toMatchObject({ status: "known", revision: "upper" });
  });

  it("takes a whiteout in an upper layer as the file's deletion", async () => {
    const image = await build({
      layers: [
        { files: { "scm-source.json": JSON.stringify(SCM) } },
        { files: { ".wh.scm-source.json": "" } },
      ],
    });
    expect(await scanned(image)).toEqual({ status: "missing", note: expect.stringContaining("deletes") });
  });

  it("records an image without /scm-source.json as missing, saying why", async () => {
    const image = await build({ layers: [{ files: { "app/scm-source.json": JSON.stringify(SCM) } }] });
    expect(await scanned(image)).toEqual({
      status: "missing",
      note: expect.stringContaining("no /scm-source.json"),
    });
  });

  it("records an invalid /scm-source.json as missing, with the reason", async () => {
    const image = await build({
      layers: [{ files: { "scm-source.json": JSON.stringify({ revision: "abc" }) } }],
    });
    expect(await scanned(image)).toEqual({ status: "missing", note: expect.stringContaining("has no url") });
  });

  it("reads Docker-typed layers too", async () => {
    const image = await build({ layers: [{ files: { a: "a" } }], scmSource: SCM });
    const manifest = JSON.parse(Buffer.from(image.manifest).toString("utf8"));
    const docker = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: { ...manifest.config, mediaType: "application/vnd.docker.container.image.v1+json" },
        layers: manifest.layers.map((l: object) => ({
          ...l,
          mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
        })),
      }),
    );
    await push(image, "oci");
    await registry.putManifest(shop, "docker", docker, DOCKER_MANIFEST, ANN);
    const s = scanner();
    s.notify();
    await s.idle();
    expect(await provenanceOf("docker")).toMatchObject({ status: "known", origin: "scm-source.json" });
  });

  it("records layers it cannot read as missing and logs why", async () => {
    const image = await build({ layers: [{ files: { a: "a" } }] });
    await push(image, "1.0.0");
    await objects.delete(BlobStorage.blobKey(parseDigest(image.layerDigests[0]!)));
    const s = scanner();
    s.notify();
    await s.idle();
    expect(await provenanceOf("1.0.0")).toEqual({ status: "missing", note: "the layers could not be read" });
    expect(logged.map((l) => l.level)).toEqual(["warn"]);
  });

  it("drains every pending image, and looks again when notified during a pass", async () => {
    const gated = new GatedBlobs(objects);
    const s = scanner(gated);
    const first = await build({ layers: [{ files: { a: "1" } }], scmSource: { ...SCM, revision: "first" } });
    await push(first, "1");
    gated.close();
    s.notify();
    await expect.poll(() => gated.opened).toBeGreaterThan(0);
    // Pushed while the pass is held on the first image's layer.
    const second = await build({
      layers: [{ files: { a: "2" } }],
      scmSource: { ...SCM, revision: "second" },
    });
    await push(second, "2");
    s.notify();
    gated.release();
    await s.idle();
    expect(await provenanceOf("1")).toMatchObject({ status: "known", revision: "first" });
    expect(await provenanceOf("2")).toMatchObject({ status: "known", revision: "second" });
  });

  it("stops scanning once stopped", async () => {
    const s = scanner();
    await s.stop();
    const image = await build({ layers: [{ files: { a: "a" } }], scmSource: SCM });
    await push(image, "1.0.0");
    s.notify();
    await s.idle();
    expect(await provenanceOf("1.0.0")).toEqual({ status: "pending" });
  });

  it("never overwrites a source an scm-source referrer gave while the layers were read", async () => {
    const gated = new GatedBlobs(objects);
    const s = scanner(gated);
    const image = await build({ layers: [{ files: { a: "a" } }] });
    await push(image, "1.0.0");
    gated.close();
    s.notify();
    await expect.poll(() => gated.opened).toBeGreaterThan(0);
    const artifact = ociArtifact({ subject: image.descriptor, content: SCM });
    for (const [digest, bytes] of artifact.blobs) await registry.putBlob(shop, digest, chunks(bytes), ANN);
    await registry.putManifest(shop, artifact.digest, artifact.manifest, OCI_MANIFEST, ANN);
    expect(await provenanceOf("1.0.0")).toMatchObject({ status: "known", origin: "referrer" });
    gated.release();
    await s.idle();
    expect(await provenanceOf("1.0.0")).toMatchObject({ status: "known", origin: "referrer", url: SCM.url });
  });

  it("scans a manifest that is gone as missing", async () => {
    expect(await scanner().scan("alpha/shop", sha256("nothing"))).toEqual({
      status: "missing",
      note: "the manifest is gone",
    });
  });
});

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createGunzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findScmSourceInLayer } from "../../src/images/provenance/layer-scan.js";
import { SCM_SOURCE_ARTIFACT_TYPE, scmSourceLayerOf } from "../../src/images/provenance/referrer.js";
import { parseScmSource } from "../../src/images/provenance/scm-source.js";
import {
  blobPath,
  buildOciImage,
  type OciImage,
  type OciImageOptions,
  ociArtifact,
  sha256,
} from "./oci-image.js";

const run = promisify(execFile);
const skopeo = (...args: string[]) =>
  run("skopeo", ["--insecure-policy", ...args], { maxBuffer: 16 * 1024 * 1024, encoding: "buffer" });

const SCM = { url: "git:git@github.com:acme/shop.git", revision: "0f3a5c9e2b7d", author: "ann", status: "" };
const MiB = 1024 * 1024;

let work: string;
let image: OciImage;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "charter-oci-"));
  image = await buildOciImage(join(work, "layout"), {
    tag: "1.0.0",
    layers: [
      { files: { "etc/motd": "hello\n", "app/bin/run.sh": "#!/bin/sh\necho hi\n" } },
      { files: { "app/data.bin": new Uint8Array([0, 1, 2, 255]) }, randomBytes: 3 * MiB },
      { files: { "app/VERSION": "1.0.0\n" }, gzip: false },
    ],
    annotations: { "org.opencontainers.image.source": "https://github.com/acme/shop" },
    labels: { "org.opencontainers.image.revision": "0f3a5c9e2b7d" },
    scmSource: SCM,
  });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function fileDigest(path: string, gunzip = false): Promise<string> {
  const hash = createHash("sha256");
  const stream = gunzip ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}

describe("buildOciImage", () => {
  it("writes a layout whose manifest skopeo reads back byte for byte", async () => {
    const { stdout } = await skopeo("inspect", "--raw", image.ref);
    expect(sha256(stdout)).toBe(image.manifestDigest);
    const manifest = JSON.parse(stdout.toString());
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: image.configDigest },
      annotations: { "org.opencontainers.image.source": "https://github.com/acme/shop" },
    });
    expect(manifest.layers.map((l: { digest: string }) => l.digest)).toEqual(image.layerDigests);
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar",
    ]);
  });

  it("writes a config with platform, labels and the uncompressed layers' digests", async () => {
    const { stdout } = await skopeo("inspect", "--config", "--raw", image.ref);
    expect(sha256(stdout)).toBe(image.configDigest);
    const config = JSON.parse(stdout.toString());
    expect(config).toMatchObject({
      architecture: "amd64",
      os: "linux",
      created: "2024-01-01T00:00:00Z",
      config: { Labels: { "org.opencontainers.image.revision": "0f3a5c9e2b7d" } },
      rootfs: { type: "layers", diff_ids: image.diffIds },
    });
    const [gzipped, random, plain] = image.layerDigests.map((d) => blobPath(image.dir, d));
    expect(await fileDigest(gzipped!, true)).toBe(image.diffIds[0]);
    expect(await fileDigest(random!, true)).toBe(image.diffIds[1]);
    expect(await fileDigest(plain!)).toBe(image.diffIds[2]);
  });

  it("stores every blob under its digest and sums their sizes", async () => {
    let total = image.manifest.byteLength;
    for (const digest of [image.configDigest, ...image.layerDigests]) {
      expect(await fileDigest(blobPath(image.dir, digest))).toBe(digest);
      total += (await stat(blobPath(image.dir, digest))).size;
    }
    expect(image.totalSize).toBe(total);
    expect(image.layers[1]!.size).toBeGreaterThan(3 * MiB);
  });

  it("puts scm-source.json at the root of the top layer", async () => {
    const top = image.layers.at(-1)!;
    const scan = await findScmSourceInLayer(createReadStream(blobPath(image.dir, top.digest)), top.mediaType);
    expect(scan?.kind === "found" && JSON.parse(Buffer.from(scan.content).toString())).toEqual(SCM);
  });

  it("is copied by skopeo into a directory, unchanged", async () => {
    const target = join(work, "copy-oci");
    await skopeo("copy", image.ref, `dir:${target}`);
    expect(sha256(await readFile(join(target, "manifest.json")))).toBe(image.manifestDigest);
    for (const digest of [image.configDigest, ...image.layerDigests]) {
      expect(await fileDigest(join(target, digest.slice("sha256:".length)))).toBe(digest);
    }
  });

  it("is converted by skopeo to a Docker v2 schema 2 image", async () => {
    const target = join(work, "copy-v2s2");
    await skopeo("copy", "--format", "v2s2", image.ref, `dir:${target}`);
    const manifest = JSON.parse(await readFile(join(target, "manifest.json"), "utf8"));
    expect(manifest.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    expect(manifest.config.mediaType).toBe("application/vnd.docker.container.image.v1+json");
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar",
    ]);
    expect(manifest.layers.map((l: { digest: string }) => l.digest)).toEqual(image.layerDigests);
    // The config travels as it is, only its media type changes.
    expect(manifest.config.digest).toBe(image.configDigest);
  });

  it("gives the same digests when built twice from the same options", async () => {
    const options: OciImageOptions = {
      tag: "again",
      layers: [{ files: { "a.txt": "a" } }, { files: { "b.txt": "b" } }],
    };
    const first = await buildOciImage(join(work, "twice-1"), options);
    const second = await buildOciImage(join(work, "twice-2"), options);
    expect(second.manifestDigest).toBe(first.manifestDigest);
  });

  it("keeps the other tags of a layout", async () => {
    const dir = join(work, "tags");
    const one = await buildOciImage(dir, { tag: "1", layers: [{ files: { "v.txt": "1" } }] });
    const two = await buildOciImage(dir, { tag: "2", layers: [{ files: { "v.txt": "2" } }] });
    expect(sha256((await skopeo("inspect", "--raw", one.ref)).stdout)).toBe(one.manifestDigest);
    expect(sha256((await skopeo("inspect", "--raw", two.ref)).stdout)).toBe(two.manifestDigest);
  });

  it("streams a large random layer to disk without holding it in memory", async () => {
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 5);
    const big = await buildOciImage(join(work, "big"), { layers: [{ randomBytes: 96 * MiB }] }).finally(() =>
      clearInterval(sampler),
    );
    expect(big.layers[0]!.size).toBeGreaterThan(96 * MiB);
    // Garbage not yet collected counts too; holding the layer would take all 96 MiB.
    expect(peak - baseline).toBeLessThan(48 * MiB);
    expect(await fileDigest(blobPath(big.dir, big.layerDigests[0]!))).toBe(big.layerDigests[0]);
  });
});

describe("ociArtifact", () => {
  it("builds an scm-source referrer of an image", () => {
    const artifact = ociArtifact({ subject: image.descriptor, content: SCM });
    expect(artifact.digest).toBe(sha256(artifact.manifest));
    const manifest = JSON.parse(Buffer.from(artifact.manifest).toString());
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: SCM_SOURCE_ARTIFACT_TYPE,
      config: {
        mediaType: "application/vnd.oci.empty.v1+json",
        digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        size: 2,
      },
      subject: { digest: image.manifestDigest, size: image.manifest.byteLength },
    });
    for (const [digest, bytes] of artifact.blobs) expect(sha256(bytes)).toBe(digest);

    const layer = scmSourceLayerOf(manifest);
    if (!layer.ok) throw new Error(layer.reason);
    const parsed = parseScmSource(artifact.blobs.get(layer.digest)!, "referrer");
    expect(parsed.ok && parsed.provenance).toMatchObject({
      url: SCM.url,
      revision: SCM.revision,
      clean: true,
    });
  });
});

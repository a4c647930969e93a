import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, constants as zlib } from "node:zlib";
import { pack } from "tar-stream";
import { SCM_SOURCE_ARTIFACT_TYPE } from "../../src/images/provenance/referrer.js";

// Builds OCI image layouts (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
// that `skopeo copy oci:<dir>:<tag> docker://…` pushes, so the registry tests need no Docker engine.

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
const REF_NAME = "org.opencontainers.image.ref.name";
const MiB = 1024 * 1024;

/** An OCI content descriptor. */
export interface OciDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One layer of a test image. */
export interface OciLayerSpec {
  /** Files by path (no leading `/`); parent directories get entries of their own. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /**
   * Adds `data/random-<layer index>.bin` with this many random bytes, generated in 1 MiB chunks and
   * streamed to disk. Random bytes do not compress, so such a layer is gzip-framed without
   * compressing (level 0): a 200 MB layer takes about a second.
   */
  readonly randomBytes?: number;
  /** Default true: `application/vnd.oci.image.layer.v1.tar+gzip`; false: a plain tar. */
  readonly gzip?: boolean;
}

/** What to build; layers go bottom first. */
export interface OciImageOptions {
  /** Default "1.0.0". */
  readonly tag?: string;
  readonly layers: readonly OciLayerSpec[];
  /** Manifest annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Image config `config.Labels`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Written as JSON to `/scm-source.json` in the top layer. */
  readonly scmSource?: object;
  /** Config `created` and the files' mtime. Default "2024-01-01T00:00:00Z"; null leaves `created` out. */
  readonly created?: string | null;
}

/** A built image, as it sits in the layout directory. */
export interface OciImage {
  readonly dir: string;
  readonly tag: string;
  /** `oci:<dir>:<tag>`, a skopeo image reference. */
  readonly ref: string;
  readonly manifest: Uint8Array;
  /** The manifest's descriptor, e.g. to use as a referrer's `subject`. */
  readonly descriptor: OciDescriptor;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly layers: readonly OciDescriptor[];
  readonly layerDigests: readonly string[];
  /** sha256 of each uncompressed tar, as in the config's `rootfs.diff_ids`. */
  readonly diffIds: readonly string[];
  /** Manifest + config + layers, in bytes. */
  readonly totalSize: number;
}

/**
 * Writes an OCI image (linux/amd64) into the image layout at `dir` and tags it: `oci-layout`,
 * `index.json` (keeping the other tags already in it) and `blobs/sha256/*`. Built from the same
 * options without `randomBytes`, an image gets the same digests every time.
 *
 * @example
 * ```ts
 * const image = await buildOciImage(dir, { tag: "1.0", layers: [{ files: { "app/run.sh": "echo hi" } }],
 *   scmSource: { url: "git:git@github.com:acme/shop.git", revision: "0f3a5c9e", author: "ann", status: "" } });
 * await execFile("skopeo", ["copy", image.ref, "docker://127.0.0.1:8080/alpha/shop:1.0"]);
 * ```
 */
export async function buildOciImage(directory: string, options: OciImageOptions): Promise<OciImage> {
  const dir = resolve(directory);
  const tag = options.tag ?? "1.0.0";
  const created = options.created === undefined ? "2024-01-01T00:00:00Z" : options.created;
  const mtime = new Date(created ?? "2024-01-01T00:00:00Z");
  const specs = withScmSource(options.layers, options.scmSource);
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));

  const layers: OciDescriptor[] = [];
  const diffIds: string[] = [];
  for (const [index, spec] of specs.entries()) {
    const layer = await writeLayer(dir, spec, index, mtime);
    layers.push(layer.descriptor);
    diffIds.push(layer.diffId);
  }

  const config = await writeBlob(
    dir,
    OCI_CONFIG,
    json({
      ...(created === null ? {} : { created }),
      architecture: "amd64",
      os: "linux",
      config: {
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        ...(options.labels ? { Labels: options.labels } : {}),
      },
      rootfs: { type: "layers", diff_ids: diffIds },
      history: specs.map((_, i) => ({
        ...(created === null ? {} : { created }),
        created_by: `charter test layer ${i}`,
      })),
    }),
  );
  const manifest = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  const descriptor = await writeBlob(dir, OCI_MANIFEST, manifest);
  await tagInIndex(dir, tag, descriptor);

  return {
    dir,
    tag,
    ref: `oci:${dir}:${tag}`,
    manifest,
    descriptor,
    manifestDigest: descriptor.digest,
    configDigest: config.digest,
    layers,
    layerDigests: layers.map((l) => l.digest),
    diffIds,
    totalSize: descriptor.size + config.size + layers.reduce((sum, l) => sum + l.size, 0),
  };
}

/** The file of a blob in a layout directory. */
export function blobPath(dir: string, digest: string): string {
  const [algorithm, hex] = digest.split(":");
  return join(dir, "blobs", algorithm!, hex!);
}

/** The sha256 digest of some bytes, `sha256:<hex>`. */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A referrer artifact: its manifest bytes, digest and every blob it needs. */
export interface OciArtifact {
  readonly manifest: Uint8Array;
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType: string;
  /** By digest: the empty config `{}` and the layer. */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
}

/** What {@link ociArtifact} attaches. */
export interface OciArtifactOptions {
  /** The image the artifact refers to. */
  readonly subject: OciDescriptor;
  /** The layer content: an object is written as JSON. */
  readonly content: object | string | Uint8Array;
  /** Default {@link SCM_SOURCE_ARTIFACT_TYPE}. */
  readonly artifactType?: string;
  /** Default `application/json`. */
  readonly layerMediaType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Builds (in memory) an OCI 1.1 artifact manifest that refers to `subject`, as `oras attach` does: an
 * empty config, one layer titled `scm-source.json`. Push the blobs, then PUT the manifest by digest.
 *
 * @example
 * ```ts
 * const artifact = ociArtifact({ subject: image.descriptor, content: { url, revision } });
 * for (const [digest, bytes] of artifact.blobs) await pushBlob(repo, digest, bytes);
 * await fetch(`${base}/v2/${repo}/manifests/${artifact.digest}`, { method: "PUT",
 *   headers: { "content-type": artifact.mediaType }, body: artifact.manifest });
 * ```
 */
export function ociArtifact(options: OciArtifactOptions): OciArtifact {
  const empty = new TextEncoder().encode("{}");
  const layer =
    options.content instanceof Uint8Array
      ? options.content
      : new TextEncoder().encode(
          typeof options.content === "string" ? options.content : JSON.stringify(options.content),
        );
  const artifactType = options.artifactType ?? SCM_SOURCE_ARTIFACT_TYPE;
  const config = { mediaType: OCI_EMPTY, digest: sha256(empty), size: empty.byteLength, data: "e30=" };
  const layerDescriptor = {
    mediaType: options.layerMediaType ?? "application/json",
    digest: sha256(layer),
    size: layer.byteLength,
    annotations: { "org.opencontainers.image.title": "scm-source.json" },
  };
  const manifest = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config,
    layers: [layerDescriptor],
    subject: {
      mediaType: options.subject.mediaType,
      digest: options.subject.digest,
      size: options.subject.size,
    },
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  return {
    manifest,
    mediaType: OCI_MANIFEST,
    digest: sha256(manifest),
    size: manifest.byteLength,
    artifactType,
    blobs: new Map([
      [config.digest, empty],
      [layerDescriptor.digest, layer],
    ]),
  };
}

function withScmSource(layers: readonly OciLayerSpec[], scmSource: object | undefined): OciLayerSpec[] {
  if (scmSource === undefined) return [...layers];
  const top = layers.at(-1);
  if (top === undefined) throw new Error("scmSource needs at least one layer to live in");
  if (top.files?.["scm-source.json"] !== undefined) {
    throw new Error("scmSource and a top-layer file scm-source.json exclude each other");
  }
  return [
    ...layers.slice(0, -1),
    { ...top, files: { ...top.files, "scm-source.json": JSON.stringify(scmSource) } },
  ];
}

async function writeLayer(
  dir: string,
  spec: OciLayerSpec,
  index: number,
  mtime: Date,
): Promise<{ descriptor: OciDescriptor; diffId: string }> {
  const gzip = spec.gzip ?? true;
  const random = spec.randomBytes ?? 0;
  const archive = pack();
  const produced = fillArchive(archive, spec.files ?? {}, random, `data/random-${index}.bin`, mtime);
  const diff = createHash("sha256");
  // tar-stream's streamx streams only look like node streams to pipeline(); an async iterable is safe.
  const tar = async function* () {
    for await (const chunk of archive as AsyncIterable<Uint8Array>) {
      diff.update(chunk);
      yield chunk;
    }
  };
  const blob = await writeStreamedBlob(dir, gzip ? OCI_LAYER_GZIP : OCI_LAYER, produced, (hashed, file) =>
    gzip
      ? pipeline(
          tar,
          createGzip({
            level: random > 0 ? zlib.Z_NO_COMPRESSION : zlib.Z_DEFAULT_COMPRESSION,
            chunkSize: 256 * 1024,
          }),
          hashed,
          file,
        )
      : pipeline(tar, hashed, file),
  );
  return { descriptor: blob, diffId: `sha256:${diff.digest("hex")}` };
}

async function fillArchive(
  archive: ReturnType<typeof pack>,
  files: Readonly<Record<string, string | Uint8Array>>,
  random: number,
  randomName: string,
  mtime: Date,
): Promise<void> {
  const paths = Object.keys(files).sort();
  const all = random > 0 ? [...paths, randomName] : paths;
  const directories = new Set<string>();
  for (const path of all) {
    for (let parent = dirname(path); parent !== "." && parent !== "/"; parent = dirname(parent)) {
      directories.add(parent);
    }
  }
  for (const name of [...directories].sort()) {
    archive.entry({ name: `${name}/`, type: "directory", mode: 0o755, mtime });
  }
  for (const path of paths) {
    archive.entry({ name: path, mode: 0o644, mtime }, Buffer.from(files[path]!));
  }
  if (random > 0) {
    const entry = archive.entry({ name: randomName, size: random, mode: 0o644, mtime });
    for (let left = random; left > 0 && !archive.destroyed; left -= MiB) {
      const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(MiB, left)));
      if (!entry.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            entry.off("drain", done);
            archive.off("close", done);
            resolve();
          };
          entry.on("drain", done);
          archive.on("close", done);
        });
      }
    }
    entry.end(undefined);
  }
  archive.finalize();
}

type Hashed = (chunks: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/**
 * Runs `write`, which streams a blob through `hashed` into `file`, and moves the file to its digest's
 * name once complete; nothing is left behind on failure.
 */
async function writeStreamedBlob(
  dir: string,
  mediaType: string,
  produced: Promise<void>,
  write: (hashed: Hashed, file: NodeJS.WritableStream) => Promise<void>,
): Promise<OciDescriptor> {
  const hash = createHash("sha256");
  let size = 0;
  const hashed: Hashed = async function* (chunks) {
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.byteLength;
      yield chunk;
    }
  };
  const temporary = join(dir, "blobs", "sha256", `.partial-${randomBytes(8).toString("hex")}`);
  try {
    await Promise.all([produced, write(hashed, createWriteStream(temporary))]);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const digest = `sha256:${hash.digest("hex")}`;
  await rename(temporary, blobPath(dir, digest));
  return { mediaType, digest, size };
}

async function writeBlob(dir: string, mediaType: string, bytes: Uint8Array): Promise<OciDescriptor> {
  const digest = sha256(bytes);
  await writeFile(blobPath(dir, digest), bytes);
  return { mediaType, digest, size: bytes.byteLength };
}

async function tagInIndex(dir: string, tag: string, descriptor: OciDescriptor): Promise<void> {
  const path = join(dir, "index.json");
  let manifests: Array<{ annotations?: Record<string, string> }> = [];
  try {
    manifests = JSON.parse(await readFile(path, "utf8")).manifests ?? [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const others = manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...others, { ...descriptor, annotations: { [REF_NAME]: tag } }],
  };
  const temporary = `${path}.${randomBytes(4).toString("hex")}`;
  await writeFile(temporary, JSON.stringify(index));
  await rename(temporary, path);
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

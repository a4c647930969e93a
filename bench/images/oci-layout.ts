import { createHash, randomFillSync } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, constants as zlib } from "node:zlib";

// A one-layer OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
// for skopeo to push. The bench build leaves test/ out, so this is a small sibling of
// test/support/oci-image.ts that knows only what the benchmark needs.

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
const MiB = 1024 * 1024;
const BLOCK = 512;

export interface BenchImage {
  /** `oci:<dir>:<tag>`, a skopeo image reference. */
  readonly ref: string;
  readonly layerDigest: string;
  /** Bytes of the (gzip-framed) layer blob. */
  readonly layerSize: number;
  /** Manifest + config + layer, in bytes. */
  readonly totalSize: number;
}

/**
 * Writes an image of one layer holding `bytes` random bytes into a new layout at `dir`. Random bytes
 * do not compress, so the tar is gzip-framed without compressing (level 0): skopeo then keeps the
 * layer as it is instead of compressing it on the way to the registry, and what is measured is the
 * registries' transfer, not gzip. The manifest names its source in annotations, as CI-built images
 * do, so Charter records provenance at push time and has no layer to scan afterwards.
 */
export async function buildBenchImage(dir: string, tag: string, bytes: number): Promise<BenchImage> {
  const blobs = join(dir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));

  const diffId = createHash("sha256");
  const blob = createHash("sha256");
  let layerSize = 0;
  const temporary = join(blobs, ".partial-layer");
  await pipeline(
    async function* tar() {
      for (const chunk of tarOfOneFile("data/random.bin", bytes)) {
        diffId.update(chunk);
        yield chunk;
      }
    },
    createGzip({ level: zlib.Z_NO_COMPRESSION, chunkSize: MiB }),
    async function* count(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        blob.update(chunk);
        layerSize += chunk.byteLength;
        yield chunk;
      }
    },
    createWriteStream(temporary),
  );
  const layer = { mediaType: OCI_LAYER_GZIP, digest: `sha256:${blob.digest("hex")}`, size: layerSize };
  await rename(temporary, join(blobs, hexOf(layer.digest)));

  const config = await writeBlob(dir, OCI_CONFIG, {
    created: new Date().toISOString(),
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: [`sha256:${diffId.digest("hex")}`] },
  });
  const manifest = await writeBlob(dir, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: [layer],
    annotations: {
      "org.opencontainers.image.source": "https://git.example.com/platform/bench.git",
      "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
    },
  });
  await writeFile(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ ...manifest, annotations: { "org.opencontainers.image.ref.name": tag } }],
    }),
  );
  return {
    ref: `oci:${dir}:${tag}`,
    layerDigest: layer.digest,
    layerSize,
    totalSize: manifest.size + config.size + layerSize,
  };
}

/** A ustar archive of one regular file of random content, in chunks of at most 1 MiB. */
function* tarOfOneFile(name: string, size: number): Generator<Buffer> {
  yield ustarHeader(name, size);
  for (let left = size; left > 0; left -= MiB) yield randomFillSync(Buffer.allocUnsafe(Math.min(MiB, left)));
  const padding = (BLOCK - (size % BLOCK)) % BLOCK;
  // The file's last block is padded, and two zero blocks end the archive.
  yield Buffer.alloc(padding + 2 * BLOCK);
}

function ustarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, "ascii");
  const octal = (offset: number, length: number, value: number) =>
    field(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, Math.floor(Date.UTC(2024, 0, 1) / 1000));
  field(148, 8, " ".repeat(8));
  field(156, 1, "0");
  field(257, 8, "ustar\u000000");
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return header;
}

async function writeBlob(
  dir: string,
  mediaType: string,
  value: object,
): Promise<{ mediaType: string; digest: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  await writeFile(join(dir, "blobs", "sha256", hexOf(digest)), bytes);
  return { mediaType, digest, size: bytes.byteLength };
}

const hexOf = (digest: string) => digest.slice("sha256:".length);

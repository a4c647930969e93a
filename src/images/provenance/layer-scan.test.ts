import { randomBytes } from "node:crypto";
import { createGzip, gzipSync } from "node:zlib";
import { type Header, pack } from "tar-stream";
import { describe, expect, it } from "vitest";
import { findScmSourceInLayer } from "./layer-scan.js";

const TAR = "application/vnd.oci.image.layer.v1.tar";
const GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
const DOCKER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const MiB = 1024 * 1024;
const SCM = JSON.stringify({ url: "git:git@github.com:acme/shop.git", revision: "0f3a5c9e", author: "ann" });
const mtime = new Date("2024-01-01T00:00:00Z");

type Entry = Partial<Header> & { name: string; content?: string | Uint8Array };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const archive = pack();
  for (const { content, ...header } of entries) {
    if (content === undefined) archive.entry({ mtime, ...header });
    else archive.entry({ mtime, ...header }, Buffer.from(content));
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Yields bytes in chunks, counting what the scanner actually pulled. */
function source(bytes: Uint8Array, chunkSize = 64 * 1024) {
  const read = { bytes: 0, closed: false };
  async function* chunks() {
    try {
      for (let at = 0; at < bytes.byteLength; at += chunkSize) {
        const chunk = bytes.subarray(at, at + chunkSize);
        read.bytes += chunk.byteLength;
        yield chunk;
      }
    } finally {
      read.closed = true;
    }
  }
  return { layer: chunks(), read };
}

const scan = (bytes: Uint8Array, mediaType = TAR, options = {}) =>
  findScmSourceInLayer(source(bytes).layer, mediaType, options);
const text = (result: Awaited<ReturnType<typeof scan>>) =>
  result?.kind === "found" ? Buffer.from(result.content).toString() : result;

describe("findScmSourceInLayer", () => {
  it("finds scm-source.json at the root of an uncompressed tar", async () => {
    const tar = await tarOf([
      { name: "app/", type: "directory" },
      { name: "app/main.js", content: "console.log(1)" },
      { name: "scm-source.json", content: SCM },
    ]);
    expect(text(await scan(tar))).toBe(SCM);
  });

  it("finds it in gzip-compressed OCI and Docker layers", async () => {
    const tgz = gzipSync(await tarOf([{ name: "scm-source.json", content: SCM }]));
    expect(text(await scan(tgz, GZIP))).toBe(SCM);
    expect(text(await scan(tgz, DOCKER_GZIP))).toBe(SCM);
  });

  it("accepts ./ and / in front of the name", async () => {
    expect(text(await scan(await tarOf([{ name: "./scm-source.json", content: SCM }])))).toBe(SCM);
    expect(text(await scan(await tarOf([{ name: "/scm-source.json", content: SCM }])))).toBe(SCM);
  });

  it("does not count scm-source.json in a subfolder", async () => {
    const tar = await tarOf([
      { name: "app/scm-source.json", content: SCM },
      { name: "./srv/scm-source.json", content: SCM },
    ]);
    expect(await scan(tar)).toBeUndefined();
  });

  it("answers undefined for a layer without the file, and for an empty layer", async () => {
    expect(await scan(await tarOf([{ name: "etc/hostname", content: "box" }]))).toBeUndefined();
    expect(await scan(await tarOf([]))).toBeUndefined();
  });

  it("reports a whiteout as a deletion", async () => {
    expect(await scan(await tarOf([{ name: ".wh.scm-source.json", content: "" }]))).toEqual({
      kind: "deleted",
    });
    expect(await scan(await tarOf([{ name: "./.wh..wh..opq", content: "" }]))).toEqual({ kind: "deleted" });
  });

  it("ignores whiteouts in subfolders", async () => {
    expect(await scan(await tarOf([{ name: "app/.wh.scm-source.json", content: "" }]))).toBeUndefined();
    expect(await scan(await tarOf([{ name: "app/.wh..wh..opq", content: "" }]))).toBeUndefined();
  });

  it("lets a file win over a whiteout in the same layer, which only hides lower layers", async () => {
    const tar = await tarOf([
      { name: ".wh.scm-source.json", content: "" },
      { name: "scm-source.json", content: SCM },
    ]);
    expect(text(await scan(tar))).toBe(SCM);
  });

  it("treats something other than a regular file under the name as a deletion", async () => {
    const tar = await tarOf([{ name: "scm-source.json", type: "symlink", linkname: "/etc/passwd" }]);
    expect(await scan(tar)).toEqual({ kind: "deleted" });
    const directory = await tarOf([{ name: "./scm-source.json/", type: "directory" }]);
    expect(await scan(directory)).toEqual({ kind: "deleted" });
  });

  it("refuses a file larger than the limit", async () => {
    const big = await tarOf([{ name: "scm-source.json", content: "x".repeat(70_000) }]);
    expect(await scan(big)).toEqual({
      kind: "unreadable",
      reason: "scm-source.json is 70000 bytes, more than the 65536 allowed",
    });
    const small = await tarOf([{ name: "scm-source.json", content: SCM }]);
    expect(await scan(small, TAR, { maxEntryBytes: 10 })).toMatchObject({ kind: "unreadable" });
  });

  it("answers undefined for zstd and for media types that are not layers", async () => {
    const tar = await tarOf([{ name: "scm-source.json", content: SCM }]);
    expect(await scan(tar, "application/vnd.oci.image.layer.v1.tar+zstd")).toBeUndefined();
    expect(await scan(tar, "application/json")).toBeUndefined();
  });

  it("reports a layer that is not what its media type says", async () => {
    const tar = await tarOf([{ name: "scm-source.json", content: SCM }]);
    expect(await scan(tar, GZIP)).toMatchObject({ kind: "unreadable" });
    expect(await scan(Buffer.from("not a tar archive at all".repeat(40)))).toMatchObject({
      kind: "unreadable",
    });
    const truncated = (await tarOf([{ name: "etc/motd", content: "m".repeat(4000) }])).subarray(0, 1500);
    expect(await scan(truncated)).toMatchObject({ kind: "unreadable" });
  });

  it("passes on errors of the source itself", async () => {
    async function* failing() {
      yield new Uint8Array(512);
      throw new Error("object store unavailable");
    }
    await expect(findScmSourceInLayer(failing(), TAR)).rejects.toThrow("object store unavailable");
  });

  it("closes the source after reading a small layer", async () => {
    const { layer, read } = source(await tarOf([{ name: "scm-source.json", content: SCM }]));
    await findScmSourceInLayer(layer, TAR);
    expect(read.closed).toBe(true);
  });

  describe.each([
    ["uncompressed", TAR],
    ["gzip", GZIP],
  ])("a %s layer with 50 MB after the file", (_, mediaType) => {
    it("stops reading once the file is found", async () => {
      const read = { bytes: 0, closed: false };
      const result = await findScmSourceInLayer(counted(largeLayer(mediaType === GZIP, 50), read), mediaType);
      expect(text(result)).toBe(SCM);
      expect(read.closed).toBe(true);
      expect(read.bytes).toBeLessThan(4 * MiB);
    });
  });
});

/** scm-source.json, then `mib` MiB of random bytes, produced only as fast as they are read. */
function largeLayer(gzip: boolean, mib: number): AsyncIterable<Uint8Array> {
  const archive = pack();
  archive.entry({ name: "scm-source.json", mtime }, Buffer.from(SCM));
  const blob = archive.entry({ name: "data/blob.bin", size: mib * MiB, mtime });
  void (async () => {
    for (let i = 0; i < mib && !archive.destroyed; i++) {
      if (!blob.write(randomBytes(MiB)))
        await new Promise<void>((resolve) => blob.once("drain", () => resolve()));
    }
    blob.end(undefined);
    archive.finalize();
  })();
  if (!gzip) return archive as AsyncIterable<Uint8Array>;
  const compressed = createGzip();
  // Closing the gzip stream early makes pipe() tear the archive down with an AbortError; expected here.
  archive.on("error", () => {});
  blob.on("error", () => {});
  archive.pipe(compressed);
  return compressed;
}

async function* counted(layer: AsyncIterable<Uint8Array>, read: { bytes: number; closed: boolean }) {
  try {
    for await (const chunk of layer) {
      read.bytes += chunk.byteLength;
      yield chunk;
    }
  } finally {
    read.closed = true;
  }
}

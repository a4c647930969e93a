import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_S3_CREDENTIALS, FAKE_S3_REGION, FakeS3 } from "../../test/support/fake-s3.js";
import { S3ObjectStore } from "./aws/s3-object-store.js";
import { FileObjectStore } from "./local/file-object-store.js";
import type { ObjectInfo, ObjectStore } from "./object-store.js";

const MIB = 1024 * 1024;

interface Subject {
  readonly store: ObjectStore;
  /** What a failed put could have left behind: temp files, multipart uploads never completed. */
  leftovers(): Promise<string[]>;
}

let fake: FakeS3;
let s3: S3Client;

beforeAll(async () => {
  fake = await FakeS3.start();
  s3 = new S3Client({
    endpoint: fake.endpoint,
    region: FAKE_S3_REGION,
    forcePathStyle: true,
    credentials: FAKE_S3_CREDENTIALS,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  s3?.destroy();
  await fake?.close();
});

async function fileSubject(): Promise<Subject> {
  const root = join(await mkdtemp(join(tmpdir(), "objects-")), "objects");
  return {
    store: await FileObjectStore.open(root),
    leftovers: async () => readdir(join(root, ".tmp")),
  };
}

async function s3Subject(): Promise<Subject> {
  fake.reset();
  return {
    // The smallest part size S3 allows, so a 20 MB put is a multipart upload of several parts.
    store: new S3ObjectStore({ client: s3, bucket: fake.bucket, prefix: "registry/", partSize: 5 * MIB }),
    leftovers: async () => [...fake.uploads.keys()],
  };
}

const implementations: Array<[string, () => Promise<Subject>]> = [
  ["file", fileSubject],
  ["s3 (SDK against a fake S3 endpoint)", s3Subject],
];

async function* chunks(data: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

async function* text(value: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(value);
}

async function read(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function readText(store: ObjectStore, key: string): Promise<string> {
  return (await read(await store.get(key))).toString();
}

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const items: ObjectInfo[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe.each(implementations)("ObjectStore contract: %s", (_name, make) => {
  it("stores a body and returns its size", async () => {
    const { store } = await make();
    expect(await store.put("blobs/a", text("hello"))).toEqual({ size: 5 });
    expect(await readText(store, "blobs/a")).toBe("hello");
  });

  it("stores an empty body", async () => {
    const { store } = await make();
    expect(await store.put("empty", chunks(new Uint8Array(0)))).toEqual({ size: 0 });
    expect(await readText(store, "empty")).toBe("");
    expect((await store.stat("empty"))?.size).toBe(0);
  });

  it("overwrites an existing object", async () => {
    const { store } = await make();
    await store.put("k", text("first version"));
    await store.put("k", text("second"));
    expect(await readText(store, "k")).toBe("second");
    expect((await store.stat("k"))?.size).toBe(6);
  });

  it("round-trips 20 MB intact", async () => {
    const { store } = await make();
    const data = randomBytes(20 * MIB);
    expect(await store.put("blobs/sha256/big", chunks(data))).toEqual({ size: data.length });
    expect(sha256(await read(await store.get("blobs/sha256/big")))).toBe(sha256(data));
  });

  it("leaves no object and nothing half-done when the body fails midway", async () => {
    const { store, leftovers } = await make();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield* chunks(randomBytes(12 * MIB), MIB);
      throw new Error("client went away");
    }
    await expect(store.put("blobs/x", failing())).rejects.toThrow("client went away");
    expect(await store.stat("blobs/x")).toBeUndefined();
    expect(await collect(store.list(""))).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it("keeps the previous object when an overwrite fails", async () => {
    const { store } = await make();
    await store.put("k", text("old"));
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from("new");
      throw new Error("boom");
    }
    await expect(store.put("k", failing())).rejects.toThrow("boom");
    expect(await readText(store, "k")).toBe("old");
  });

  it("leaves nothing when the signal aborts, even while the body is stalled", async () => {
    const { store, leftovers } = await make();
    const controller = new AbortController();
    async function* stalled(): AsyncGenerator<Uint8Array> {
      yield* chunks(randomBytes(7 * MIB), MIB);
      controller.abort();
      await new Promise(() => {});
    }
    await expect(store.put("blobs/x", stalled(), { signal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(await store.stat("blobs/x")).toBeUndefined();
    expect(await leftovers()).toEqual([]);
  });

  it("refuses a put whose signal has already aborted", async () => {
    const { store, leftovers } = await make();
    const signal = AbortSignal.abort();
    await expect(store.put("k", text("x"), { signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(await store.stat("k")).toBeUndefined();
    expect(await leftovers()).toEqual([]);
  });

  it("shows nothing of a put until its body has ended", async () => {
    const { store } = await make();
    await store.put("k", text("old"));
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.from("new ");
      await gate;
      yield Buffer.from("content");
    }
    const put = store.put("k", slow());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readText(store, "k")).toBe("old");
    expect((await store.stat("k"))?.size).toBe(3);
    release();
    await put;
    expect(await readText(store, "k")).toBe("new content");
  });

  it("leaves one complete object when puts to one key race", async () => {
    const { store } = await make();
    const bodies = [1, 2, 3, 4].map((n) => Buffer.alloc(3 * MIB, n));
    await Promise.all(bodies.map((body) => store.put("race", chunks(body))));
    const stored = await read(await store.get("race"));
    expect(bodies.map(sha256)).toContain(sha256(stored));
  });

  it("reads byte ranges: first byte, last byte, middle, whole", async () => {
    const { store } = await make();
    await store.put("r", text("0123456789"));
    const range = async (start: number, end: number) =>
      (await read(await store.get("r", { start, end }))).toString();
    expect(await range(0, 0)).toBe("0");
    expect(await range(9, 9)).toBe("9");
    expect(await range(3, 6)).toBe("3456");
    expect(await range(0, 9)).toBe("0123456789");
  });

  it("reads a range deep inside a large object", async () => {
    const { store } = await make();
    const data = randomBytes(6 * MIB);
    await store.put("big", chunks(data));
    const start = 5 * MIB - 7;
    const slice = await read(await store.get("big", { start, end: start + 99 }));
    expect(slice.equals(data.subarray(start, start + 100))).toBe(true);
  });

  it("refuses ranges outside the object or not well formed", async () => {
    const { store } = await make();
    await store.put("r", text("0123456789"));
    await store.put("empty", chunks(new Uint8Array(0)));
    for (const [key, start, end] of [
      ["r", 5, 10],
      ["r", 10, 10],
      ["r", 4, 3],
      ["r", -1, 2],
      ["r", 0.5, 2],
      ["empty", 0, 0],
    ] as const) {
      expect(await codeOf(store.get(key, { start, end }))).toBe("CLOUD_RANGE_NOT_SATISFIABLE");
    }
  });

  it("answers CLOUD_OBJECT_NOT_FOUND for a missing key, with or without a range", async () => {
    const { store } = await make();
    expect(await codeOf(store.get("missing"))).toBe("CLOUD_OBJECT_NOT_FOUND");
    expect(await codeOf(store.get("missing", { start: 0, end: 0 }))).toBe("CLOUD_OBJECT_NOT_FOUND");
    expect(await codeOf(store.get("no/such/folder"))).toBe("CLOUD_OBJECT_NOT_FOUND");
  });

  it("states size and modification time, and nothing for a missing key", async () => {
    const { store } = await make();
    const before = Date.now();
    await store.put("blobs/s", text("12345"));
    const info = await store.stat("blobs/s");
    expect(info).toMatchObject({ key: "blobs/s", size: 5 });
    expect(info?.modifiedAt).toBeInstanceOf(Date);
    // S3 keeps seconds only.
    expect(info!.modifiedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(await store.stat("blobs/missing")).toBeUndefined();
    expect(await store.stat("blobs")).toBeUndefined();
  });

  it("deletes idempotently", async () => {
    const { store } = await make();
    await store.put("d/k", text("x"));
    await store.delete("d/k");
    expect(await store.stat("d/k")).toBeUndefined();
    await store.delete("d/k");
    await store.delete("never/existed");
    expect(await collect(store.list(""))).toEqual([]);
  });

  it("moves an object, onto a new key or over an existing one", async () => {
    const { store } = await make();
    await store.put("uploads/u1", text("layer"));
    await store.move("uploads/u1", "blobs/sha256/l1");
    expect(await store.stat("uploads/u1")).toBeUndefined();
    expect(await readText(store, "blobs/sha256/l1")).toBe("layer");

    await store.put("uploads/u2", text("newer layer"));
    await store.move("uploads/u2", "blobs/sha256/l1");
    expect(await readText(store, "blobs/sha256/l1")).toBe("newer layer");
    expect((await collect(store.list(""))).map((o) => o.key)).toEqual(["blobs/sha256/l1"]);
  });

  it("moves a large object intact", async () => {
    const { store } = await make();
    const data = randomBytes(12 * MIB);
    await store.put("uploads/big", chunks(data));
    await store.move("uploads/big", "blobs/big");
    expect(sha256(await read(await store.get("blobs/big")))).toBe(sha256(data));
    expect(await store.stat("uploads/big")).toBeUndefined();
  });

  it("keeps an object moved onto itself, and refuses to move a missing one", async () => {
    const { store } = await make();
    await store.put("k", text("same"));
    await store.move("k", "k");
    expect(await readText(store, "k")).toBe("same");
    expect(await codeOf(store.move("missing", "k"))).toBe("CLOUD_OBJECT_NOT_FOUND");
    expect(await codeOf(store.move("missing", "missing"))).toBe("CLOUD_OBJECT_NOT_FOUND");
    expect(await readText(store, "k")).toBe("same");
  });

  it("lists by prefix in key order, nested keys included", async () => {
    const { store } = await make();
    const keys = [
      "uploads/u1",
      "blobs/sha256/ab/2",
      "blobsy",
      "blobs/x",
      "blobs/sha256/a.y",
      "blobs/sha256/aa/1",
      "blobs/sha256/a-x",
      "blobs/sha256/a0",
      "blobs/sha256/a/deep/er",
    ];
    for (const key of keys) await store.put(key, text(key));
    const list = async (prefix: string) => (await collect(store.list(prefix))).map((o) => o.key);
    expect(await list("")).toEqual([...keys].sort());
    expect(await list("blobs/")).toEqual([
      "blobs/sha256/a-x",
      "blobs/sha256/a.y",
      "blobs/sha256/a/deep/er",
      "blobs/sha256/a0",
      "blobs/sha256/aa/1",
      "blobs/sha256/ab/2",
      "blobs/x",
    ]);
    expect(await list("blobs")).toEqual([...(await list("blobs/")), "blobsy"]);
    expect(await list("blobs/sha256/a")).toEqual([
      "blobs/sha256/a-x",
      "blobs/sha256/a.y",
      "blobs/sha256/a/deep/er",
      "blobs/sha256/a0",
      "blobs/sha256/aa/1",
      "blobs/sha256/ab/2",
    ]);
    expect(await list("blobs/sha256/a/")).toEqual(["blobs/sha256/a/deep/er"]);
    expect(await list("uploads/u1")).toEqual(["uploads/u1"]);
    expect(await list("nothing/")).toEqual([]);
    const [first] = await collect(store.list("blobs/x"));
    expect(first).toMatchObject({ key: "blobs/x", size: "blobs/x".length });
    expect(first?.modifiedAt).toBeInstanceOf(Date);
  });

  it("rejects invalid keys and prefixes with CLOUD_OBJECT_KEY_INVALID", async () => {
    const { store } = await make();
    await store.put("ok", text("x"));
    const invalid = [
      "../x",
      "/abs",
      "",
      "a//b",
      "a/",
      "a/../b",
      "a/./b",
      ".tmp/x",
      "a b",
      "a\\b",
      "ä",
      "x".repeat(1025),
    ];
    for (const key of invalid) {
      expect(await codeOf(store.put(key, text("x"))), key).toBe("CLOUD_OBJECT_KEY_INVALID");
      expect(await codeOf(store.get(key)), key).toBe("CLOUD_OBJECT_KEY_INVALID");
      expect(await codeOf(store.stat(key)), key).toBe("CLOUD_OBJECT_KEY_INVALID");
      expect(await codeOf(store.delete(key)), key).toBe("CLOUD_OBJECT_KEY_INVALID");
      expect(await codeOf(store.move("ok", key)), key).toBe("CLOUD_OBJECT_KEY_INVALID");
      expect(await codeOf(store.move(key, "ok")), key).toBe("CLOUD_OBJECT_KEY_INVALID");
      expect(await codeOf(store.presignedGetUrl(key, 60)), key).toBe("CLOUD_OBJECT_KEY_INVALID");
    }
    for (const prefix of ["../", "/abs", "a//", "a//b", ".tmp/"]) {
      expect(await codeOf((async () => collect(store.list(prefix)))()), prefix).toBe(
        "CLOUD_OBJECT_KEY_INVALID",
      );
    }
    expect(await readText(store, "ok")).toBe("x");
  });

  it("presigns a URL that serves the object, or answers undefined when it cannot", async () => {
    const { store } = await make();
    await store.put("blobs/p", text("presigned content"));
    const url = await store.presignedGetUrl("blobs/p", 300);
    if (url === undefined) return;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("presigned content");
  });
});

describe("FileObjectStore", () => {
  it("removes temp files of crashed puts at open, and keeps recent ones", async () => {
    const root = await mkdtemp(join(tmpdir(), "objects-"));
    await mkdir(join(root, ".tmp"));
    await writeFile(join(root, ".tmp", "stale"), "half a layer");
    await writeFile(join(root, ".tmp", "recent"), "a put in progress");
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(join(root, ".tmp", "stale"), twoDaysAgo, twoDaysAgo);
    const store = await FileObjectStore.open(root);
    expect(await readdir(join(root, ".tmp"))).toEqual(["recent"]);
    expect(await collect(store.list(""))).toEqual([]);
  });

  it("cannot hold both a key and a key below it", async () => {
    const { store, leftovers } = await fileSubject();
    await store.put("a/b", text("x"));
    expect(await codeOf(store.put("a", text("y")))).toBe("CLOUD_OBJECT_KEY_CONFLICT");
    expect(await codeOf(store.put("a/b/c", text("y")))).toBe("CLOUD_OBJECT_KEY_CONFLICT");
    await store.put("m", text("z"));
    expect(await codeOf(store.move("m", "a"))).toBe("CLOUD_OBJECT_KEY_CONFLICT");
    expect(await readText(store, "m")).toBe("z");
    expect(await leftovers()).toEqual([]);
  });

  it("removes folders that deletes and moves leave empty", async () => {
    const root = await mkdtemp(join(tmpdir(), "objects-"));
    const store = await FileObjectStore.open(root);
    await store.put("uploads/u/1/data", text("x"));
    await store.put("blobs/keep", text("y"));
    await store.move("uploads/u/1/data", "blobs/moved");
    await store.delete("blobs/keep");
    expect((await readdir(root)).sort()).toEqual([".tmp", "blobs"]);
    expect(await readdir(join(root, "blobs"))).toEqual(["moved"]);
  });

  it("skips files whose names no key could have", async () => {
    const root = await mkdtemp(join(tmpdir(), "objects-"));
    const store = await FileObjectStore.open(root);
    await writeFile(join(root, ".DS_Store"), "");
    await writeFile(join(root, "with space"), "");
    await store.put("real", text("x"));
    expect((await collect(store.list(""))).map((o) => o.key)).toEqual(["real"]);
  });
});

describe("S3ObjectStore, as S3 sees it", () => {
  async function store(options: { copyPartSize?: number } = {}) {
    fake.reset();
    return new S3ObjectStore({
      client: s3,
      bucket: fake.bucket,
      prefix: "registry/",
      partSize: 5 * MIB,
      ...options,
    });
  }

  it("puts objects under the prefix, small ones with one PutObject", async () => {
    const objects = await store();
    await objects.put("blobs/a", text("hello"));
    expect([...fake.objects.keys()]).toEqual(["registry/blobs/a"]);
    expect(fake.sent("PutObject")).toHaveLength(1);
    expect(fake.sent("CreateMultipartUpload")).toHaveLength(0);
  });

  it("streams large bodies as a multipart upload of partSize parts", async () => {
    const objects = await store();
    await objects.put("big", chunks(randomBytes(12 * MIB)));
    expect(fake.sent("CreateMultipartUpload")).toHaveLength(1);
    expect(
      fake
        .sent("UploadPart")
        .map((r) => Number(r.query.get("partNumber")))
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(fake.sent("CompleteMultipartUpload")).toHaveLength(1);
    expect(fake.objects.get("registry/big")?.body.length).toBe(12 * MIB);
  });

  it("aborts the multipart upload when the body fails", async () => {
    const objects = await store();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield* chunks(randomBytes(12 * MIB), MIB);
      throw new Error("client went away");
    }
    await expect(objects.put("blobs/x", failing())).rejects.toThrow("client went away");
    const [created] = fake.sent("CreateMultipartUpload");
    const aborted = fake.sent("AbortMultipartUpload");
    expect(aborted).toHaveLength(1);
    expect(aborted[0]?.query.get("uploadId")).toBeTruthy();
    expect(aborted[0]?.key).toBe(created?.key);
    expect(fake.sent("CompleteMultipartUpload")).toHaveLength(0);
    expect(fake.uploads.size).toBe(0);
  });

  it("aborts the multipart upload when the signal aborts", async () => {
    const objects = await store();
    const controller = new AbortController();
    async function* stalled(): AsyncGenerator<Uint8Array> {
      yield* chunks(randomBytes(11 * MIB), MIB);
      controller.abort();
      await new Promise(() => {});
    }
    await expect(objects.put("blobs/x", stalled(), { signal: controller.signal })).rejects.toThrow();
    expect(fake.sent("AbortMultipartUpload")).toHaveLength(1);
    expect(fake.uploads.size).toBe(0);
  });

  it("sends the range as an HTTP Range header", async () => {
    const objects = await store();
    await objects.put("r", text("0123456789"));
    await read(await objects.get("r", { start: 2, end: 5 }));
    await read(await objects.get("r"));
    const gets = fake.sent("GetObject");
    expect(gets.map((r) => r.headers.range)).toEqual(["bytes=2-5", undefined]);
    expect(gets.every((r) => r.key === "registry/r")).toBe(true);
  });

  it("presigns a GET with the signature and the expiry in the URL", async () => {
    const objects = await store();
    await objects.put("blobs/p", text("direct"));
    const url = new URL((await objects.presignedGetUrl("blobs/p", 900))!);
    expect(url.pathname).toBe(`/${fake.bucket}/registry/blobs/p`);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-Credential")).toContain(FAKE_S3_CREDENTIALS.accessKeyId);
    const response = await fetch(url);
    expect(await response.text()).toBe("direct");
    expect(fake.sent("GetObject").at(-1)?.presigned).toBe(true);
    url.searchParams.set("X-Amz-Expires", "901");
    expect((await fetch(url)).status).toBe(403);
  });

  it("refuses a presigned URL once it has expired", async () => {
    let now = Date.now();
    const clockedFake = await FakeS3.start({ now: () => now });
    const client = new S3Client({
      endpoint: clockedFake.endpoint,
      region: FAKE_S3_REGION,
      forcePathStyle: true,
      credentials: FAKE_S3_CREDENTIALS,
    });
    try {
      const objects = new S3ObjectStore({ client, bucket: clockedFake.bucket });
      await objects.put("k", text("x"));
      const url = (await objects.presignedGetUrl("k", 60))!;
      expect((await fetch(url)).status).toBe(200);
      now += 61_000;
      expect((await fetch(url)).status).toBe(403);
    } finally {
      client.destroy();
      await clockedFake.close();
    }
  });

  it("refuses a presign TTL S3 cannot sign", async () => {
    const objects = await store();
    await expect(objects.presignedGetUrl("k", 0)).rejects.toThrow(RangeError);
    await expect(objects.presignedGetUrl("k", 7 * 24 * 3600 + 1)).rejects.toThrow(RangeError);
  });

  it("moves with CopyObject then DeleteObject, copying large objects in parts", async () => {
    const objects = await store({ copyPartSize: 5 * MIB });
    await objects.put("small", text("s"));
    await objects.move("small", "small-moved");
    expect(fake.sent("CopyObject").map((r) => r.headers["x-amz-copy-source"])).toEqual([
      `${fake.bucket}/registry/small`,
    ]);
    expect(fake.sent("DeleteObject").map((r) => r.key)).toEqual(["registry/small"]);

    const data = randomBytes(12 * MIB);
    await objects.put("large", chunks(data));
    await objects.move("large", "large-moved");
    expect(
      fake
        .sent("UploadPartCopy")
        .map((r) => r.headers["x-amz-copy-source-range"])
        .sort(),
    ).toEqual([
      `bytes=0-${5 * MIB - 1}`,
      `bytes=${10 * MIB}-${12 * MIB - 1}`,
      `bytes=${5 * MIB}-${10 * MIB - 1}`,
    ]);
    expect(fake.objects.get("registry/large-moved")?.body.equals(data)).toBe(true);
    expect(fake.objects.has("registry/large")).toBe(false);
    expect(fake.uploads.size).toBe(0);
  });

  it("lists through every page", async () => {
    const objects = await store();
    for (const key of ["a", "b", "c", "d", "e", "f", "g"]) await objects.put(`p/${key}`, text(key));
    expect((await collect(objects.list("p/"))).map((o) => o.key)).toEqual([
      "p/a",
      "p/b",
      "p/c",
      "p/d",
      "p/e",
      "p/f",
      "p/g",
    ]);
    const lists = fake.sent("ListObjectsV2");
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(lists.every((r) => r.query.get("prefix") === "registry/p/")).toBe(true);
  });

  it("fails a whole-object read whose data does not match the checksum S3 returns", async () => {
    const objects = await store();
    await objects.put("k", text("original"));
    const stored = fake.objects.get("registry/k")!;
    fake.objects.set("registry/k", { ...stored, body: Buffer.from("tampered") });
    await expect(read(await objects.get("k"))).rejects.toThrow(/checksum/i);
    expect(fake.sent("GetObject")[0]?.headers["x-amz-checksum-mode"]).toBe("ENABLED");
  });

  it("is refused by the fake when signed with other credentials", async () => {
    fake.reset();
    const stranger = new S3Client({
      endpoint: fake.endpoint,
      region: FAKE_S3_REGION,
      forcePathStyle: true,
      credentials: { ...FAKE_S3_CREDENTIALS, secretAccessKey: "not-the-secret" },
      maxAttempts: 1,
    });
    try {
      const objects = new S3ObjectStore({ client: stranger, bucket: fake.bucket });
      await expect(objects.put("k", text("x"))).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
      expect(fake.objects.size).toBe(0);
    } finally {
      stranger.destroy();
    }
  });

  it("validates its options, naming the bad one", () => {
    expect(() => new S3ObjectStore({ client: s3, bucket: "Not_A_Bucket" })).toThrow(/bucket/);
    expect(() => new S3ObjectStore({ client: s3, bucket: "b-1", prefix: "registry" })).toThrow(/prefix/);
    expect(() => new S3ObjectStore({ client: s3, bucket: "b-1", prefix: "../" })).toThrow();
    expect(() => new S3ObjectStore({ client: s3, bucket: "b-1", partSize: MIB })).toThrow(/partSize/);
  });
});

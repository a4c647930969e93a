import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import type { ByteRange, ObjectStore } from "../cloud/index.js";
import { type Digest, HashingCounter, parseDigest } from "./digest.js";
import { ImagesErrors } from "./errors.js";

/** A part of an upload as received: where it is, how long, and its sha256. */
export interface ReceivedPart {
  readonly key: string;
  readonly size: number;
  readonly digest: string;
}

/**
 * Blob bytes in the object store: verified blobs under `blobs/<alg>/<xx>/<hex>`, upload parts under
 * `uploads/<id>/`. Every byte is hashed as it streams in, so a blob is verified without a second
 * read; only a blob whose digest matched is moved to its final key.
 */
export class BlobStorage {
  readonly #objects: ObjectStore;

  constructor(objects: ObjectStore) {
    this.#objects = objects;
  }

  static blobKey(digest: Digest): string {
    return `blobs/${digest.algorithm}/${digest.hex.slice(0, 2)}/${digest.hex}`;
  }

  static uploadPrefix(uploadId: string): string {
    return `uploads/${uploadId}/`;
  }

  /** Streams one PATCH (or the body of a final PUT) into a new part of the upload. */
  async receivePart(
    uploadId: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<ReceivedPart> {
    const key = `${BlobStorage.uploadPrefix(uploadId)}${offset.toString().padStart(15, "0")}-${randomBytes(4).toString("hex")}`;
    const counter = new HashingCounter("sha256");
    await this.#objects.put(key, counter.pass(body), signal === undefined ? {} : { signal });
    return { key, size: counter.size, digest: counter.digest() };
  }

  /**
   * Checks that the upload's parts are the blob `expected` and returns the key of an object holding
   * exactly its bytes: a single part whose sha256 is known is used as it is, without being read
   * again; otherwise the parts stream through a hash into one new object. Throws DIGEST_INVALID on
   * a mismatch, leaving nothing new behind.
   */
  async verify(uploadId: string, parts: readonly ReceivedPart[], expected: Digest): Promise<string> {
    if (parts.length === 1 && expected.algorithm === "sha256") {
      if (parts[0]!.digest !== expected.value) throw mismatch(expected);
      return parts[0]!.key;
    }
    const staging = `${BlobStorage.uploadPrefix(uploadId)}assembled-${randomBytes(4).toString("hex")}`;
    const counter = new HashingCounter(expected.algorithm);
    await this.#objects.put(staging, counter.pass(this.#concat(parts.map((p) => p.key))));
    if (counter.digest() !== expected.value) {
      await this.#objects.delete(staging);
      throw mismatch(expected);
    }
    return staging;
  }

  /** Moves verified bytes to the blob's key, where readers find them. */
  async commit(verifiedKey: string, digest: Digest): Promise<void> {
    await this.#objects.move(verifiedKey, BlobStorage.blobKey(digest));
  }

  open(digest: string, range?: ByteRange): Promise<Readable> {
    return this.#objects.get(BlobStorage.blobKey(parseDigest(digest)), range);
  }

  async read(digest: string, limit: number): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await this.open(digest)) {
      size += (chunk as Buffer).byteLength;
      if (size > limit)
        throw ImagesErrors.IMAGES_SIZE_INVALID(`blob ${digest} is larger than ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  presignedUrl(digest: string, ttlSeconds: number): Promise<string | undefined> {
    return this.#objects.presignedGetUrl(BlobStorage.blobKey(parseDigest(digest)), ttlSeconds);
  }

  async delete(digest: string): Promise<void> {
    await this.#objects.delete(BlobStorage.blobKey(parseDigest(digest)));
  }

  async deleteKeys(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.#objects.delete(key);
  }

  /** Removes everything an upload left behind, including parts of interrupted requests. */
  async deleteUpload(uploadId: string): Promise<void> {
    const keys: string[] = [];
    for await (const object of this.#objects.list(BlobStorage.uploadPrefix(uploadId))) keys.push(object.key);
    await this.deleteKeys(keys);
  }

  /** Every object under `blobs/` (for the sweep of objects whose row was never written). */
  async *storedBlobs(): AsyncIterable<{ digest: string; modifiedAt: Date }> {
    for await (const object of this.#objects.list("blobs/")) {
      const [, algorithm, , hex] = object.key.split("/");
      if (algorithm !== undefined && hex !== undefined)
        yield { digest: `${algorithm}:${hex}`, modifiedAt: object.modifiedAt };
    }
  }

  /** Every object under `uploads/`, with the upload it belongs to. */
  async *storedUploadObjects(): AsyncIterable<{ uploadId: string; key: string; modifiedAt: Date }> {
    for await (const object of this.#objects.list("uploads/")) {
      const uploadId = object.key.split("/")[1];
      if (uploadId !== undefined) yield { uploadId, key: object.key, modifiedAt: object.modifiedAt };
    }
  }

  /** When the object was last written, or undefined when it is gone. */
  async modifiedAt(key: string): Promise<Date | undefined> {
    return (await this.#objects.stat(key))?.modifiedAt;
  }

  async *#concat(keys: readonly string[]): AsyncIterable<Uint8Array> {
    for (const key of keys) yield* await this.#objects.get(key);
  }
}

function mismatch(expected: Digest) {
  return ImagesErrors.IMAGES_DIGEST_INVALID(`the uploaded content does not match digest ${expected.value}`);
}

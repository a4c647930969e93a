import type { Readable } from "node:stream";
import { CloudErrors } from "./errors.js";

/** What a store knows about one object. */
export interface ObjectInfo {
  readonly key: string;
  /** Bytes. */
  readonly size: number;
  readonly modifiedAt: Date;
}

/** Bytes `start` to `end` of an object, both inclusive (as in an HTTP `Range` header). */
export interface ByteRange {
  readonly start: number;
  /** inclusive */
  readonly end: number;
}

/**
 * Named byte blobs (registry layers, manifests, trail files): files under the data directory in
 * embedded mode, S3 in production.
 *
 * Keys are `/`-separated segments of `[A-Za-z0-9._-]`; a segment is never empty and never starts
 * with a dot, and `..` appears nowhere (so `../x`, `/abs`, `a//b`, `a/` and `.tmp/x` are all
 * rejected with `CLOUD_OBJECT_KEY_INVALID`); at most {@link OBJECT_KEY_MAX} characters. The file store
 * cannot hold both `a` and `a/b` and answers the second with `CLOUD_OBJECT_KEY_CONFLICT`; keep keys of
 * one kind at one depth.
 */
export interface ObjectStore {
  /**
   * Streams body into key. The object becomes visible only if the stream ends without error (atomic:
   * temp file + rename / single PutObject or multipart completion). Overwrites. Returns bytes written.
   * If `signal` aborts or body errors, nothing is left behind and the promise rejects.
   *
   * The signal is watched while the body is read; once the body has ended the put commits.
   */
  put(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options?: { signal?: AbortSignal },
  ): Promise<{ size: number }>;
  /**
   * Throws CloudErrors.CLOUD_OBJECT_NOT_FOUND when missing; range is inclusive and must be within size
   * (else CLOUD_RANGE_NOT_SATISFIABLE, also for any range of an empty object).
   */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Idempotent. */
  delete(key: string): Promise<void>;
  /**
   * Renames (file: rename(2), atomic; S3: CopyObject, or UploadPartCopy for large objects, then
   * DeleteObject). Overwrites `to`. Missing `from` → CLOUD_OBJECT_NOT_FOUND.
   */
  move(from: string, to: string): Promise<void>;
  /**
   * Every object whose key starts with prefix, in key order (by UTF-16 code unit, which for the key
   * alphabet is byte order, S3's order). The prefix is `""`, a key, or a key followed by `/`.
   */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /**
   * A URL a client may GET the object from directly for ttlSeconds, or undefined when this store can
   * only serve through Charter (the file store).
   */
  presignedGetUrl(key: string, ttlSeconds: number): Promise<string | undefined>;
}

/** S3's limit on key length (in bytes; keys are ASCII). */
export const OBJECT_KEY_MAX = 1024;

const KEY_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

/** Whether `key` is a valid object key (see {@link ObjectStore}). */
export function isObjectKey(key: string): boolean {
  return key.length <= OBJECT_KEY_MAX && KEY_PATTERN.test(key) && !key.includes("..");
}

/** Throws CLOUD_OBJECT_KEY_INVALID unless `key` is a valid object key. */
export function assertObjectKey(key: string): void {
  if (!isObjectKey(key)) {
    throw CloudErrors.CLOUD_OBJECT_KEY_INVALID(`object key ${JSON.stringify(key)} is not valid`);
  }
}

/** Throws CLOUD_OBJECT_KEY_INVALID unless `prefix` is `""`, a key, or a key followed by `/`. */
export function assertKeyPrefix(prefix: string): void {
  if (prefix === "" || isObjectKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix)) return;
  throw CloudErrors.CLOUD_OBJECT_KEY_INVALID(`key prefix ${JSON.stringify(prefix)} is not valid`);
}

/** Throws CLOUD_RANGE_NOT_SATISFIABLE unless the range is well formed and, given `size`, within it. */
export function assertRange(range: ByteRange, size = Number.MAX_SAFE_INTEGER): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= size) {
    throw CloudErrors.CLOUD_RANGE_NOT_SATISFIABLE(
      `range ${start}-${end} is not within ${size === Number.MAX_SAFE_INTEGER ? "bounds" : `${size} bytes`}`,
    );
  }
}

/**
 * `body`, failing with `signal.reason` as soon as `signal` aborts, even while the body is stalled
 * (stream.pipeline would wait for a stalled async iterable forever). The body itself is released
 * with `return()`, which destroys a Readable.
 */
export function untilAborted(
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
): AsyncIterable<Uint8Array> {
  return signal === undefined ? body : watch(body, signal);
}

async function* watch(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  signal.throwIfAborted();
  const iterator = body[Symbol.asyncIterator]();
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  let ended = false;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    // Not awaited: an async generator parked in an await finishes its return() only when it resumes.
    if (!ended) iterator.return?.()?.catch(() => {});
  }
}

import { randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, rename, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { type Clock, systemClock } from "../../core/index.js";
import { CloudErrors } from "../errors.js";
import {
  assertKeyPrefix,
  assertObjectKey,
  assertRange,
  type ByteRange,
  isObjectKey,
  type ObjectInfo,
  type ObjectStore,
  untilAborted,
} from "../object-store.js";

/** Where puts stream to before the rename; no key can name it, since key segments never start with a dot. */
const TEMP_DIR = ".tmp";
/** Large buffers: layers are hundreds of megabytes, and fewer, bigger writes and reads are cheaper. */
const BUFFER_BYTES = 1024 * 1024;
/** A temp file untouched for this long belongs to a put that died with its process. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

export interface FileObjectStoreOptions {
  /** Decides which temp files are stale at open. Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * Objects as files under a root directory: key `a/b/c` is the file `<root>/a/b/c`. A put streams to
 * `<root>/.tmp/`, fsyncs, and renames into place, so a reader sees the old object or the whole new
 * one, never part of it, and a crash leaves at most a temp file, which an open a day later removes.
 */
export class FileObjectStore implements ObjectStore {
  private readonly tempDir: string;

  private readonly root: string;

  private constructor(root: string) {
    this.root = resolve(root);
    this.tempDir = join(this.root, TEMP_DIR);
  }

  /** Creates the root when missing and removes temp files left by puts of crashed processes. */
  static async open(root: string, options: FileObjectStoreOptions = {}): Promise<FileObjectStore> {
    const store = new FileObjectStore(root);
    await mkdir(store.tempDir, { recursive: true });
    const staleBefore = (options.clock ?? systemClock).now().getTime() - STALE_TEMP_MS;
    for (const name of await readdir(store.tempDir)) {
      const path = join(store.tempDir, name);
      const info = await stat(path).catch(ignore("ENOENT"));
      if (info?.isFile() && info.mtimeMs < staleBefore) await unlink(path).catch(ignore("ENOENT"));
    }
    return store;
  }

  async put(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ size: number }> {
    const path = this.pathOf(key);
    options.signal?.throwIfAborted();
    const temp = join(this.tempDir, randomUUID());
    // Opened here rather than by the stream, so the file exists before anything can fail and the
    // cleanup below never races its creation.
    const handle = await open(temp, "wx");
    try {
      const size = await writeBatched(handle, untilAborted(body, options.signal));
      // fsync before close, so the rename never publishes data that is still only in memory.
      await handle.sync();
      await handle.close();
      await this.publish(temp, path, key);
      return { size };
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(temp).catch(ignore("ENOENT"));
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    if (range !== undefined) assertRange(range);
    const handle = await open(path, "r").catch((error: unknown) => {
      throw isMissing(error) ? notFound(key) : error;
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw notFound(key);
      if (range !== undefined) assertRange(range, info.size);
      // The stream owns the handle from here and closes it when it ends or is destroyed.
      return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: BUFFER_BYTES });
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const info = await stat(this.pathOf(key)).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    return info?.isFile() ? { key, size: info.size, modifiedAt: info.mtime } : undefined;
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      // EISDIR/EPERM: the key names a folder of other keys, so there is no object to delete.
      if (isMissing(error) || hasCode(error, "EISDIR", "EPERM")) return;
      throw error;
    }
    await this.prune(dirname(path));
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    const info = await stat(source).catch((error: unknown) => {
      throw isMissing(error) ? notFound(from) : error;
    });
    if (!info.isFile()) throw notFound(from);
    if (source === target) return;
    try {
      await this.publish(source, target, to);
    } catch (error) {
      // The source went away between the stat and the rename: a concurrent move or delete won.
      if (isMissing(error) && (await stat(source).catch(() => undefined)) === undefined) throw notFound(from);
      throw error;
    }
    await this.prune(dirname(source));
  }

  list(prefix: string): AsyncIterable<ObjectInfo> {
    assertKeyPrefix(prefix);
    // Start in the deepest folder the prefix names entirely; only its entries can match.
    const folder = prefix.slice(0, prefix.lastIndexOf("/") + 1);
    return this.walk(join(this.root, folder), folder, prefix);
  }

  async presignedGetUrl(key: string, _ttlSeconds: number): Promise<string | undefined> {
    assertObjectKey(key);
    return undefined;
  }

  private pathOf(key: string): string {
    assertObjectKey(key);
    return join(this.root, ...key.split("/"));
  }

  /** Renames `from` onto `to` (atomic, replacing it) and makes the new name durable. */
  private async publish(from: string, to: string, key: string): Promise<void> {
    const folder = dirname(to);
    // A concurrent delete may prune the folder between mkdir and rename; then make it again.
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(folder, { recursive: true });
        await rename(from, to);
        break;
      } catch (error) {
        if (hasCode(error, "EEXIST", "ENOTDIR", "EISDIR", "ENOTEMPTY")) throw conflict(key);
        if (!hasCode(error, "ENOENT") || attempt === 3) throw error;
      }
    }
    await syncFolder(folder);
  }

  /** Removes folders a delete or move left empty, up to the root, so listings stay fast. */
  private async prune(folder: string): Promise<void> {
    while (folder !== this.root && folder.startsWith(this.root)) {
      try {
        await rmdir(folder);
      } catch {
        return;
      }
      folder = dirname(folder);
    }
  }

  private async *walk(folder: string, folderKey: string, prefix: string): AsyncGenerator<ObjectInfo> {
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    // A folder sorts as its name plus "/", so `a/b` comes after `a-c` and `a.c` but before `a0`, as
    // the keys do; a plain sort of names would put the folder `a` first.
    const sorted = entries
      .filter((entry) => (entry.isFile() || entry.isDirectory()) && isObjectKey(entry.name))
      .map((entry) => ({ name: entry.name, sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name }))
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const { name, sortKey } of sorted) {
      const key = folderKey + sortKey;
      if (sortKey.endsWith("/")) {
        if (key.startsWith(prefix) || prefix.startsWith(key))
          yield* this.walk(join(folder, name), key, prefix);
      } else if (key.startsWith(prefix)) {
        const info = await stat(join(folder, name)).catch(() => undefined);
        if (info?.isFile()) yield { key, size: info.size, modifiedAt: info.mtime };
      }
    }
  }
}

/** fsync a folder, so a rename into it survives a crash; not possible on every platform. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r").catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync();
  } catch {
    // Windows and some network file systems refuse to fsync a directory.
  } finally {
    await handle.close();
  }
}

function notFound(key: string) {
  return CloudErrors.CLOUD_OBJECT_NOT_FOUND(`object "${key}" does not exist`);
}

function conflict(key: string) {
  return CloudErrors.CLOUD_OBJECT_KEY_CONFLICT(
    `object "${key}" collides with a folder of other keys or with a key that is a prefix of it`,
  );
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException | undefined)?.code ?? "");
}

/** ENOTDIR: a segment of the path is a file, so nothing exists below it. */
function isMissing(error: unknown): boolean {
  return hasCode(error, "ENOENT", "ENOTDIR");
}

function ignore(code: string) {
  return (error: unknown): undefined => {
    if (!hasCode(error, code)) throw error;
    return undefined;
  };
}

/**
 * Writes the body in batches of at least `BUFFER_BYTES` with one `writev` each, keeping one write in
 * flight while the next batch fills. Network bodies arrive in chunks of a few kilobytes; a write
 * stream issues one write per chunk whenever none is pending, which made file system calls a third
 * of a 200 MB push's CPU time.
 */
async function writeBatched(handle: FileHandle, body: AsyncIterable<Uint8Array>): Promise<number> {
  let batch: Uint8Array[] = [];
  let batched = 0;
  let size = 0;
  let inflight: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    await inflight;
    const buffers = batch;
    batch = [];
    batched = 0;
    inflight = writeAll(handle, buffers);
    inflight.catch(() => {});
  };
  try {
    for await (const chunk of body) {
      batch.push(chunk);
      batched += chunk.byteLength;
      size += chunk.byteLength;
      if (batched >= BUFFER_BYTES) await flush();
    }
    if (batched > 0) await flush();
    await inflight;
  } catch (error) {
    await inflight.catch(() => {});
    throw error;
  }
  return size;
}

/** `writev` may write less than asked (a full disk shows up that way first): write the rest. */
async function writeAll(handle: FileHandle, buffers: Uint8Array[]): Promise<void> {
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  let { bytesWritten } = await handle.writev(buffers);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(buffers).subarray(bytesWritten);
  while (bytesWritten < total) {
    const { bytesWritten: n } = await handle.write(rest, bytesWritten - (total - rest.byteLength));
    if (n === 0) throw new Error("the disk accepted no more bytes");
    bytesWritten += n;
  }
}

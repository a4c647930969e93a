import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  type S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
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

const MIB = 1024 * 1024;
/** S3's bounds on a part of a multipart upload, and on their number. */
const MIN_PART = 5 * MIB;
const MAX_PART = 5 * 1024 * MIB;
const MAX_PARTS = 10_000;
/** SigV4 presigned URLs live at most seven days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

export interface S3ObjectStoreOptions {
  /** Built by the program from its configuration (region, credentials, endpoint). */
  readonly client: S3Client;
  readonly bucket: string;
  /** Put in front of every key, so several stores can share a bucket: `""` or a key followed by `/`. Default: `""`. */
  readonly prefix?: string;
  /**
   * Bytes per part of a multipart put; a put of at most this many bytes is one PutObject. Each put
   * holds up to `queueSize` parts in memory. Default: 8 MiB (S3 allows 5 MiB to 5 GiB).
   */
  readonly partSize?: number;
  /** Parts one put uploads at the same time. Default: 4. */
  readonly queueSize?: number;
  /**
   * A move copies objects larger than this in parts of this size (UploadPartCopy, concurrently),
   * which is faster than one CopyObject and the only way past CopyObject's 5 GiB limit.
   * Default: 32 MiB, as CNCF Distribution's S3 driver (S3 allows 5 MiB to 5 GiB).
   */
  readonly copyPartSize?: number;
  /** Parts one move copies at the same time. Default: 8. */
  readonly copyConcurrency?: number;
}

/**
 * Objects in an S3 bucket. Puts stream through `@aws-sdk/lib-storage` (one PutObject for small
 * bodies, a multipart upload otherwise, which S3 publishes only on completion and which is aborted
 * when the body fails), so an object is never seen half-written.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly copyPartSize: number;
  private readonly copyConcurrency: number;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? "";
    this.partSize = options.partSize ?? 8 * MIB;
    this.queueSize = options.queueSize ?? 4;
    this.copyPartSize = options.copyPartSize ?? 32 * MIB;
    this.copyConcurrency = options.copyConcurrency ?? 8;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(this.bucket)) {
      throw new Error(`bucket ${JSON.stringify(this.bucket)} is not an S3 bucket name`);
    }
    if (this.prefix !== "" && !this.prefix.endsWith("/")) {
      throw new Error(`prefix ${JSON.stringify(this.prefix)} must be "" or end with "/"`);
    }
    assertKeyPrefix(this.prefix);
    requireInteger("partSize", this.partSize, MIN_PART, MAX_PART);
    requireInteger("queueSize", this.queueSize, 1, 64);
    requireInteger("copyPartSize", this.copyPartSize, MIN_PART, MAX_PART);
    requireInteger("copyConcurrency", this.copyConcurrency, 1, 64);
  }

  async put(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ size: number }> {
    const Key = this.keyOf(key);
    options.signal?.throwIfAborted();
    let size = 0;
    async function* counted(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const chunk of source) {
        size += chunk.byteLength;
        yield chunk;
      }
    }
    // An abort surfaces as a body error (not Upload.abort(), whose promise settles before the
    // multipart upload is aborted, and which cannot stop a PutObject in flight), so the failed
    // upload is aborted before done() rejects.
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key,
        Body: Readable.from(counted(untilAborted(body, options.signal)), { objectMode: false }),
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
    return { size };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const Key = this.keyOf(key);
    if (range !== undefined) assertRange(range);
    const output = await this.client
      .send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key,
          Range: range === undefined ? undefined : `bytes=${range.start}-${range.end}`,
        }),
      )
      .catch((error: unknown) => {
        throw translate(error, key, range);
      });
    const body = output.Body;
    if (!(body instanceof Readable)) {
      throw new Error(`GetObject of "${key}" answered without a Node.js stream body`);
    }
    // S3 shortens a range that runs past the end; the port refuses it, as the file store does.
    if (
      range !== undefined &&
      output.ContentRange !== `bytes ${range.start}-${range.end}/${totalOf(output.ContentRange)}`
    ) {
      body.destroy();
      throw rangeError(range, output.ContentRange);
    }
    return body;
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.keyOf(key);
    try {
      const output = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { key, size: output.ContentLength ?? 0, modifiedAt: output.LastModified ?? new Date(0) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.keyOf(from);
    const target = this.keyOf(to);
    const info = await this.stat(from);
    if (info === undefined) throw notFound(from);
    // S3 refuses to copy an object onto itself, and the delete below would then lose it.
    if (source === target) return;
    try {
      if (info.size > this.copyPartSize) {
        await this.copyInParts(source, target, info.size);
      } else {
        await this.client.send(
          new CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: this.copySource(source) }),
        );
      }
    } catch (error) {
      throw translate(error, from);
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: source }));
  }

  list(prefix: string): AsyncIterable<ObjectInfo> {
    assertKeyPrefix(prefix);
    return this.listPages(prefix);
  }

  async presignedGetUrl(key: string, ttlSeconds: number): Promise<string | undefined> {
    const Key = this.keyOf(key);
    requireInteger("ttlSeconds", ttlSeconds, 1, MAX_PRESIGN_SECONDS);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key }), {
      expiresIn: ttlSeconds,
    });
  }

  private keyOf(key: string): string {
    assertObjectKey(key);
    return this.prefix + key;
  }

  private copySource(s3Key: string): string {
    return `${this.bucket}/${s3Key.split("/").map(encodeURIComponent).join("/")}`;
  }

  private async *listPages(prefix: string): AsyncGenerator<ObjectInfo> {
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: this.prefix + prefix },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.prefix.length);
        // Objects someone else put into the bucket may have keys this store could never have written.
        if (key === undefined || !isObjectKey(key)) continue;
        yield { key, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
    }
  }

  /** A multipart copy; aborted, after every part in flight has settled, when any part fails. */
  private async copyInParts(source: string, target: string, size: number): Promise<void> {
    const partSize = Math.max(this.copyPartSize, Math.ceil(size / MAX_PARTS));
    const count = Math.ceil(size / partSize);
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: target }),
    );
    const parts: CompletedPart[] = [];
    let next = 0;
    let failed = false;
    const copyParts = async (): Promise<void> => {
      while (!failed && next < count) {
        const index = next++;
        const start = index * partSize;
        const end = Math.min(size, start + partSize) - 1;
        try {
          const output = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: target,
              UploadId,
              PartNumber: index + 1,
              CopySource: this.copySource(source),
              CopySourceRange: `bytes=${start}-${end}`,
            }),
          );
          parts[index] = { PartNumber: index + 1, ETag: output.CopyPartResult?.ETag };
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(this.copyConcurrency, count) }, copyParts),
    );
    const failure = results.find((result) => result.status === "rejected");
    try {
      if (failure !== undefined) throw failure.reason;
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: target,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: target, UploadId }))
        .catch(() => {});
      throw error;
    }
  }
}

function requireInteger(option: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${option} is ${value}; it must be an integer from ${min} to ${max}`);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function totalOf(contentRange: string | undefined): string {
  return contentRange?.slice(contentRange.lastIndexOf("/") + 1) ?? "";
}

/** The port's errors for S3's answers that have one; anything else (access, throttling) as it is. */
function translate(error: unknown, key: string, range?: ByteRange): unknown {
  const name = (error as { name?: string } | undefined)?.name;
  if (name === "NoSuchKey" || name === "NotFound") return notFound(key);
  if (range !== undefined && (name === "InvalidRange" || statusOf(error) === 416)) return rangeError(range);
  return error;
}

function notFound(key: string) {
  return CloudErrors.CLOUD_OBJECT_NOT_FOUND(`object "${key}" does not exist`);
}

function rangeError(range: ByteRange, contentRange?: string) {
  const detail = contentRange === undefined ? "" : ` (S3 answered ${contentRange})`;
  return CloudErrors.CLOUD_RANGE_NOT_SATISFIABLE(
    `range ${range.start}-${range.end} is not within the object${detail}`,
  );
}

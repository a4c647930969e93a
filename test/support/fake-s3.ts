/**
 * A fake of the S3 REST API, in memory, on 127.0.0.1.
 *
 * It stands in for AWS only because AWS is out of reach from the machines that run these tests (no
 * network beyond package registries). It is not a general S3: it implements just the calls
 * S3ObjectStore makes, with path-style addressing, one bucket, and the answers S3 documents for them
 * (PutObject, CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
 * AbortMultipartUpload, GetObject with Range, HeadObject, DeleteObject, CopyObject, ListObjectsV2).
 *
 * What it is for is to check the requests the SDK sends on Charter's behalf: every request must carry
 * a valid AWS Signature Version 4 (header or presigned query) for the test credentials, a signed
 * payload hash must match the body, a CRC32 checksum (header or aws-chunked trailer) must match the
 * data, a multipart completion must name parts that were uploaded, with their ETags, in ascending
 * order, and presigned URLs are refused once expired. Every request is recorded in `requests`, so a
 * test can assert on what was sent (a Range header, an AbortMultipartUpload, a query parameter).
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32 } from "node:zlib";

export const FAKE_S3_REGION = "eu-central-1";
export const FAKE_S3_CREDENTIALS = {
  accessKeyId: "AKIAFAKES3TESTKEY000",
  secretAccessKey: "fake-s3-secret-access-key-for-tests-only",
} as const;

export type S3Operation =
  | "PutObject"
  | "CopyObject"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "UploadPartCopy"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "ListObjectsV2"
  | "Unsupported";

export interface RecordedRequest {
  readonly operation: S3Operation;
  readonly method: string;
  /** The object key, decoded, without the bucket; "" for bucket-level calls. */
  readonly key: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Presigned (signature in the query) rather than signed in the Authorization header. */
  readonly presigned: boolean;
  readonly status: number;
}

export interface FakeS3Options {
  readonly bucket?: string;
  /** Keys per ListObjectsV2 page at most, so tests exercise pagination. Default: 3. */
  readonly pageSize?: number;
  /** The fake's wall clock, for expiry of presigned URLs. Default: Date.now. */
  readonly now?: () => number;
}

interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly modifiedAt: Date;
  /** CRC32 the object was uploaded with: of the data, or "<CRC32 of the parts' CRC32s>-<parts>". */
  readonly crc32?: string;
}

interface PendingUpload {
  readonly key: string;
  readonly parts: Map<number, { body: Buffer; etag: string; crc32?: string }>;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The fake server: start it, point an S3Client at `endpoint`, close it at the end. */
export class FakeS3 {
  readonly requests: RecordedRequest[] = [];
  /** Objects by key. */
  readonly objects = new Map<string, StoredObject>();
  /** Multipart uploads created and neither completed nor aborted, by upload id. */
  readonly uploads = new Map<string, PendingUpload>();
  readonly bucket: string;
  private readonly pageSize: number;
  private readonly now: () => number;

  private constructor(
    private readonly server: Server,
    options: FakeS3Options,
  ) {
    this.bucket = options.bucket ?? "charter-test";
    this.pageSize = options.pageSize ?? 3;
    this.now = options.now ?? Date.now;
  }

  static async start(options: FakeS3Options = {}): Promise<FakeS3> {
    const server = createServer();
    const fake = new FakeS3(server, options);
    server.on("request", (request, response) => {
      fake.handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return fake;
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Forgets every object, upload and recorded request. */
  reset(): void {
    this.requests.length = 0;
    this.objects.clear();
    this.uploads.clear();
  }

  /** The recorded requests of one operation. */
  sent(operation: S3Operation): RecordedRequest[] {
    return this.requests.filter((request) => request.operation === operation);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawUrl = request.url ?? "/";
    const queryStart = rawUrl.indexOf("?");
    const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const rawQuery = queryStart === -1 ? "" : rawUrl.slice(queryStart + 1);
    const query = new URLSearchParams(rawQuery);
    const [bucket = "", ...keyParts] = rawPath.slice(1).split("/").map(decodeURIComponent);
    const key = keyParts.join("/");
    const method = request.method ?? "GET";
    const operation = operationOf(method, key, query, request.headers);
    const presigned = query.has("X-Amz-Signature");
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);

    let status = 500;
    try {
      this.verifySignature(request, rawPath, rawQuery, query, raw);
      if (bucket !== this.bucket) throw new S3Error(404, "NoSuchBucket", `bucket ${bucket} does not exist`);
      const body = decodeBody(request, raw);
      status = this.dispatch(operation, key, query, request, body, response);
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      status = error.status;
      response.statusCode = error.status;
      if (method === "HEAD") {
        response.end();
      } else {
        response.setHeader("content-type", "application/xml");
        response.end(
          xml("Error", `<Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message>`),
        );
      }
    } finally {
      this.requests.push({ operation, method, key, query, headers: request.headers, presigned, status });
    }
  }

  private dispatch(
    operation: S3Operation,
    key: string,
    query: URLSearchParams,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): number {
    const headers = request.headers;
    switch (operation) {
      case "PutObject": {
        const object = this.store(key, body, md5(body), verifyChecksum(headers, body));
        return send(response, 200, { etag: object.etag });
      }
      case "CopyObject": {
        const source = this.object(this.copySourceKey(headers));
        const crc32 = source.crc32?.includes("-") ? undefined : source.crc32;
        const object = this.store(key, source.body, md5(source.body), crc32);
        return sendXml(response, "CopyObjectResult", copyResult(object.etag, object.modifiedAt));
      }
      case "CreateMultipartUpload": {
        const uploadId = randomUUID();
        this.uploads.set(uploadId, { key, parts: new Map() });
        const algorithm = headers["x-amz-checksum-algorithm"];
        if (typeof algorithm === "string") response.setHeader("x-amz-checksum-algorithm", algorithm);
        const fields = `<Bucket>${this.bucket}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId>`;
        return sendXml(response, "InitiateMultipartUploadResult", fields);
      }
      case "UploadPart": {
        const upload = this.upload(query, key);
        const checksum = verifyChecksum(headers, body);
        const etag = md5(body);
        upload.parts.set(partNumberOf(query), { body, etag, ...(checksum && { crc32: checksum }) });
        return send(response, 200, { etag, ...(checksum && { "x-amz-checksum-crc32": checksum }) });
      }
      case "UploadPartCopy": {
        const upload = this.upload(query, key);
        const source = this.object(this.copySourceKey(headers));
        const match = /^bytes=(\d+)-(\d+)$/.exec(String(headers["x-amz-copy-source-range"] ?? ""));
        const data = match ? source.body.subarray(Number(match[1]), Number(match[2]) + 1) : source.body;
        if (match && Number(match[2]) >= source.body.length) {
          throw new S3Error(400, "InvalidArgument", "copy source range runs past the end");
        }
        const etag = md5(data);
        upload.parts.set(partNumberOf(query), { body: data, etag });
        return sendXml(response, "CopyPartResult", copyResult(etag, new Date(this.now())));
      }
      case "CompleteMultipartUpload": {
        const upload = this.upload(query, key);
        const listed = [...body.toString("utf8").matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((match) => ({
          number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(match[1]!)?.[1]),
          etag: xmlUnescape(/<ETag>([\s\S]*?)<\/ETag>/.exec(match[1]!)?.[1] ?? ""),
        }));
        if (listed.length === 0) throw new S3Error(400, "MalformedXML", "no parts");
        const data: Buffer[] = [];
        let previous = 0;
        for (const { number, etag } of listed) {
          const part = upload.parts.get(number);
          if (!(number > previous)) throw new S3Error(400, "InvalidPartOrder", `part ${number} out of order`);
          if (part === undefined || part.etag !== etag)
            throw new S3Error(400, "InvalidPart", `part ${number}`);
          previous = number;
          data.push(part.body);
        }
        const combined = createHash("md5");
        for (const { etag } of listed) combined.update(Buffer.from(etag.replaceAll('"', ""), "hex"));
        const crcs = listed.map(({ number }) => upload.parts.get(number)?.crc32);
        const crc32 = crcs.every((crc) => crc !== undefined)
          ? `${crc32Base64(Buffer.concat(crcs.map((crc) => Buffer.from(crc, "base64"))))}-${listed.length}`
          : undefined;
        const object = this.store(
          key,
          Buffer.concat(data),
          `"${combined.digest("hex")}-${listed.length}"`,
          crc32,
        );
        this.uploads.delete(query.get("uploadId")!);
        const fields = `<Bucket>${this.bucket}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(object.etag)}</ETag>`;
        return sendXml(response, "CompleteMultipartUploadResult", fields);
      }
      case "AbortMultipartUpload": {
        this.upload(query, key);
        this.uploads.delete(query.get("uploadId")!);
        return send(response, 204, {});
      }
      case "GetObject":
      case "HeadObject": {
        const object = this.object(key);
        const size = object.body.length;
        const meta = {
          etag: object.etag,
          "last-modified": object.modifiedAt.toUTCString(),
          "accept-ranges": "bytes",
          "content-type": "application/octet-stream",
        };
        const range = operation === "GetObject" ? headers.range : undefined;
        if (range === undefined) {
          // As S3: a whole-object read in checksum mode carries the checksum, which the SDK verifies
          // while streaming (unless it is composite, "<crc>-<parts>").
          const checksum: Record<string, string> =
            headers["x-amz-checksum-mode"] === "ENABLED" && object.crc32 !== undefined
              ? {
                  "x-amz-checksum-crc32": object.crc32,
                  "x-amz-checksum-type": object.crc32.includes("-") ? "COMPOSITE" : "FULL_OBJECT",
                }
              : {};
          const whole = { ...meta, ...checksum, "content-length": String(size) };
          return send(response, 200, whole, operation === "GetObject" ? object.body : undefined);
        }
        const match = /^bytes=(\d+)-(\d*)$/.exec(range);
        if (!match) return send(response, 200, { ...meta, "content-length": String(size) }, object.body);
        const start = Number(match[1]);
        if (start >= size) throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable");
        const end = Math.min(match[2] === "" ? size - 1 : Number(match[2]), size - 1);
        const slice = object.body.subarray(start, end + 1);
        const partial = {
          ...meta,
          "content-length": String(slice.length),
          "content-range": `bytes ${start}-${end}/${size}`,
        };
        return send(response, 206, partial, slice);
      }
      case "DeleteObject": {
        this.objects.delete(key);
        return send(response, 204, {});
      }
      case "ListObjectsV2":
        return this.list(query, response);
      case "Unsupported":
        throw new S3Error(501, "NotImplemented", "the fake does not implement this call");
    }
  }

  private list(query: URLSearchParams, response: ServerResponse): number {
    const prefix = query.get("prefix") ?? "";
    const token = query.get("continuation-token");
    const after =
      token === null ? (query.get("start-after") ?? "") : Buffer.from(token, "base64url").toString();
    const maxKeys = Math.min(Number(query.get("max-keys") ?? 1000), this.pageSize);
    const keys = [...this.objects.keys()]
      .filter((key) => key.startsWith(prefix) && Buffer.compare(Buffer.from(key), Buffer.from(after)) > 0)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((key) => {
        const object = this.objects.get(key)!;
        return `<Contents><Key>${xmlEscape(key)}</Key><LastModified>${object.modifiedAt.toISOString()}</LastModified><ETag>${xmlEscape(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join("");
    const next = truncated
      ? `<NextContinuationToken>${Buffer.from(page.at(-1)!).toString("base64url")}</NextContinuationToken>`
      : "";
    const fields = `<Name>${this.bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${token === null ? "" : `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>`}${next}${contents}`;
    return sendXml(response, "ListBucketResult", fields);
  }

  private store(key: string, body: Buffer, etag: string, crc32?: string): StoredObject {
    const object = { body, etag, modifiedAt: new Date(this.now()), ...(crc32 && { crc32 }) };
    this.objects.set(key, object);
    return object;
  }

  private object(key: string): StoredObject {
    const object = this.objects.get(key);
    if (object === undefined) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
    return object;
  }

  private upload(query: URLSearchParams, key: string): PendingUpload {
    const upload = this.uploads.get(query.get("uploadId") ?? "");
    if (upload === undefined || upload.key !== key) {
      throw new S3Error(404, "NoSuchUpload", "The specified upload does not exist.");
    }
    return upload;
  }

  private copySourceKey(headers: IncomingMessage["headers"]): string {
    const source = decodeURIComponent(String(headers["x-amz-copy-source"] ?? "")).replace(/^\//, "");
    const [bucket, ...key] = source.split("/");
    if (bucket !== this.bucket) throw new S3Error(404, "NoSuchBucket", `bucket ${bucket} does not exist`);
    return key.join("/");
  }

  /** AWS Signature Version 4, as S3 checks it: from the Authorization header or the query. */
  private verifySignature(
    request: IncomingMessage,
    rawPath: string,
    rawQuery: string,
    query: URLSearchParams,
    raw: Buffer,
  ): void {
    const headers = request.headers;
    const presigned = query.has("X-Amz-Signature");
    let credential: string;
    let signedHeaders: string;
    let signature: string;
    let amzDate: string;
    let payloadHash: string;
    if (presigned) {
      credential = query.get("X-Amz-Credential") ?? "";
      signedHeaders = query.get("X-Amz-SignedHeaders") ?? "";
      signature = query.get("X-Amz-Signature") ?? "";
      amzDate = query.get("X-Amz-Date") ?? "";
      payloadHash = "UNSIGNED-PAYLOAD";
      if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") {
        throw new S3Error(
          400,
          "AuthorizationQueryParametersError",
          "X-Amz-Algorithm must be AWS4-HMAC-SHA256",
        );
      }
      const expires = Number(query.get("X-Amz-Expires"));
      if (!Number.isInteger(expires) || expires < 1 || expires > 604800) {
        throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Expires is not valid");
      }
      if (this.now() > parseAmzDate(amzDate) + expires * 1000) {
        throw new S3Error(403, "AccessDenied", "Request has expired");
      }
    } else {
      const match =
        /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
          String(headers.authorization ?? ""),
        );
      if (!match) throw new S3Error(403, "AccessDenied", "missing or malformed Authorization header");
      [, credential = "", signedHeaders = "", signature = ""] = match;
      amzDate = String(headers["x-amz-date"] ?? "");
      payloadHash = String(headers["x-amz-content-sha256"] ?? "");
      if (payloadHash === "") throw new S3Error(400, "InvalidRequest", "x-amz-content-sha256 is missing");
      if (/^[0-9a-f]{64}$/.test(payloadHash) && sha256(raw) !== payloadHash) {
        throw new S3Error(400, "XAmzContentSHA256Mismatch", "payload hash does not match the body");
      }
    }
    const [accessKeyId, date, region, service, terminator] = credential.split("/");
    if (accessKeyId !== FAKE_S3_CREDENTIALS.accessKeyId) {
      throw new S3Error(403, "InvalidAccessKeyId", "unknown access key id");
    }
    if (
      region !== FAKE_S3_REGION ||
      service !== "s3" ||
      terminator !== "aws4_request" ||
      !amzDate.startsWith(date ?? "-")
    ) {
      throw new S3Error(
        403,
        "AuthorizationHeaderMalformed",
        `credential scope ${credential} is not valid here`,
      );
    }
    const names = signedHeaders.split(";");
    if (!names.includes("host")) throw new S3Error(403, "AccessDenied", "host is not signed");
    const canonicalHeaders = names
      .map(
        (name) =>
          `${name}:${String(headers[name] ?? "")
            .trim()
            .replace(/\s+/g, " ")}\n`,
      )
      .join("");
    const canonicalQuery = rawQuery
      .split("&")
      .filter((pair) => pair !== "")
      .map((pair) => {
        const [name = "", value = ""] = pair.split(/=(.*)/s, 2);
        return [strictEncode(decodeURIComponent(name)), strictEncode(decodeURIComponent(value))] as const;
      })
      .filter(([name]) => name !== "X-Amz-Signature")
      .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
      .map(([name, value]) => `${name}=${value}`)
      .join("&");
    const canonicalRequest = [
      request.method,
      rawPath,
      canonicalQuery,
      canonicalHeaders,
      signedHeaders,
      payloadHash,
    ].join("\n");
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
    let key: Buffer = hmac(`AWS4${FAKE_S3_CREDENTIALS.secretAccessKey}`, date ?? "");
    for (const part of [region ?? "", "s3", "aws4_request"]) key = hmac(key, part);
    const expected = hmac(key, stringToSign);
    const given = Buffer.from(signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match");
    }
  }
}

function operationOf(
  method: string,
  key: string,
  query: URLSearchParams,
  headers: IncomingMessage["headers"],
): S3Operation {
  const copy = headers["x-amz-copy-source"] !== undefined;
  if (key === "") return method === "GET" && query.get("list-type") === "2" ? "ListObjectsV2" : "Unsupported";
  if (method === "PUT" && query.has("uploadId")) return copy ? "UploadPartCopy" : "UploadPart";
  if (method === "PUT") return copy ? "CopyObject" : "PutObject";
  if (method === "POST" && query.has("uploads")) return "CreateMultipartUpload";
  if (method === "POST" && query.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "DELETE") return query.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
  if (method === "GET") return "GetObject";
  if (method === "HEAD") return "HeadObject";
  return "Unsupported";
}

/** The payload, decoded from aws-chunked framing (with its trailers checked) when the SDK used it. */
function decodeBody(request: IncomingMessage, raw: Buffer): Buffer {
  const headers = request.headers;
  const encoding = String(headers["content-encoding"] ?? "");
  const hash = String(headers["x-amz-content-sha256"] ?? "");
  if (
    !encoding
      .split(",")
      .map((s) => s.trim())
      .includes("aws-chunked") &&
    !hash.startsWith("STREAMING-")
  ) {
    return raw;
  }
  const data: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf("\r\n", offset);
    if (lineEnd === -1) throw new S3Error(400, "IncompleteBody", "aws-chunked body is cut short");
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString().split(";")[0]!, 16);
    offset = lineEnd + 2;
    if (size === 0) break;
    data.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
  const body = Buffer.concat(data);
  const decoded = headers["x-amz-decoded-content-length"];
  if (decoded !== undefined && Number(decoded) !== body.length) {
    throw new S3Error(400, "IncompleteBody", "x-amz-decoded-content-length does not match the body");
  }
  const trailers = raw.subarray(offset).toString().split("\r\n");
  for (const line of trailers) {
    const [name, value] = line.split(":");
    if (
      name?.trim() === "x-amz-checksum-crc32" &&
      value !== undefined &&
      value.trim() !== crc32Base64(body)
    ) {
      throw new S3Error(400, "BadDigest", "CRC32 trailer does not match the body");
    }
  }
  return body;
}

/** Checks an x-amz-checksum-crc32 header; returns the body's CRC32 when the SDK asked for one. */
function verifyChecksum(headers: IncomingMessage["headers"], body: Buffer): string | undefined {
  const given = headers["x-amz-checksum-crc32"];
  const trailer = String(headers["x-amz-trailer"] ?? "");
  const computed = crc32Base64(body);
  if (typeof given === "string" && given !== computed) {
    throw new S3Error(400, "BadDigest", "x-amz-checksum-crc32 does not match the body");
  }
  return typeof given === "string" || trailer === "x-amz-checksum-crc32" ? computed : undefined;
}

function partNumberOf(query: URLSearchParams): number {
  const number = Number(query.get("partNumber"));
  if (!Number.isInteger(number) || number < 1 || number > 10_000) {
    throw new S3Error(400, "InvalidArgument", "partNumber must be an integer from 1 to 10000");
  }
  return number;
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: Buffer,
): number {
  response.writeHead(status, { "x-amz-request-id": randomUUID(), ...headers });
  response.end(body);
  return status;
}

function sendXml(response: ServerResponse, root: string, fields: string): number {
  return send(response, 200, { "content-type": "application/xml" }, Buffer.from(xml(root, fields)));
}

function xml(root: string, fields: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${fields}</${root}>`;
}

function copyResult(etag: string, modifiedAt: Date): string {
  return `<ETag>${xmlEscape(etag)}</ETag><LastModified>${modifiedAt.toISOString()}</LastModified>`;
}

function xmlEscape(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[c]};`,
  );
}

function xmlUnescape(text: string): string {
  return text.replace(
    /&(lt|gt|amp|quot|apos);/g,
    (_, name: string) => ({ lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" })[name] ?? "",
  );
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded, as SigV4 requires. */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseAmzDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) throw new S3Error(403, "AccessDenied", "X-Amz-Date is malformed");
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function md5(data: Buffer): string {
  return `"${createHash("md5").update(data).digest("hex")}"`;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString("base64");
}

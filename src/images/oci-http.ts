import type { IncomingMessage } from "node:http";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { ADMIN_SCOPE, actorOf, CoreErrors, type HttpApp, isCharterError } from "../core/index.js";
import type { RegistryTokenIssuer } from "../tokens/index.js";
import { isDigest } from "./digest.js";
import { ImagesErrors } from "./errors.js";
import { MEDIA_TYPES } from "./manifest.js";
import { parseRepositoryName, parseRepositoryPath, type RepositoryName } from "./names.js";
import { ociErrorBody, ociErrorOf } from "./oci-errors.js";
import { IMAGES_WRITE_SCOPE } from "./registry-access.js";
import type { RegistryAuth, RegistryCaller } from "./registry-auth.js";
import { MAX_MANIFEST_BYTES, type RegistryService } from "./registry-service.js";
import type { Upload } from "./store.js";

export interface OciHttpOptions {
  readonly registry: RegistryService;
  readonly auth: RegistryAuth;
  readonly tokens: RegistryTokenIssuer;
  /** Blobs at least this large are served by redirect when the object store can presign; default 1 MiB. */
  readonly redirectThreshold?: number;
  /** Lifetime of presigned blob URLs; default 300 s. */
  readonly presignSeconds?: number;
}

declare module "fastify" {
  interface FastifyRequest {
    registryCaller?: RegistryCaller;
  }
}

const PAGE_MAX = 1000;
/** Scopes one registry token may cover; more would make a token longer than verifiers accept. */
const MAX_TOKEN_SCOPES = 10;
/** The principal's scopes a registry token keeps: only those the registry checks. */
const REGISTRY_SCOPES = [ADMIN_SCOPE, IMAGES_WRITE_SCOPE];
const API_VERSION = { "docker-distribution-api-version": "registry/2.0" };
const NAME = { team: Type.String({ maxLength: 64 }), artifact: Type.String({ maxLength: 128 }) };
const PAGING = Type.Object(
  { n: Type.Optional(Type.String({ maxLength: 10 })), last: Type.Optional(Type.String({ maxLength: 256 })) },
  { additionalProperties: true },
);

function route(
  summary: string,
  operationId: string,
  params?: Record<string, ReturnType<typeof Type.String>>,
  querystring?: typeof PAGING,
) {
  return {
    config: { public: true },
    schema: {
      tags: ["registry"],
      summary,
      operationId,
      ...(params === undefined ? {} : { params: Type.Object(params) }),
      ...(querystring === undefined ? {} : { querystring }),
    },
    exposeHeadRoute: false,
  };
}

/**
 * The OCI Distribution Specification 1.1 at `/v2/`: pull, push (monolithic, chunked, streamed,
 * cross-repository mount), tags, catalog, referrers and the Docker token flow. Errors answer with
 * the specification's statuses and `{"errors":[…]}` bodies; authentication is the registry's own
 * (see `RegistryAuth`), not the API's bearer hook.
 */
export function ociHttp(options: OciHttpOptions): FastifyPluginAsync {
  const { registry, auth } = options;
  const redirectThreshold = options.redirectThreshold ?? 1024 * 1024;
  const presignSeconds = options.presignSeconds ?? 300;

  return async (fastify) => {
    const app = fastify as unknown as HttpApp;
    // Bodies are blobs and manifests: handlers stream them from the raw request, whatever their type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));

    app.addHook("onRequest", async (request, reply) => {
      reply.headers(API_VERSION);
      request.registryCaller = await auth.caller(request.headers.authorization);
    });

    app.setErrorHandler((error, request, reply) => {
      const charterError = isCharterError(error) ? error : fastifyError(error);
      if (charterError === undefined || charterError.kind === "internal") {
        request.log.error({ err: error }, "registry request failed");
      }
      const status = charterError === undefined ? 500 : ociErrorOf(charterError).status;
      const challenge = charterError?.extensions?.challenge;
      if (status === 401) {
        reply.header(
          "www-authenticate",
          typeof challenge === "string"
            ? challenge
            : `Bearer realm="${auth.realm}",service="${auth.service}"`,
        );
      }
      if (charterError?.code === "IMAGES_UPLOAD_OUT_OF_ORDER") {
        const uploaded = Number(charterError.extensions?.uploaded ?? 0);
        reply.header("range", `0-${Math.max(uploaded - 1, 0)}`);
      }
      if (charterError?.code === "IMAGES_RANGE_NOT_SATISFIABLE") {
        reply.header("content-range", `bytes */${Number(charterError.extensions?.size ?? 0)}`);
      }
      // An error answered before the body was read: the client may still be sending, so close.
      if (!request.raw.complete) reply.header("connection", "close");
      return reply
        .status(status)
        .type("application/json")
        .send(ociErrorBody(charterError ?? error, request.id));
    });

    const repoOf = (request: FastifyRequest) => {
      const { team, artifact } = request.params as { team: string; artifact: string };
      return parseRepositoryName(team, artifact);
    };
    const allow = async (request: FastifyRequest, action: "pull" | "push") => {
      const repo = repoOf(request);
      await auth.authorize(request.registryCaller, repo, action);
      return repo;
    };
    const actor = (request: FastifyRequest) => {
      const caller = request.registryCaller;
      if (caller === undefined) throw CoreErrors.CORE_UNAUTHENTICATED("credentials are required");
      return actorOf(caller.principal);
    };

    app.get("/v2/", route("API version check", "ociBase"), async (request) => {
      if (request.registryCaller === undefined && !auth.anonymousPull)
        throw auth.unauthorized("credentials are required");
      return {};
    });

    app.get("/v2/token", route("Docker registry token", "ociToken"), async (request, reply) => {
      const caller = request.registryCaller;
      if (caller === undefined)
        throw auth.unauthorized("log in with username oauth2 and a Charter access token");
      // A registry token is not a credential for another one: that would extend it without end.
      if (caller.grants !== undefined)
        throw auth.unauthorized("the token endpoint needs a Charter access token");
      const query = request.query as { scope?: string | string[]; service?: string };
      const scopes =
        query.scope === undefined ? [] : Array.isArray(query.scope) ? query.scope : [query.scope];
      const requested = scopes.flatMap((s) => s.split(" ")).filter((s) => s !== "");
      if (requested.length > MAX_TOKEN_SCOPES) {
        throw ImagesErrors.IMAGES_UNSUPPORTED(`a registry token covers at most ${MAX_TOKEN_SCOPES} scopes`);
      }
      const grants = await auth.grantsFor(caller.principal, requested);
      const issued = options.tokens.issue(caller.principal, auth.service, grants, {
        scopes: REGISTRY_SCOPES,
        ...(caller.expiresAt === undefined ? {} : { notAfter: caller.expiresAt }),
      });
      reply.header("cache-control", "no-store").header("pragma", "no-cache");
      return {
        token: issued.token,
        access_token: issued.token,
        expires_in: issued.expiresIn,
        issued_at: issued.issuedAt.toISOString(),
      };
    });

    app.get(
      "/v2/_catalog",
      route("List repositories", "ociCatalog", undefined, PAGING),
      async (request, reply) => {
        auth.authorizeCatalog(request.registryCaller);
        const { n, last } = paging(request.query as Record<string, string | undefined>);
        const names = await registry.catalog(n + 1, last);
        const page = names.slice(0, n);
        // n=0 asks for an empty page; there is no "last" to continue after.
        if (n > 0 && names.length > n)
          reply.header("link", `</v2/_catalog?n=${n}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"`);
        return { repositories: page };
      },
    );

    // Manifests

    const manifestPath = "/v2/:team/:artifact/manifests/:reference";
    const manifestParams = { ...NAME, reference: Type.String({ maxLength: 256 }) };
    const sendManifest = async (request: FastifyRequest, reply: FastifyReply, head: boolean) => {
      const repo = await allow(request, "pull");
      const { reference } = request.params as { reference: string };
      const manifest = await registry.readManifest(repo, reference);
      reply
        .header("content-type", manifest.mediaType)
        .header("docker-content-digest", manifest.digest)
        .header("etag", `"${manifest.digest}"`)
        .header("content-length", manifest.content.byteLength);
      return reply.send(head ? undefined : Buffer.from(manifest.content));
    };
    app.head(manifestPath, route("Check a manifest", "ociHeadManifest", manifestParams), (q, r) =>
      sendManifest(q, r, true),
    );
    app.get(manifestPath, route("Pull a manifest", "ociGetManifest", manifestParams), (q, r) =>
      sendManifest(q, r, false),
    );
    app.put(
      manifestPath,
      route("Push a manifest", "ociPutManifest", manifestParams),
      async (request, reply) => {
        const repo = await allow(request, "push");
        const { reference } = request.params as { reference: string };
        const bytes = await readLimited(request.raw, MAX_MANIFEST_BYTES);
        const pushed = await registry.putManifest(
          repo,
          reference,
          bytes,
          request.headers["content-type"],
          actor(request),
        );
        reply
          .header("location", `/v2/${repo.name}/manifests/${pushed.digest}`)
          .header("docker-content-digest", pushed.digest);
        if (pushed.subject !== undefined) reply.header("oci-subject", pushed.subject);
        return reply.status(201).send();
      },
    );
    app.delete(
      manifestPath,
      route("Delete an untagged manifest", "ociDeleteManifest", manifestParams),
      async (request, reply) => {
        const repo = await allow(request, "push");
        await registry.deleteManifest(
          repo,
          (request.params as { reference: string }).reference,
          actor(request),
        );
        return reply.status(202).send();
      },
    );

    // Blobs

    const blobPath = "/v2/:team/:artifact/blobs/:digest";
    const blobParams = { ...NAME, digest: Type.String({ maxLength: 200 }) };
    app.head(blobPath, route("Check a blob", "ociHeadBlob", blobParams), async (request, reply) => {
      const repo = await allow(request, "pull");
      const { digest } = request.params as { digest: string };
      const size = await registry.blobSize(repo, digest);
      reply
        .header("content-length", size)
        .header("docker-content-digest", digest)
        .header("accept-ranges", "bytes");
      return reply.type("application/octet-stream").send();
    });
    app.get(blobPath, route("Pull a blob", "ociGetBlob", blobParams), async (request, reply) => {
      const repo = await allow(request, "pull");
      const { digest } = request.params as { digest: string };
      const range = parseRange(request.headers.range);
      const read = await registry.readBlob(repo, digest, range, {
        minSize: redirectThreshold,
        ttlSeconds: presignSeconds,
      });
      if ("url" in read) return reply.redirect(read.url, 307);
      reply
        .header("docker-content-digest", digest)
        .header("accept-ranges", "bytes")
        .type("application/octet-stream");
      if (read.range !== undefined) {
        reply
          .status(206)
          .header("content-range", `bytes ${read.range.start}-${read.range.end}/${read.size}`)
          .header("content-length", read.range.end - read.range.start + 1);
      } else {
        reply.header("content-length", read.size);
      }
      return reply.send(read.body);
    });
    app.delete(
      blobPath,
      route("Delete a blob (not supported)", "ociDeleteBlob", blobParams),
      async (request) => {
        await allow(request, "push");
        throw ImagesErrors.IMAGES_UNSUPPORTED(
          "blobs are removed by garbage collection once no manifest references them",
        );
      },
    );

    // Uploads

    const uploadAnswer = (reply: FastifyReply, repo: RepositoryName, upload: Upload, status: number) =>
      reply
        .status(status)
        .header("location", `/v2/${repo.name}/blobs/uploads/${upload.id}`)
        .header("range", `0-${Math.max(upload.size - 1, 0)}`)
        .header("docker-upload-uuid", upload.id)
        .send();

    // A mount that cannot be done (a malformed source or digest, a source the caller may not pull,
    // a blob the source lacks) falls back to an upload, as the specification asks.
    const mount = async (request: FastifyRequest, repo: RepositoryName, digest: string, source: string) => {
      if (!isDigest(digest)) return false;
      let from: RepositoryName;
      try {
        from = parseRepositoryPath(source);
      } catch {
        return false;
      }
      const mayRead = await auth.authorize(request.registryCaller, from, "pull").then(
        () => true,
        () => false,
      );
      return mayRead && (await registry.mountBlob(repo, digest, from, actor(request)));
    };

    const startUpload = async (request: FastifyRequest, reply: FastifyReply) => {
      const repo = await allow(request, "push");
      const query = request.query as { digest?: string; mount?: string; from?: string };
      if (query.mount !== undefined && query.from !== undefined) {
        if (await mount(request, repo, query.mount, query.from)) {
          return reply
            .status(201)
            .header("location", `/v2/${repo.name}/blobs/${query.mount}`)
            .header("docker-content-digest", query.mount)
            .send();
        }
      }
      if (query.digest !== undefined && hasBody(request.raw)) {
        const blob = await registry.putBlob(repo, query.digest, request.raw, actor(request));
        return reply
          .status(201)
          .header("location", `/v2/${repo.name}/blobs/${blob.digest}`)
          .header("docker-content-digest", blob.digest)
          .send();
      }
      return uploadAnswer(reply, repo, await registry.startUpload(repo, actor(request)), 202);
    };
    app.post(
      "/v2/:team/:artifact/blobs/uploads/",
      route("Start an upload", "ociStartUpload", NAME),
      startUpload,
    );
    app.post(
      "/v2/:team/:artifact/blobs/uploads",
      route("Start an upload", "ociStartUploadNoSlash", NAME),
      startUpload,
    );

    const uploadPath = "/v2/:team/:artifact/blobs/uploads/:uuid";
    const uploadParams = { ...NAME, uuid: Type.String({ maxLength: 64 }) };
    app.get(uploadPath, route("Upload status", "ociUploadStatus", uploadParams), async (request, reply) => {
      const repo = await allow(request, "push");
      return uploadAnswer(
        reply,
        repo,
        await registry.upload(repo, (request.params as { uuid: string }).uuid),
        204,
      );
    });
    app.patch(uploadPath, route("Upload a chunk", "ociPatchUpload", uploadParams), async (request, reply) => {
      const repo = await allow(request, "push");
      const range = parseContentRange(request.headers["content-range"]);
      const upload = await registry.appendChunk(
        repo,
        (request.params as { uuid: string }).uuid,
        request.raw,
        range,
      );
      return uploadAnswer(reply, repo, upload, 202);
    });
    app.put(
      uploadPath,
      route("Complete an upload", "ociCompleteUpload", uploadParams),
      async (request, reply) => {
        const repo = await allow(request, "push");
        const { digest } = request.query as { digest?: string };
        if (digest === undefined)
          throw ImagesErrors.IMAGES_DIGEST_INVALID("completing an upload needs ?digest=");
        const uuid = (request.params as { uuid: string }).uuid;
        const blob = await registry.completeUpload(
          repo,
          uuid,
          digest,
          hasBody(request.raw) ? request.raw : undefined,
        );
        return reply
          .status(201)
          .header("location", `/v2/${repo.name}/blobs/${blob.digest}`)
          .header("docker-content-digest", blob.digest)
          .send();
      },
    );
    app.delete(
      uploadPath,
      route("Cancel an upload", "ociCancelUpload", uploadParams),
      async (request, reply) => {
        const repo = await allow(request, "push");
        await registry.cancelUpload(repo, (request.params as { uuid: string }).uuid);
        return reply.status(204).send();
      },
    );

    // Tags and referrers

    app.get(
      "/v2/:team/:artifact/tags/list",
      route("List tags", "ociListTags", NAME, PAGING),
      async (request, reply) => {
        const repo = await allow(request, "pull");
        const { n, last } = paging(request.query as Record<string, string | undefined>);
        if (!(await registry.repositoryExists(repo)))
          throw ImagesErrors.IMAGES_NAME_UNKNOWN(`there is no repository ${repo.name}`);
        const tags = await registry.tagNames(repo, n + 1, last);
        const page = tags.slice(0, n);
        if (n > 0 && tags.length > n) {
          reply.header(
            "link",
            `</v2/${repo.name}/tags/list?n=${n}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"`,
          );
        }
        return { name: repo.name, tags: page };
      },
    );

    app.get(
      "/v2/:team/:artifact/referrers/:digest",
      route("List referrers", "ociReferrers", { ...NAME, digest: Type.String({ maxLength: 200 }) }),
      async (request, reply) => {
        const repo = await allow(request, "pull");
        const { digest } = request.params as { digest: string };
        const { artifactType } = request.query as { artifactType?: string };
        const referrers = await registry.referrers(repo, digest, artifactType);
        if (artifactType !== undefined) reply.header("oci-filters-applied", "artifactType");
        return reply.type(MEDIA_TYPES.ociIndex).send({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociIndex,
          manifests: referrers.map((r) => ({
            mediaType: r.mediaType,
            digest: r.digest,
            size: r.size,
            ...(r.artifactType === null ? {} : { artifactType: r.artifactType }),
            ...(r.annotations === null ? {} : { annotations: r.annotations }),
          })),
        });
      },
    );

    // Anything else under /v2/: names with more or fewer than two components, unknown endpoints.
    app.all("/v2/*", { config: { public: true }, schema: { hide: true } }, async (request) => {
      const path = (request.params as { "*": string })["*"];
      if (/\/(manifests|blobs|tags|referrers)\//.test(`/${path}`)) {
        throw ImagesErrors.IMAGES_NAME_INVALID("repository names are <team>/<artifact>");
      }
      throw CoreErrors.CORE_NOT_FOUND(`no registry endpoint ${request.method} /v2/${path.slice(0, 100)}`);
    });
  };
}

function paging(query: Record<string, string | undefined>): { n: number; last?: string } {
  const n = query.n === undefined ? PAGE_MAX : Number(query.n);
  if (!/^\d{1,10}$/.test(query.n ?? "0") || !Number.isInteger(n)) {
    throw CoreErrors.CORE_VALIDATION_FAILED("n must be a non-negative integer", { field: "n" });
  }
  return {
    n: Math.min(n, PAGE_MAX),
    ...(query.last === undefined || query.last === "" ? {} : { last: query.last }),
  };
}

function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers["content-length"];
  if (length !== undefined) return Number(length) > 0;
  return raw.headers["transfer-encoding"] !== undefined;
}

/** `Content-Range: <start>-<end>` of a chunk (OCI writes no unit; some clients write `bytes `). */
function parseContentRange(header: string | undefined): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes[ =])?(\d{1,15})-(\d{1,15})$/.exec(header.trim());
  if (match === null || Number(match[2]) < Number(match[1])) {
    throw ImagesErrors.IMAGES_UPLOAD_OUT_OF_ORDER(
      `Content-Range "${header.slice(0, 60)}" is not <start>-<end>`,
    );
  }
  return { start: Number(match[1]), end: Number(match[2]) };
}

/** A single `Range: bytes=<start>-[<end>]` of a blob read; other forms are served whole. */
function parseRange(header: string | undefined): { start: number; end?: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim());
  if (match === null) return undefined;
  return { start: Number(match[1]), ...(match[2] === "" ? {} : { end: Number(match[2]) }) };
}

async function readLimited(raw: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(raw.headers["content-length"] ?? 0);
  if (declared > limit)
    throw ImagesErrors.IMAGES_MANIFEST_TOO_LARGE(`manifests may have at most ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw) {
    size += (chunk as Buffer).byteLength;
    if (size > limit)
      throw ImagesErrors.IMAGES_MANIFEST_TOO_LARGE(`manifests may have at most ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Fastify's own errors (a bad parameter, an oversized body) in Charter's terms. */
function fastifyError(error: unknown) {
  const e = error as { validation?: unknown; statusCode?: number; message?: string };
  if (e.validation !== undefined)
    return ImagesErrors.IMAGES_NAME_INVALID(e.message ?? "the request is not valid");
  if (e.statusCode === 413) return CoreErrors.CORE_PAYLOAD_TOO_LARGE("the request body is too large");
  return undefined;
}

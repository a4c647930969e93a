import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";
import { type CharterError, CoreErrors, isCharterError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Principal } from "../principal.js";
import { PROBLEM_CONTENT_TYPE, ProblemSchema, problemOf } from "./problem.js";
import { type FastPath, httpServerFactory } from "./server-factory.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authentication hook on every route that is not `config.public`. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a bearer token: health, metrics, discovery, JWKS, token endpoint. */
    public?: boolean;
  }
}

export type HttpApp = FastifyInstance<
  import("node:http").Server,
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

/** Turns a bearer token into a principal, or throws `CORE_UNAUTHENTICATED`. */
export type Authenticate = (token: string) => Promise<Principal>;

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly authenticate: Authenticate;
  /** Largest accepted request body; default 1 MiB. */
  readonly bodyLimit?: number;
  /** Version printed in the OpenAPI document. */
  readonly version?: string;
  /** Paths under these prefixes answer without a token (for example `/docs`, served by a plugin). */
  readonly publicPathPrefixes?: readonly string[];
  /** Handlers beneath Fastify for hot request shapes (see `httpServerFactory`); default none. */
  readonly fastPaths?: readonly FastPath[];
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A Fastify instance with Charter's HTTP conventions: TypeBox schemas that reject unknown fields,
 * RFC 9457 problem documents with stable codes, request ids, a body limit, OpenAPI 3.1 generated
 * from the route schemas, and bearer authentication on every route not marked `config.public`.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    serverFactory: httpServerFactory({ fastPaths: options.fastPaths ?? [] }),
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Registry paths carry tags of up to 128 characters and sha512 digests (135).
    routerOptions: { maxParamLength: 256 },
    genReqId: requestIdOf,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;

  // JSON only, unless a route's plugin adds its own parser (the token endpoint adds forms): anything
  // else is 415 rather than a string that fails validation.
  app.removeContentTypeParser("text/plain");
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Charter",
        version: options.version ?? "0.1.0",
        description: "The Charter control plane: identity, OAuth2 tokens, audit log and more.",
      },
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  const publicPrefixes = options.publicPathPrefixes ?? [];
  app.addHook("onRoute", (route) => {
    if (publicPrefixes.some((prefix) => route.url.startsWith(prefix))) {
      route.config = { ...(route.config as object), public: true };
    }
  });

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (request.routeOptions.config?.public === true) return;
    const token = bearerToken(request);
    if (token === undefined) throw CoreErrors.CORE_UNAUTHENTICATED("a bearer token is required");
    request.principal = await options.authenticate(token);
  });

  app.setNotFoundHandler((request) => {
    throw CoreErrors.CORE_NOT_FOUND(`no route for ${request.method} ${request.url.split("?")[0]}`);
  });

  app.setErrorHandler((error: FastifyError | CharterError, request, reply) => {
    const charterError = toCharterError(error);
    if (charterError.kind === "internal") request.log.error({ err: error }, "request failed");
    if (charterError.kind === "unauthenticated") reply.header("www-authenticate", 'Bearer realm="charter"');
    const problem = problemOf(charterError, request.url.split("?")[0], request.id);
    return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });

  return app;
}

/** A request's id: the caller's `x-request-id` when it is a sensible one, else a new UUID. */
export function requestIdOf(request: { readonly headers: IncomingHttpHeaders }): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The token of an `Authorization: Bearer` header (scheme case-insensitive), of a Fastify or a plain node:http request. */
export function bearerToken(request: { readonly headers: IncomingHttpHeaders }): string | undefined {
  return bearerTokenOf(request.headers.authorization);
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i;

/** The token of an `Authorization` header's value when its scheme is Bearer (case-insensitive). */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (typeof header !== "string") return undefined;
  return BEARER.exec(header)?.[1];
}

/** The principal of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw CoreErrors.CORE_UNAUTHENTICATED("a bearer token is required");
  return request.principal;
}

function toCharterError(error: FastifyError | CharterError): CharterError {
  if (isCharterError(error)) return error;
  const fe = error as FastifyError;
  if (fe.validation !== undefined && fe.validation.length > 0) {
    const first = fe.validation[0]!;
    const where = `${fe.validationContext ?? "body"}${first.instancePath ?? ""}`;
    if (first.keyword === "additionalProperties") {
      const extra = String((first.params as { additionalProperty?: string }).additionalProperty);
      return CoreErrors.CORE_UNKNOWN_FIELD(`${where} has unknown field "${extra}"`, { field: extra });
    }
    return CoreErrors.CORE_VALIDATION_FAILED(`${where} ${first.message ?? "is not valid"}`, {
      field: `${where}`,
    });
  }
  switch (fe.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return CoreErrors.CORE_UNSUPPORTED_MEDIA_TYPE(fe.message);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return CoreErrors.CORE_PAYLOAD_TOO_LARGE("the request body is larger than this endpoint accepts");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return CoreErrors.CORE_MALFORMED_JSON("the request body is not valid JSON");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return CoreErrors.CORE_VALIDATION_FAILED("Content-Length does not match the body");
  }
  if (error instanceof SyntaxError || fe.statusCode === 400) {
    return CoreErrors.CORE_MALFORMED_JSON("the request body is not valid JSON");
  }
  if (fe.statusCode === 405) return CoreErrors.CORE_METHOD_NOT_ALLOWED(fe.message);
  if (fe.statusCode === 413) return CoreErrors.CORE_PAYLOAD_TOO_LARGE("the request body is too large");
  if (fe.statusCode === 415) return CoreErrors.CORE_UNSUPPORTED_MEDIA_TYPE(fe.message);
  return CoreErrors.CORE_INTERNAL("an unexpected error occurred; the request id identifies it in the log");
}

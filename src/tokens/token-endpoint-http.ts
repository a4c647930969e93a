import formbody from "@fastify/formbody";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { clientCredentialsOf } from "./client-credentials.js";
import { OAUTH_PATHS } from "./discovery.js";
import { isClientError, oauthErrorOf } from "./oauth-error.js";
import type { TokenEndpoint } from "./token-endpoint.js";

const FORM_LIMIT = 16 * 1024;

export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

// RFC 6749 §3.2: unknown parameters must be ignored, so the body admits them.
const TokenRequestBody = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ maxLength: 64 })),
    client_id: Type.Optional(Type.String({ maxLength: 128 })),
    client_secret: Type.Optional(Type.String({ maxLength: 1024 })),
    scope: Type.Optional(Type.String({ maxLength: 4096 })),
    realm: Type.Optional(Type.String({ maxLength: 64 })),
    username: Type.Optional(Type.String({ maxLength: 128 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    code: Type.Optional(Type.String({ maxLength: 128 })),
    redirect_uri: Type.Optional(Type.String({ maxLength: 2048 })),
    code_verifier: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: true },
);

export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal("Bearer"),
    expires_in: Type.Integer(),
    scope: Type.String(),
    realm: Type.String(),
  },
  { additionalProperties: false },
);

export const OAuthErrorResponse = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { additionalProperties: false, description: "RFC 6749 §5.2 error" },
);

export interface TokenEndpointHttpOptions {
  /**
   * Log level of the token route; default `warn`. Token requests are the hot path and carry no
   * change worth an access log line: Fastify's two per-request `info` lines cost more than half of
   * the endpoint's throughput. Failures (5xx) are still logged at `error`.
   */
  readonly logLevel?: "trace" | "debug" | "info" | "warn" | "error";
}

/**
 * `POST /oauth2/access_token`, encapsulated: it parses only `application/x-www-form-urlencoded`
 * and answers every error, its own or Fastify's, in the RFC 6749 shape rather than as a problem
 * document.
 */
export function tokenEndpointHttp(
  endpoint: TokenEndpoint,
  options: TokenEndpointHttpOptions = {},
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.removeAllContentTypeParsers();
    await app.register(formbody, { bodyLimit: FORM_LIMIT });

    app.setErrorHandler((error, request, reply) => {
      const oauth = oauthErrorOf(error);
      if (!isClientError(oauth)) request.log.error({ err: error }, "token request failed");
      if (oauth.status === 401) reply.header("www-authenticate", 'Basic realm="charter", charset="UTF-8"');
      return reply
        .code(oauth.status)
        .headers(NO_STORE)
        .send({ error: oauth.error, error_description: oauth.error_description });
    });

    app.post(
      OAUTH_PATHS.token,
      {
        config: { public: true },
        bodyLimit: FORM_LIMIT,
        logLevel: options.logLevel ?? "warn",
        schema: {
          tags: ["oauth2"],
          summary: "Get an access token",
          description:
            "Grant types client_credentials, password and authorization_code (PKCE S256). The client authenticates with HTTP Basic or client_id/client_secret form fields, not both.",
          operationId: "createAccessToken",
          consumes: ["application/x-www-form-urlencoded"],
          security: [],
          body: TokenRequestBody,
          response: {
            200: TokenResponse,
            400: OAuthErrorResponse,
            401: OAuthErrorResponse,
            500: OAuthErrorResponse,
            503: OAuthErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const form = request.body;
        const token = await endpoint.exchange(
          {
            grantType: form.grant_type,
            scope: form.scope,
            realm: form.realm,
            username: form.username,
            password: form.password,
            code: form.code,
            redirectUri: form.redirect_uri,
            codeVerifier: form.code_verifier,
          },
          clientCredentialsOf(request.headers.authorization, form),
        );
        reply.headers(NO_STORE);
        return {
          access_token: token.accessToken,
          token_type: "Bearer" as const,
          expires_in: token.expiresIn,
          scope: token.scopes.join(" "),
          realm: token.realm,
        };
      },
    );
  };
}

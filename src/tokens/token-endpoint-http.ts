import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { OAUTH_PATHS } from "./discovery.js";
import { answerTokenRequest, type TokenAnswer, tokenErrorAnswer } from "./token-answer.js";
import type { TokenEndpoint } from "./token-endpoint.js";
import { parseTokenForm, TOKEN_FORM_LIMIT, type TokenForm, TokenFormSchema } from "./token-form.js";

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
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: TOKEN_FORM_LIMIT },
      (_request, body, done) => {
        try {
          done(null, parseTokenForm(body as string));
        } catch (error) {
          done(error as Error, undefined);
        }
      },
    );

    const send = (reply: FastifyReply, answer: TokenAnswer) => {
      for (let i = 0; i < answer.headers.length; i += 2)
        reply.header(answer.headers[i]!, answer.headers[i + 1]);
      return reply.code(answer.status).send(answer.body);
    };

    app.setErrorHandler((error, request, reply) =>
      send(
        reply,
        tokenErrorAnswer(error, (cause) => request.log.error({ err: cause }, "token request failed")),
      ),
    );

    app.post(
      OAUTH_PATHS.token,
      {
        config: { public: true },
        bodyLimit: TOKEN_FORM_LIMIT,
        logLevel: options.logLevel ?? "warn",
        schema: {
          tags: ["oauth2"],
          summary: "Get an access token",
          description:
            "Grant types client_credentials, password and authorization_code (PKCE S256). The client authenticates with HTTP Basic or client_id/client_secret form fields, not both.",
          operationId: "createAccessToken",
          consumes: ["application/x-www-form-urlencoded"],
          security: [],
          body: TokenFormSchema,
          response: {
            200: TokenResponse,
            400: OAuthErrorResponse,
            401: OAuthErrorResponse,
            500: OAuthErrorResponse,
            503: OAuthErrorResponse,
          },
        },
      },
      async (request, reply) =>
        send(
          reply,
          await answerTokenRequest(
            endpoint,
            request.headers.authorization,
            request.body as TokenForm,
            (cause) => request.log.error({ err: cause }, "token request failed"),
          ),
        ),
    );
  };
}

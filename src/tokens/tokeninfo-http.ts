import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { bearerToken, type Clock, systemClock } from "../core/index.js";
import type { TokenVerification } from "./token-verifier.js";
import {
  answerTokeninfo,
  INVALID_TOKEN_CHALLENGE,
  secondsOf,
  TOKENINFO_CONTENT_TYPE,
} from "./tokeninfo-answer.js";

export interface TokeninfoHttpOptions {
  /** For `expires_in`; default the system clock. */
  readonly clock?: Clock;
}

const TokeninfoSchema = Type.Object(
  {
    access_token: Type.String({ maxLength: 8192 }),
    uid: Type.String({ maxLength: 256 }),
    grant_type: Type.Literal("password"),
    scope: Type.Array(Type.String({ maxLength: 256 })),
    realm: Type.String({ maxLength: 64, description: '"/employees" or "/services", as in Plan B' }),
    token_type: Type.Literal("Bearer"),
    expires_in: Type.Integer({ minimum: 0 }),
    client_id: Type.Optional(Type.String({ maxLength: 256 })),
  },
  {
    // One `"<scope>": true` member per scope, for Plan B clients that test scopes that way.
    additionalProperties: Type.Literal(true),
    description: "Plan B tokeninfo",
  },
);

const InvalidTokenSchema = Type.Object(
  { error: Type.Literal("invalid_token"), error_description: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

/**
 * `GET /oauth2/tokeninfo` in Plan B's shape, for the server and the `charter tokeninfo` sidecar.
 * The token comes from the `Authorization: Bearer` header or, failing that, the `access_token`
 * query parameter; the route is public because the token it inspects is its own authentication.
 * `tokeninfoLane` answers the common case (a bearer header) of the same route beneath node:http.
 */
export function tokeninfoHttp(
  verifier: TokenVerification,
  options: TokeninfoHttpOptions = {},
): FastifyPluginAsync {
  const nowSeconds = secondsOf(options.clock ?? systemClock);

  return async (app) => {
    app.get(
      "/oauth2/tokeninfo",
      {
        config: { public: true },
        schema: {
          tags: ["oauth2"],
          summary: "Inspect an access token (Plan B tokeninfo)",
          description:
            "Verifies the bearer token (or the access_token query parameter) and describes it. Every refusal answers 401 with the same body.",
          operationId: "getTokeninfo",
          security: [],
          querystring: Type.Object(
            { access_token: Type.Optional(Type.String({ maxLength: 8192 })) },
            { additionalProperties: false },
          ),
          response: { 200: TokeninfoSchema, 401: InvalidTokenSchema },
        },
      },
      async (request, reply) => {
        const token = bearerToken(request) ?? (request.query as { access_token?: string }).access_token;
        const answer = await answerTokeninfo(verifier, token, nowSeconds());
        reply.status(answer.status).header("cache-control", "no-store").type(TOKENINFO_CONTENT_TYPE);
        if (answer.status === 401) reply.header("www-authenticate", INVALID_TOKEN_CHALLENGE);
        // A string with a JSON content type is sent as it is: no serializer runs on the hot path.
        return reply.send(answer.body);
      },
    );
  };
}

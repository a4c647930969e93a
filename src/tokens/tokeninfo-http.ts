import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { Type } from "typebox";
import { bearerToken, type Clock, isCharterError, systemClock } from "../core/index.js";
import type { TokenVerification, VerifiedToken } from "./token-verifier.js";
import { tokeninfoJson, tokeninfoPieces } from "./tokeninfo-response.js";

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

// The same answer for every refusal (missing, malformed, expired, revoked, unknown key): the reason
// would only help someone probing with tokens that are not theirs.
const INVALID_TOKEN = JSON.stringify({ error: "invalid_token", error_description: "Access Token not valid" });

/**
 * `GET /oauth2/tokeninfo` in Plan B's shape, for the server and the `charter tokeninfo` sidecar.
 * The token comes from the `Authorization: Bearer` header or, failing that, the `access_token`
 * query parameter; the route is public because the token it inspects is its own authentication.
 * The answer's JSON is built once per verified token; a cached token costs one concatenation.
 */
export function tokeninfoHttp(
  verifier: TokenVerification,
  options: TokeninfoHttpOptions = {},
): FastifyPluginAsync {
  const clock = options.clock ?? systemClock;
  const nowSeconds = clock === systemClock ? () => Date.now() / 1000 : () => clock.now().getTime() / 1000;

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
        reply.header("cache-control", "no-store");
        if (token === undefined || token.length === 0) return invalidToken(reply);
        let verified: VerifiedToken;
        try {
          verified = await verifier.verify(token);
        } catch (error) {
          if (isCharterError(error) && error.kind === "unauthenticated") return invalidToken(reply);
          throw error;
        }
        verified.tokeninfo ??= tokeninfoPieces(verified);
        // A string with a JSON content type is sent as it is: no serializer runs on the hot path.
        return reply
          .type("application/json; charset=utf-8")
          .send(tokeninfoJson(verified.tokeninfo, nowSeconds()));
      },
    );
  };
}

function invalidToken(reply: FastifyReply): FastifyReply {
  return reply
    .status(401)
    .header("www-authenticate", 'Bearer error="invalid_token"')
    .type("application/json; charset=utf-8")
    .send(INVALID_TOKEN);
}

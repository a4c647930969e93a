import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { OAUTH_PATHS } from "./discovery.js";
import type { TokenProvider } from "./token-provider.js";

/**
 * Only public members; serialisation drops anything else, so a private member could never leak
 * even if one reached a row.
 */
const PublicJwk = Type.Object(
  {
    kty: Type.String(),
    kid: Type.String(),
    alg: Type.String(),
    use: Type.String(),
    crv: Type.Optional(Type.String()),
    x: Type.Optional(Type.String()),
    y: Type.Optional(Type.String()),
    n: Type.Optional(Type.String()),
    e: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const JwkSet = Type.Object({ keys: Type.Array(PublicJwk) }, { additionalProperties: false });

const ProviderMetadata = Type.Object(
  {
    issuer: Type.String(),
    authorization_endpoint: Type.String(),
    token_endpoint: Type.String(),
    jwks_uri: Type.String(),
    tokeninfo_endpoint: Type.Optional(Type.String()),
    revocation_endpoint: Type.Optional(Type.String()),
    scopes_supported: Type.Array(Type.String()),
    response_types_supported: Type.Array(Type.String()),
    response_modes_supported: Type.Array(Type.String()),
    grant_types_supported: Type.Array(Type.String()),
    subject_types_supported: Type.Array(Type.String()),
    code_challenge_methods_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Array(Type.String()),
    id_token_signing_alg_values_supported: Type.Array(Type.String()),
    claims_supported: Type.Array(Type.String()),
    authorization_response_iss_parameter_supported: Type.Boolean(),
  },
  { additionalProperties: false },
);

export interface DiscoveryHttpOptions {
  /** `Cache-Control: max-age` of the JWKS in seconds; default 30. Keys are published minutes ahead. */
  readonly jwksMaxAgeSeconds?: number;
}

/** `GET /oauth2/connect/keys` (the JWKS) and `GET /.well-known/openid-configuration`. */
export function discoveryHttp(
  provider: TokenProvider,
  options: DiscoveryHttpOptions = {},
): FastifyPluginAsyncTypebox {
  const maxAge = options.jwksMaxAgeSeconds ?? 30;
  return async (app) => {
    app.get(
      OAUTH_PATHS.jwks,
      {
        config: { public: true },
        schema: {
          tags: ["oauth2"],
          summary: "The public keys that verify access tokens",
          description: "Pending, current and retired-but-live signing keys, youngest first.",
          operationId: "getJwks",
          security: [],
          response: { 200: JwkSet },
        },
      },
      async (_request, reply) => {
        reply.header("cache-control", `public, max-age=${maxAge}`);
        return (await provider.publishedJwks()) as Static<typeof JwkSet>;
      },
    );

    app.get(
      OAUTH_PATHS.discovery,
      {
        config: { public: true },
        schema: {
          tags: ["oauth2"],
          summary: "OpenID Provider Metadata",
          operationId: "getOpenIdConfiguration",
          security: [],
          response: { 200: ProviderMetadata },
        },
      },
      async (_request, reply) => {
        reply.header("cache-control", `public, max-age=${maxAge}`);
        return (await provider.discovery()) as Static<typeof ProviderMetadata>;
      },
    );
  };
}

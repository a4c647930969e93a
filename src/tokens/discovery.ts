import { GRANT_TYPES } from "./token-endpoint.js";
import type { SigningAlgorithm } from "./types.js";

/** Paths of the endpoints this part serves, relative to the issuer. */
export const OAUTH_PATHS = {
  authorize: "/oauth2/authorize",
  token: "/oauth2/access_token",
  jwks: "/oauth2/connect/keys",
  discovery: "/.well-known/openid-configuration",
} as const;

export interface DiscoveryInput {
  readonly issuer: string;
  readonly algorithm: SigningAlgorithm;
  readonly scopes: readonly string[];
  /** Absolute URL of the tokeninfo endpoint, when one is served. */
  readonly tokeninfoEndpoint?: string | undefined;
  /** Absolute URL of the revocation endpoint, when one is served. */
  readonly revocationEndpoint?: string | undefined;
}

/** The OpenID Provider Metadata document (OpenID Connect Discovery 1.0 §3, RFC 8414). */
export function discoveryDocument(input: DiscoveryInput): Record<string, unknown> {
  const { issuer } = input;
  return {
    issuer,
    authorization_endpoint: `${issuer}${OAUTH_PATHS.authorize}`,
    token_endpoint: `${issuer}${OAUTH_PATHS.token}`,
    jwks_uri: `${issuer}${OAUTH_PATHS.jwks}`,
    ...(input.tokeninfoEndpoint === undefined ? {} : { tokeninfo_endpoint: input.tokeninfoEndpoint }),
    ...(input.revocationEndpoint === undefined ? {} : { revocation_endpoint: input.revocationEndpoint }),
    scopes_supported: input.scopes,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [...GRANT_TYPES],
    subject_types_supported: ["public"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    id_token_signing_alg_values_supported: [input.algorithm],
    claims_supported: ["sub", "realm", "scope", "iss", "iat", "exp", "azp"],
    authorization_response_iss_parameter_supported: true,
  };
}

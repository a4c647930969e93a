import { TokensErrors } from "./errors.js";
import { realmParameter } from "./realm-parameter.js";
import { grantedScopes } from "./scope-request.js";
import type { AuthenticatedClient, TokenRequest, TokenSubject } from "./types.js";

/**
 * RFC 6749 §4.4: a confidential client gets a token for itself, in realm `services`, with the
 * scopes it was granted. Public clients cannot keep a secret, so they may not use this grant.
 */
export function clientCredentialsGrant(client: AuthenticatedClient, request: TokenRequest): TokenSubject {
  realmParameter(request.realm, "services");
  if (!client.confidential) {
    throw TokensErrors.TOKENS_OAUTH_UNAUTHORIZED_CLIENT(
      `client ${client.id} is public and may not use the client_credentials grant`,
    );
  }
  return {
    sub: client.id,
    realm: "services",
    scopes: grantedScopes(request.scope, client.scopes),
    clientId: client.id,
  };
}

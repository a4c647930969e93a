import type { AuthorizationCodes } from "./authorization-codes.js";
import { TokensErrors } from "./errors.js";
import { isCodeVerifier, verifiesS256 } from "./pkce.js";
import type { AuthenticatedClient, TokenRequest, TokenSubject } from "./types.js";

/**
 * RFC 6749 §4.1.3 with RFC 7636: a code is redeemed once, by the client it was issued to, with the
 * redirect URI of the authorization request and the verifier of its S256 challenge. The code is
 * consumed before the checks, so a code that fails one can never be tried again.
 */
export async function authorizationCodeGrant(
  codes: Pick<AuthorizationCodes, "redeem">,
  client: AuthenticatedClient,
  request: TokenRequest,
): Promise<TokenSubject> {
  const { code, redirectUri, codeVerifier } = request;
  if (code === undefined || code === "" || redirectUri === undefined || codeVerifier === undefined) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST(
      "the authorization_code grant needs code, redirect_uri and code_verifier",
    );
  }
  if (!isCodeVerifier(codeVerifier)) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST("code_verifier must be 43 to 128 unreserved characters");
  }
  const grant = await codes.redeem(code);
  if (grant === undefined) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_GRANT("the code is unknown, expired or already used");
  }
  if (grant.clientId !== client.id) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_GRANT("the code was issued to another client");
  }
  if (grant.redirectUri !== redirectUri) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_GRANT("redirect_uri differs from the authorization request");
  }
  if (!verifiesS256(codeVerifier, grant.codeChallenge)) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_GRANT("code_verifier does not match the code_challenge");
  }
  return { sub: grant.subject, realm: grant.realm, scopes: grant.scopes, clientId: client.id };
}

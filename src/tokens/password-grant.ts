import { isCharterError } from "../core/index.js";
import { TokensErrors } from "./errors.js";
import { realmParameter } from "./realm-parameter.js";
import { delegableScopes, grantedScopes } from "./scope-request.js";
import type { AuthenticatedClient, CredentialChecker, TokenRequest, TokenSubject } from "./types.js";

/**
 * RFC 6749 §4.3: a person's user id and password, sent by an authenticated client (the public
 * `charter-cli` included), give a token for the person in realm `employees`, with `azp` naming the
 * client.
 */
export async function passwordGrant(
  credentials: Pick<CredentialChecker, "authenticatePerson">,
  client: AuthenticatedClient,
  request: TokenRequest,
): Promise<TokenSubject> {
  realmParameter(request.realm, "employees");
  const { username, password } = request;
  if (username === undefined || username === "" || password === undefined || password === "") {
    throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST("the password grant needs username and password");
  }
  let person: Awaited<ReturnType<CredentialChecker["authenticatePerson"]>>;
  try {
    person = await credentials.authenticatePerson(username, password);
  } catch (error) {
    if (isCharterError(error) && error.kind !== "internal" && error.kind !== "unavailable") {
      throw TokensErrors.TOKENS_OAUTH_INVALID_GRANT("user id or password is wrong");
    }
    throw error;
  }
  return {
    sub: person.id,
    realm: "employees",
    scopes: grantedScopes(request.scope, delegableScopes(client, person.scopes)),
    clientId: client.id,
  };
}

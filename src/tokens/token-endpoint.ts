import { isCharterError } from "../core/index.js";
import { authorizationCodeGrant } from "./authorization-code-grant.js";
import type { AuthorizationCodes } from "./authorization-codes.js";
import type { ClientAuthenticator } from "./client-authenticator.js";
import type { ClientCredentials } from "./client-credentials.js";
import { clientCredentialsGrant } from "./client-credentials-grant.js";
import { TokensErrors } from "./errors.js";
import { passwordGrant } from "./password-grant.js";
import type { TokenIssuer } from "./token-issuer.js";
import type { AuthenticatedClient, CredentialChecker, IssuedToken, TokenRequest } from "./types.js";

/** The grant types the token endpoint accepts. */
export const GRANT_TYPES = ["authorization_code", "client_credentials", "password"] as const;

export interface TokenEndpointOptions {
  readonly issuer: TokenIssuer;
  readonly clients: ClientAuthenticator;
  readonly credentials: Pick<CredentialChecker, "authenticatePerson">;
  readonly codes: Pick<AuthorizationCodes, "redeem">;
}

/**
 * The rules of `POST /oauth2/access_token`, without HTTP: check the grant type, authenticate the
 * client, run the grant, sign the token. Every failure is a `TOKENS_OAUTH_*` error.
 */
export class TokenEndpoint {
  readonly #options: TokenEndpointOptions;

  constructor(options: TokenEndpointOptions) {
    this.#options = options;
  }

  async exchange(request: TokenRequest, credentials: ClientCredentials | undefined): Promise<IssuedToken> {
    const { grantType } = request;
    if (grantType === undefined || grantType === "") {
      throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST("grant_type is required");
    }
    if (!(GRANT_TYPES as readonly string[]).includes(grantType)) {
      throw TokensErrors.TOKENS_OAUTH_UNSUPPORTED_GRANT_TYPE(
        `grant_type must be one of ${GRANT_TYPES.join(", ")}`,
      );
    }
    const client = await this.authenticateClient(credentials);
    const subject =
      grantType === "client_credentials"
        ? clientCredentialsGrant(client, request)
        : grantType === "password"
          ? await passwordGrant(this.#options.credentials, client, request)
          : await authorizationCodeGrant(this.#options.codes, client, request);
    return this.#options.issuer.issue(subject);
  }

  /**
   * Authenticates the client. A confidential client must present its secret; a public client
   * must not present one, since it has none.
   */
  async authenticateClient(credentials: ClientCredentials | undefined): Promise<AuthenticatedClient> {
    if (credentials === undefined) {
      throw TokensErrors.TOKENS_OAUTH_INVALID_CLIENT("client authentication is required");
    }
    let client: AuthenticatedClient;
    try {
      client = await this.#options.clients.authenticate(credentials.clientId, credentials.secret);
    } catch (error) {
      if (isCharterError(error) && error.kind !== "internal" && error.kind !== "unavailable") {
        throw TokensErrors.TOKENS_OAUTH_INVALID_CLIENT(
          `client authentication failed for ${credentials.clientId}`,
        );
      }
      throw error;
    }
    if (client.confidential !== (credentials.secret !== undefined)) {
      throw TokensErrors.TOKENS_OAUTH_INVALID_CLIENT(
        `client authentication failed for ${credentials.clientId}`,
      );
    }
    return client;
  }
}

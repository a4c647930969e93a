import { type CharterError, isCharterError } from "../core/index.js";
import type { AuthorizationCodes } from "./authorization-codes.js";
import type { AuthorizationRequest, AuthorizeFormTokens } from "./authorize-form-token.js";
import type { ClientAuthenticator } from "./client-authenticator.js";
import { TokensErrors } from "./errors.js";
import { oauthErrorOf } from "./oauth-error.js";
import { isS256Challenge } from "./pkce.js";
import { matchesRegisteredRedirectUri } from "./redirect-uri.js";
import { delegableScopes, grantedScopes, parseScope } from "./scope-request.js";
import type { CredentialChecker } from "./types.js";

/** The query of `GET /oauth2/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export interface AuthorizeQuery {
  readonly responseType?: string | undefined;
  readonly clientId?: string | undefined;
  readonly redirectUri?: string | undefined;
  readonly state?: string | undefined;
  readonly scope?: string | undefined;
  readonly codeChallenge?: string | undefined;
  readonly codeChallengeMethod?: string | undefined;
}

/** The fields of the login form `POST /oauth2/authorize` receives. */
export interface LoginForm {
  readonly formToken?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

/** What the authorization endpoint answers. */
export type AuthorizeOutcome =
  /** Show the login form (again, with `error`, after a failed attempt). */
  | {
      readonly type: "login";
      readonly request: AuthorizationRequest;
      readonly formToken: string;
      readonly error?: string;
      readonly username?: string;
    }
  /** Send the browser back to the client, with a code or an error. */
  | { readonly type: "redirect"; readonly location: string }
  /** The client or its redirect URI cannot be trusted: show an error and redirect nowhere. */
  | { readonly type: "error"; readonly error: CharterError };

export interface AuthorizationEndpointOptions {
  readonly issuer: string;
  readonly clients: ClientAuthenticator;
  readonly credentials: Pick<CredentialChecker, "authenticatePerson">;
  readonly codes: Pick<AuthorizationCodes, "create">;
  readonly forms: AuthorizeFormTokens;
}

const STATE_MAX = 1024;

/**
 * The rules of the authorization code flow's front channel, without HTTP. Until the client and
 * its redirect URI are verified, errors are shown to the person (RFC 6749 §4.1.2.1: redirecting to
 * an unverified URI makes the server an open redirector); after that they go back to the client.
 */
export class AuthorizationEndpoint {
  readonly #options: AuthorizationEndpointOptions;

  constructor(options: AuthorizationEndpointOptions) {
    this.#options = options;
  }

  /** A fresh value to bind login forms to a browser that has none yet. */
  newBinding(): string {
    return this.#options.forms.newBinding();
  }

  /** Checks an authorization request and answers the login form for it. */
  async begin(query: AuthorizeQuery, binding: string): Promise<AuthorizeOutcome> {
    const { clientId, redirectUri } = query;
    if (clientId === undefined || clientId === "" || redirectUri === undefined || redirectUri === "") {
      return failure(TokensErrors.TOKENS_OAUTH_INVALID_REQUEST("client_id and redirect_uri are required"));
    }
    let registered: readonly string[];
    try {
      registered = (await this.#options.clients.authenticate(clientId, undefined)).redirectUris;
    } catch (error) {
      if (isCharterError(error) && error.kind !== "internal" && error.kind !== "unavailable") {
        return failure(
          TokensErrors.TOKENS_OAUTH_INVALID_CLIENT(`client ${clientId} is unknown or not a public client`),
        );
      }
      throw error;
    }
    if (!matchesRegisteredRedirectUri(redirectUri, registered)) {
      return failure(
        TokensErrors.TOKENS_OAUTH_INVALID_REQUEST(`redirect_uri is not registered for client ${clientId}`),
      );
    }

    const back = (error: CharterError) =>
      this.#redirect(redirectUri, { ...errorParameters(error), state: query.state });
    if (query.state !== undefined && query.state.length > STATE_MAX) {
      return back(TokensErrors.TOKENS_OAUTH_INVALID_REQUEST(`state must be at most ${STATE_MAX} characters`));
    }
    if (query.responseType !== "code") {
      return back(TokensErrors.TOKENS_OAUTH_UNSUPPORTED_RESPONSE_TYPE("response_type must be code"));
    }
    if (query.codeChallenge === undefined || !isS256Challenge(query.codeChallenge)) {
      return back(TokensErrors.TOKENS_OAUTH_INVALID_REQUEST("code_challenge is required: PKCE with S256"));
    }
    if (query.codeChallengeMethod !== "S256") {
      return back(TokensErrors.TOKENS_OAUTH_INVALID_REQUEST("code_challenge_method must be S256"));
    }
    try {
      parseScope(query.scope);
    } catch (error) {
      return back(error as CharterError);
    }
    const request: AuthorizationRequest = {
      clientId,
      redirectUri,
      codeChallenge: query.codeChallenge,
      ...(query.state === undefined ? {} : { state: query.state }),
      ...(query.scope === undefined || query.scope.trim() === "" ? {} : { scope: query.scope }),
    };
    return { type: "login", request, formToken: await this.#options.forms.seal(request, binding) };
  }

  /** Checks the person's password and sends the browser back to the client with a code. */
  async complete(form: LoginForm, binding: string | undefined): Promise<AuthorizeOutcome> {
    let request: AuthorizationRequest;
    try {
      request = await this.#options.forms.open(form.formToken ?? "", binding);
    } catch (error) {
      if (isCharterError(error)) return failure(error);
      throw error;
    }
    const formToken = form.formToken!;
    const { username, password } = form;
    if (username === undefined || username === "" || password === undefined || password === "") {
      return {
        type: "login",
        request,
        formToken,
        error: "Enter your user id and password.",
        username: username ?? "",
      };
    }
    let person: Awaited<ReturnType<CredentialChecker["authenticatePerson"]>>;
    try {
      person = await this.#options.credentials.authenticatePerson(username, password);
    } catch (error) {
      if (isCharterError(error) && error.kind !== "internal" && error.kind !== "unavailable") {
        return { type: "login", request, formToken, error: "The user id or password is wrong.", username };
      }
      throw error;
    }
    let scopes: string[];
    try {
      const client = await this.#options.clients.authenticate(request.clientId, undefined);
      scopes = grantedScopes(request.scope, delegableScopes(client, person.scopes));
    } catch (error) {
      return this.#redirect(request.redirectUri, {
        ...errorParameters(error as CharterError),
        state: request.state,
      });
    }
    const code = await this.#options.codes.create({
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      subject: person.id,
      realm: "employees",
      scopes,
    });
    return this.#redirect(request.redirectUri, { code, state: request.state });
  }

  #redirect(redirectUri: string, parameters: Record<string, string | undefined>): AuthorizeOutcome {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(parameters)) {
      if (value !== undefined) url.searchParams.append(name, value);
    }
    // RFC 9207: naming the issuer lets a client that talks to several servers detect mix-ups.
    url.searchParams.append("iss", this.#options.issuer);
    return { type: "redirect", location: url.href };
  }
}

function failure(error: CharterError): AuthorizeOutcome {
  return { type: "error", error };
}

function errorParameters(error: CharterError): { error: string; error_description: string } {
  const { error: code, error_description } = oauthErrorOf(error);
  return { error: code, error_description };
}

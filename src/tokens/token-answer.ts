import { clientCredentialsOf } from "./client-credentials.js";
import { isClientError, oauthErrorOf } from "./oauth-error.js";
import type { TokenEndpoint } from "./token-endpoint.js";
import { type TokenForm, tokenRequestOf } from "./token-form.js";

/** What `POST /oauth2/access_token` answers, whichever HTTP layer sends it. */
export interface TokenAnswer {
  readonly status: number;
  /** Header names and values, one after the other, as `writeHead` takes them. */
  readonly headers: readonly string[];
  /** JSON text, sent as it is. */
  readonly body: string;
}

// RFC 6749 §5.1: token responses must not be cached.
const HEADERS = [
  "content-type",
  "application/json; charset=utf-8",
  "cache-control",
  "no-store",
  "pragma",
  "no-cache",
] as const;

const BASIC_CHALLENGE_HEADERS = [
  ...HEADERS,
  "www-authenticate",
  'Basic realm="charter", charset="UTF-8"',
] as const;

/**
 * Runs a token request and answers in RFC 6749's shape: the token (§5.1), or the error (§5.2) with
 * a Basic challenge when the client failed to authenticate. Errors that are not the client's
 * (a database that cannot be reached, a bug) go to `onServerError` and answer without detail.
 */
export async function answerTokenRequest(
  endpoint: TokenEndpoint,
  authorization: string | undefined,
  form: TokenForm,
  onServerError: (error: unknown) => void,
): Promise<TokenAnswer> {
  try {
    const token = await endpoint.exchange(tokenRequestOf(form), clientCredentialsOf(authorization, form));
    // A compact JWS is base64url and dots only: nothing in it needs escaping.
    const body =
      `{"access_token":"${token.accessToken}","token_type":"Bearer",` +
      `"expires_in":${token.expiresIn},"scope":${JSON.stringify(token.scopes.join(" "))},` +
      `"realm":${JSON.stringify(token.realm)}}`;
    return { status: 200, headers: HEADERS, body };
  } catch (error) {
    return tokenErrorAnswer(error, onServerError);
  }
}

/** The RFC 6749 §5.2 answer to a failed token request. */
export function tokenErrorAnswer(error: unknown, onServerError: (error: unknown) => void): TokenAnswer {
  const oauth = oauthErrorOf(error);
  if (!isClientError(oauth)) onServerError(error);
  return {
    status: oauth.status,
    headers: oauth.status === 401 ? BASIC_CHALLENGE_HEADERS : HEADERS,
    body: JSON.stringify({ error: oauth.error, error_description: oauth.error_description }),
  };
}

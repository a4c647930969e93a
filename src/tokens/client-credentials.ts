import { TokensErrors } from "./errors.js";

/** How a client identified itself at the token endpoint. */
export interface ClientCredentials {
  readonly clientId: string;
  /** Undefined for a public client, which sends only its id. */
  readonly secret: string | undefined;
  /** Whether HTTP Basic was used; a failure then answers 401 with `WWW-Authenticate: Basic`. */
  readonly basic: boolean;
}

/**
 * Reads the client's credentials from HTTP Basic (RFC 6749 §2.3.1: id and secret are
 * form-urlencoded before base64) or from the `client_id`/`client_secret` form fields. A client may
 * use one method only; undefined when the request names no client at all.
 */
export function clientCredentialsOf(
  authorization: string | undefined,
  form: { readonly client_id?: string | undefined; readonly client_secret?: string | undefined },
): ClientCredentials | undefined {
  if (authorization === undefined) {
    if (form.client_id === undefined || form.client_id === "") {
      if (form.client_secret !== undefined) {
        throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST("client_secret was sent without client_id");
      }
      return undefined;
    }
    return { clientId: form.client_id, secret: form.client_secret, basic: false };
  }

  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(authorization);
  if (match === null) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_CLIENT("the Authorization header must use the Basic scheme");
  }
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) throw TokensErrors.TOKENS_OAUTH_INVALID_CLIENT("the Basic credentials are malformed");
  let clientId: string;
  let secret: string;
  try {
    clientId = formDecode(decoded.slice(0, colon));
    secret = formDecode(decoded.slice(colon + 1));
  } catch {
    throw TokensErrors.TOKENS_OAUTH_INVALID_CLIENT("the Basic credentials are malformed");
  }
  if (form.client_secret !== undefined) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST(
      "the client authenticated twice: use either HTTP Basic or client_secret, not both",
    );
  }
  if (form.client_id !== undefined && form.client_id !== clientId) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST(
      "client_id differs from the client in the Basic credentials",
    );
  }
  return { clientId, secret: secret === "" ? undefined : secret, basic: true };
}

function formDecode(value: string): string {
  // Most ids and secrets need no decoding; this runs for every token request.
  return value.includes("%") || value.includes("+") ? decodeURIComponent(value.replaceAll("+", " ")) : value;
}

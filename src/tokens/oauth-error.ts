import { type CharterError, isCharterError } from "../core/index.js";
import type { TokensErrorCode } from "./errors.js";

/** An error as RFC 6749 §5.2 and §4.1.2.1 spell it. */
export interface OAuthError {
  readonly status: number;
  readonly error: string;
  readonly error_description: string;
}

const OAUTH: Partial<Record<TokensErrorCode, { readonly error: string; readonly status: number }>> = {
  TOKENS_OAUTH_INVALID_REQUEST: { error: "invalid_request", status: 400 },
  TOKENS_OAUTH_INVALID_CLIENT: { error: "invalid_client", status: 401 },
  TOKENS_OAUTH_INVALID_GRANT: { error: "invalid_grant", status: 400 },
  TOKENS_OAUTH_UNAUTHORIZED_CLIENT: { error: "unauthorized_client", status: 400 },
  TOKENS_OAUTH_UNSUPPORTED_GRANT_TYPE: { error: "unsupported_grant_type", status: 400 },
  TOKENS_OAUTH_UNSUPPORTED_RESPONSE_TYPE: { error: "unsupported_response_type", status: 400 },
  TOKENS_OAUTH_INVALID_SCOPE: { error: "invalid_scope", status: 400 },
  TOKENS_OAUTH_ACCESS_DENIED: { error: "access_denied", status: 403 },
};

/**
 * The OAuth2 form of an error. Request-shape errors (schema, media type, body size) become
 * `invalid_request`; an unavailable dependency `temporarily_unavailable`; anything else
 * `server_error`, whose description says nothing about the cause.
 */
export function oauthErrorOf(error: unknown): OAuthError {
  if (isCharterError(error)) {
    const known = OAUTH[error.code as TokensErrorCode];
    if (known !== undefined) return { ...known, error_description: describe(error) };
    if (error.kind === "unavailable") {
      return { status: 503, error: "temporarily_unavailable", error_description: describe(error) };
    }
    if (error.kind === "internal") return serverError();
    return { status: 400, error: "invalid_request", error_description: describe(error) };
  }
  const { statusCode, validation, message } = error as {
    statusCode?: unknown;
    validation?: unknown;
    message?: unknown;
  };
  if (validation !== undefined && typeof message === "string") {
    return { status: 400, error: "invalid_request", error_description: sanitize(message) };
  }
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) {
    return { status: 400, error: "invalid_request", error_description: "the request is malformed" };
  }
  return serverError();
}

/** Whether an error is one the OAuth2 endpoints answer as a client mistake (so nothing to log). */
export function isClientError(error: OAuthError): boolean {
  return error.status < 500;
}

function serverError(): OAuthError {
  return { status: 500, error: "server_error", error_description: "an unexpected error occurred" };
}

// RFC 6749 limits error_description to %x20-21 / %x23-5B / %x5D-7E.
function describe(error: CharterError): string {
  return sanitize(error.message);
}

function sanitize(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "'");
}

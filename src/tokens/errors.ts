import { defineErrors } from "../core/index.js";

/**
 * Every error the issuing half of the tokens part raises; codes are stable, messages are not. The
 * OAuth2 endpoints answer the `TOKENS_OAUTH_*` codes in the RFC 6749 shape (see `oauth-error.ts`);
 * everywhere else they become problem documents.
 */
export const TokensErrors = defineErrors({
  TOKENS_OAUTH_INVALID_REQUEST: { kind: "invalid", title: "OAuth2 request is not valid" },
  TOKENS_OAUTH_INVALID_CLIENT: { kind: "unauthenticated", title: "Client authentication failed" },
  TOKENS_OAUTH_INVALID_GRANT: { kind: "invalid", title: "Grant is not valid" },
  TOKENS_OAUTH_UNAUTHORIZED_CLIENT: { kind: "forbidden", title: "Client may not use this grant type" },
  TOKENS_OAUTH_UNSUPPORTED_GRANT_TYPE: { kind: "invalid", title: "Grant type not supported" },
  TOKENS_OAUTH_UNSUPPORTED_RESPONSE_TYPE: { kind: "invalid", title: "Response type not supported" },
  TOKENS_OAUTH_INVALID_SCOPE: { kind: "invalid", title: "Scope not granted" },
  TOKENS_OAUTH_ACCESS_DENIED: { kind: "forbidden", title: "Access denied" },
  TOKENS_AUTHORIZE_FORM_INVALID: { kind: "invalid", title: "Login form expired or was altered" },
  TOKENS_NO_SIGNING_KEY: { kind: "unavailable", title: "No signing key is active" },
  TOKENS_RESOURCE_TYPE_NOT_FOUND: { kind: "not_found", title: "Resource type not found" },
  TOKENS_RESOURCE_TYPE_EXISTS: { kind: "conflict", title: "Resource type already exists" },
  TOKENS_RESOURCE_TYPE_NOT_EMPTY: { kind: "conflict", title: "Resource type still has scopes" },
  TOKENS_SCOPE_NOT_FOUND: { kind: "not_found", title: "Scope not found" },
  TOKENS_SCOPE_GRANTED: { kind: "conflict", title: "Scope is still granted" },
  TOKENS_INVALID_ID: { kind: "invalid", title: "Resource type or scope id is not valid" },
  TOKENS_ADMIN_REQUIRED: { kind: "forbidden", title: "Administrator scope required" },
});

export type TokensErrorCode = Exclude<keyof typeof TokensErrors, "specs">;

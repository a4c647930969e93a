import { defineErrors } from "../core/index.js";

/**
 * Why an access token was refused. Every code is `unauthenticated` (HTTP 401); messages name the
 * failing header member or claim and never contain the token or a claim's value.
 */
export const VerificationErrors = defineErrors({
  TOKENS_INVALID: { kind: "unauthenticated", title: "Access token is not valid" },
  TOKENS_ALGORITHM_NOT_ALLOWED: { kind: "unauthenticated", title: "Access token algorithm is not allowed" },
  TOKENS_CLAIM_INVALID: { kind: "unauthenticated", title: "Access token claim is not valid" },
  TOKENS_EXPIRED: { kind: "unauthenticated", title: "Access token has expired" },
  TOKENS_NOT_YET_VALID: { kind: "unauthenticated", title: "Access token is not yet valid" },
  TOKENS_REVOKED: { kind: "unauthenticated", title: "Access token has been revoked" },
  TOKENS_UNKNOWN_KEY: { kind: "unauthenticated", title: "Access token is signed with an unknown key" },
});

export type VerificationErrorCode = Exclude<keyof typeof VerificationErrors, "specs">;

import { defineErrors } from "../core/index.js";

/** Errors of the revocation API (`/revocations`). */
export const RevocationErrors = defineErrors({
  TOKENS_REVOCATION_INVALID: { kind: "invalid", title: "Revocation is not valid" },
  TOKENS_REVOCATION_FORBIDDEN: { kind: "forbidden", title: "Not allowed to make this revocation" },
  /** The token has expired, so no verifier accepts it any more: there is nothing to revoke. */
  TOKENS_REVOCATION_TOKEN_EXPIRED: { kind: "invalid", title: "Token has expired and needs no revocation" },
  /** The token is refused already (by a TOKEN, CLAIM or GLOBAL revocation); nothing was stored. */
  TOKENS_REVOCATION_ALREADY_REVOKED: { kind: "conflict", title: "Token is already revoked" },
});

export type RevocationErrorCode = Exclude<keyof typeof RevocationErrors, "specs">;

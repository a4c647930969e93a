import { defineErrors } from "../core/index.js";

/** Errors of the revocation API (`/revocations`). */
export const RevocationErrors = defineErrors({
  TOKENS_REVOCATION_INVALID: { kind: "invalid", title: "Revocation is not valid" },
  TOKENS_REVOCATION_FORBIDDEN: { kind: "forbidden", title: "Not allowed to make this revocation" },
});

export type RevocationErrorCode = Exclude<keyof typeof RevocationErrors, "specs">;

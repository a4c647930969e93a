import { defineErrors } from "../core/index.js";

/** Every error the identity part raises; codes are stable, messages are not. */
export const IdentityErrors = defineErrors({
  IDENTITY_TEAM_NOT_FOUND: { kind: "not_found", title: "Team not found" },
  IDENTITY_TEAM_EXISTS: { kind: "conflict", title: "Team already exists" },
  IDENTITY_TEAM_NOT_EMPTY: { kind: "conflict", title: "Team still has members or clients" },
  IDENTITY_AWS_ACCOUNT_TAKEN: { kind: "conflict", title: "AWS account belongs to another team" },
  IDENTITY_USER_NOT_FOUND: { kind: "not_found", title: "User not found" },
  IDENTITY_USER_EXISTS: { kind: "conflict", title: "User already exists" },
  IDENTITY_MEMBER_NOT_FOUND: { kind: "not_found", title: "User is not a member of the team" },
  IDENTITY_CLIENT_NOT_FOUND: { kind: "not_found", title: "Client not found" },
  IDENTITY_CLIENT_EXISTS: { kind: "conflict", title: "Client already exists" },
  IDENTITY_CLIENT_NOT_CONFIDENTIAL: { kind: "conflict", title: "Client has no secret" },
  IDENTITY_REDIRECT_URI_INVALID: { kind: "invalid", title: "Redirect URI not allowed" },
  IDENTITY_UNKNOWN_SCOPE: { kind: "invalid", title: "Scope does not exist" },
  IDENTITY_PASSWORD_POLICY: { kind: "invalid", title: "Password does not meet the policy" },
  IDENTITY_CURRENT_PASSWORD_REQUIRED: { kind: "invalid", title: "Current password required" },
  IDENTITY_CURRENT_PASSWORD_WRONG: { kind: "forbidden", title: "Current password is wrong" },
  IDENTITY_INVALID_CURSOR: { kind: "invalid", title: "Page cursor is not valid" },
  IDENTITY_INVALID_CREDENTIALS: { kind: "unauthenticated", title: "User id or password is wrong" },
  IDENTITY_INVALID_CLIENT: { kind: "unauthenticated", title: "Client authentication failed" },
  IDENTITY_FORBIDDEN: { kind: "forbidden", title: "Not allowed" },
  IDENTITY_TOO_MANY_ATTEMPTS: { kind: "rate_limited", title: "Too many login attempts" },
  IDENTITY_CLIENT_ID_RESERVED: { kind: "invalid", title: "Client id is reserved for Charter itself" },
});

export type IdentityErrorCode = Exclude<keyof typeof IdentityErrors, "specs">;

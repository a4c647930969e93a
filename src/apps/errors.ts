import { defineErrors } from "../core/index.js";

/** Every error the apps part raises; codes are stable, messages are not. */
export const AppsErrors = defineErrors({
  APPS_APP_NOT_FOUND: { kind: "not_found", title: "Application not found" },
  APPS_TEAM_NOT_FOUND: { kind: "not_found", title: "Team not found" },
  APPS_VERSION_NOT_FOUND: { kind: "not_found", title: "Version not found" },
  APPS_VERSION_IMMUTABLE: { kind: "conflict", title: "Version exists with another artifact" },
  APPS_ARTIFACT_INVALID: { kind: "invalid", title: "Artifact is not an OCI reference" },
  APPS_ARTIFACT_DIGEST_REQUIRED: { kind: "invalid", title: "Artifact must be pinned by a digest" },
  APPS_APPROVAL_TYPE_NOT_FOUND: { kind: "not_found", title: "Approval type not found" },
  APPS_APPROVAL_TYPE_EXISTS: { kind: "conflict", title: "Approval type already exists" },
  APPS_APPROVAL_TYPE_BUILT_IN: { kind: "conflict", title: "Built-in approval type cannot be deleted" },
  APPS_APPROVAL_TYPE_IN_USE: { kind: "conflict", title: "Approval type is required by the policy" },
  APPS_APPROVAL_EXISTS: { kind: "conflict", title: "Approval already given" },
  APPS_APPROVER_NOT_PERSON: { kind: "forbidden", title: "Only people approve" },
  APPS_INVALID_CURSOR: { kind: "invalid", title: "Page cursor is not valid" },
  APPS_FORBIDDEN: { kind: "forbidden", title: "Not allowed" },
});

export type AppsErrorCode = Exclude<keyof typeof AppsErrors, "specs">;

export { type ArtifactReference, parseArtifact } from "./artifact.js";
export { AuthorizedAppsService, type TeamMembership } from "./authorized-service.js";
export { type AppsErrorCode, AppsErrors } from "./errors.js";
export { type AppsHttpOptions, appsHttp } from "./http.js";
export {
  APPROVAL_TYPE_PATTERN,
  BUILT_IN_APPROVAL_TYPES,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  VERSION_MAX,
  VERSION_PATTERN,
} from "./limits.js";
export { type ApprovalInput, AppsService, type AppsServiceOptions } from "./service.js";
export {
  type App,
  type AppInput,
  type AppMatch,
  type Approval,
  type ApprovalRequirement,
  type ApprovalStatus,
  type ApprovalType,
  type ChangeContext,
  CRITICALITY_LEVELS,
  type CriticalityLevel,
  type ListAppsRequest,
  type MissingApproval,
  type Page,
  type PageRequest,
  type PolicyLevel,
  type PutResult,
  type Version,
  type VersionInput,
} from "./types.js";

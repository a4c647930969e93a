export { AuthorizedIdentityService } from "./authorized-service.js";
export { type IdentityErrorCode, IdentityErrors } from "./errors.js";
export { type IdentityHttpOptions, identityHttp } from "./http.js";
export {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PasswordHasher,
  type ScryptParameters,
} from "./password-hasher.js";
export type { ScopeCatalog } from "./scope-catalog.js";
export {
  ADMIN_USER_ID,
  BOOTSTRAP_ADMIN_SCOPES,
  CLI_CLIENT_ID,
  DEFAULT_PAGE_SIZE,
  IdentityService,
  type IdentityServiceOptions,
  isSystemClientId,
  MAX_PAGE_SIZE,
  PLATFORM_TEAM_ID,
  SYSTEM_CLIENT_PREFIX,
} from "./service.js";
export type {
  AuthenticatedClient,
  AuthenticatedPerson,
  BootstrapOptions,
  ChangeContext,
  Client,
  ClientWithSecret,
  CreateClientInput,
  CreateTeamInput,
  CreateUserInput,
  ListClientsRequest,
  ListTeamsRequest,
  Page,
  PageRequest,
  Team,
  TeamDetails,
  UpdateClientInput,
  UpdateTeamInput,
  UpdateUserInput,
  User,
} from "./types.js";

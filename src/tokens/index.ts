export { AuthorizationCodes, type AuthorizationCodesOptions, type CodeGrant } from "./authorization-codes.js";
export {
  AuthorizationEndpoint,
  type AuthorizationEndpointOptions,
  type AuthorizeOutcome,
  type AuthorizeQuery,
  type LoginForm,
} from "./authorization-endpoint.js";
export { AuthorizedScopeRegistry } from "./authorized-scope-registry.js";
export { ClientAuthenticator, type ClientAuthenticatorOptions } from "./client-authenticator.js";
export { type ClientCredentials, clientCredentialsOf } from "./client-credentials.js";
export { type DiscoveryInput, discoveryDocument, OAUTH_PATHS } from "./discovery.js";
export type { DiscoveryHttpOptions } from "./discovery-http.js";
export { type TokensErrorCode, TokensErrors } from "./errors.js";
export { JwksKeySource, type JwksKeySourceOptions, type KeySource } from "./jwks-key-source.js";
// Verifying half: verifier, key sources, revocation lists, tokeninfo.
export {
  fetchOpenIdConfiguration,
  type HttpFetchOptions,
  jwksFromUrl,
  jwksViaDiscovery,
  type OpenIdConfiguration,
} from "./jwks-key-source-fetch.js";
export { KeyRing, type KeyRingOptions, signingKeyContext } from "./key-ring.js";
export { KeyRotation, type KeyRotationOptions, type RotationOutcome } from "./key-rotation.js";
export { type OAuthError, oauthErrorOf } from "./oauth-error.js";
export { type OAuthHttpOptions, oauthHttp } from "./oauth-http.js";
export { isCodeVerifier, s256ChallengeOf } from "./pkce.js";
export {
  type IssuedRegistryToken,
  REGISTRY_TOKEN_TYPE,
  type RegistryAccess,
  RegistryTokenIssuer,
  type RegistryTokenIssuerOptions,
} from "./registry-token-issuer.js";
export {
  AuthorizedRevocationService,
  type AuthorizedRevocationServiceOptions,
  type RevocationTokenVerifier,
} from "./revocation-authorized-service.js";
export { type RevocationErrorCode, RevocationErrors } from "./revocation-errors.js";
export { hashRevocationValue, tokenRevocationInput } from "./revocation-hash.js";
export { revocationsHttp } from "./revocation-http.js";
export {
  type AccessTokenProvider,
  parseRevocationFeed,
  type RevocationFeedFromUrlOptions,
  revocationFeedFromUrl,
} from "./revocation-http-feed.js";
export { RevocationList, type RevocationListOptions, type RevocationSubject } from "./revocation-list.js";
export { RevocationRefresher, type RevocationRefresherOptions } from "./revocation-refresher.js";
export {
  REVOCATION_PAGE_SIZE,
  RevocationService,
  type RevocationServiceOptions,
} from "./revocation-service.js";
export {
  PLAN_B_DEFAULT_SALT,
  REVOCATION_HASH_ALGORITHM,
  type Revocation,
  type RevocationFeed,
  type RevocationRequest,
  type RevocationType,
} from "./revocation-types.js";
export { type ScopesHttpOptions, scopesHttp } from "./scope-http.js";
export {
  BOOTSTRAP_SCOPES,
  bootstrapScopes,
  type ScopeDefinitions,
  ScopeRegistry,
  type ScopeRegistryOptions,
} from "./scope-registry.js";
export type { SigningKey } from "./signing-key.js";
export { GRANT_TYPES, TokenEndpoint, type TokenEndpointOptions } from "./token-endpoint.js";
export { type TokenEndpointFastPathOptions, tokenEndpointFastPath } from "./token-endpoint-fast-path.js";
export {
  checkIssuer,
  type SigningKeySource,
  TokenIssuer,
  type TokenIssuerOptions,
  type TokenLifetimes,
} from "./token-issuer.js";
export { createTokenProvider, TokenProvider, type TokenProviderOptions } from "./token-provider.js";
export {
  authenticateWith,
  principalOfClaims,
  type TokenVerification,
  TokenVerifier,
  type TokenVerifierOptions,
  type VerifiedClaims,
  type VerifiedToken,
} from "./token-verifier.js";
export { type TokeninfoHttpOptions, tokeninfoHttp } from "./tokeninfo-http.js";
export { type TokeninfoLaneOptions, tokeninfoLane } from "./tokeninfo-lane.js";
export {
  type TokeninfoBody,
  type TokeninfoPieces,
  tokeninfoJson,
  tokeninfoPieces,
} from "./tokeninfo-response.js";
export {
  type AccessTokenClaims,
  type AuthenticatedClient,
  type AuthenticatedPerson,
  type ChangeContext,
  type CredentialChecker,
  type IssuedToken,
  type ResourceType,
  type ResourceTypeInput,
  type Scope,
  type ScopeGrants,
  type ScopeInput,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  type TokenRequest,
  type TokenSubject,
} from "./types.js";
export { type VerificationErrorCode, VerificationErrors } from "./verification-errors.js";
export {
  importVerificationKey,
  isVerificationAlgorithm,
  type KeyImport,
  VERIFICATION_ALGORITHMS,
  type VerificationAlgorithm,
  type VerificationKey,
} from "./verification-key.js";

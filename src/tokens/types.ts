import type { Actor, Realm } from "../core/index.js";

/** What a successful password check establishes about a person. */
export interface AuthenticatedPerson {
  readonly id: string;
  readonly scopes: readonly string[];
}

/** What a successful client authentication establishes. */
export interface AuthenticatedClient {
  readonly id: string;
  readonly teamId: string;
  readonly confidential: boolean;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
}

/**
 * The port through which the token endpoints check credentials. The identity part's
 * `IdentityService` implements it; both methods throw a `CharterError` on bad credentials.
 */
export interface CredentialChecker {
  authenticatePerson(userId: string, password: string): Promise<AuthenticatedPerson>;
  /** `secret` is undefined for a public client, which authenticates by its id alone. */
  authenticateClient(clientId: string, secret: string | undefined): Promise<AuthenticatedClient>;
}

/** How many people and clients hold a scope; the identity part implements it. */
export interface ScopeGrants {
  countScopeGrants(scope: string): Promise<number>;
}

/** JWS algorithms a signing key may use. */
export type SigningAlgorithm = "ES256" | "ES384" | "RS256";

export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ["ES256", "ES384", "RS256"];

/** Who a token is for, as a grant establishes it. */
export interface TokenSubject {
  readonly sub: string;
  readonly realm: Realm;
  /** The granted scopes, already checked against what the subject holds. */
  readonly scopes: readonly string[];
  /** The client the token is issued to; becomes `azp` when it differs from `sub`. */
  readonly clientId: string;
}

/** The claims of every access token Charter issues. */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly realm: Realm;
  readonly scope: readonly string[];
  readonly iss: string;
  readonly iat: number;
  readonly exp: number;
  readonly azp?: string;
  /** A random id per token (RFC 7519 §4.1.7). */
  readonly jti: string;
}

/** An access token and what a token response says about it. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scopes: readonly string[];
  readonly realm: Realm;
}

/** A kind of resource that scopes protect, such as `charter` or `sales-order`. */
export interface ResourceType {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly createdAt: Date;
  readonly modifiedAt: Date;
}

/** A scope of a resource type; tokens carry its full name `<resourceType>.<id>`. */
export interface Scope {
  readonly resourceType: string;
  readonly id: string;
  /** `<resourceType>.<id>`, the name tokens carry. */
  readonly name: string;
  readonly description: string;
  readonly createdAt: Date;
  readonly modifiedAt: Date;
}

/** The parameters of a token request (RFC 6749 §4), as the token endpoint received them. */
export interface TokenRequest {
  readonly grantType: string | undefined;
  readonly scope?: string | undefined;
  readonly realm?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly code?: string | undefined;
  readonly redirectUri?: string | undefined;
  readonly codeVerifier?: string | undefined;
}

/** Who makes a change, and the request body the audit record digests. */
export interface ChangeContext {
  readonly actor: Actor;
  readonly body?: unknown;
}

export interface ResourceTypeInput {
  readonly name: string;
  /** Default empty. */
  readonly description?: string;
}

export interface ScopeInput {
  readonly description: string;
}

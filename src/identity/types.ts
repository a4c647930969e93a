import type { Actor } from "../core/index.js";

/** Who asks for a change, and what they sent; both go into the change's audit record. */
export interface ChangeContext {
  readonly actor: Actor;
  /** The request body as received; default the change's input. The audit log drops secret fields. */
  readonly body?: unknown;
}

/** A team: the unit that owns clients, applications and AWS accounts. */
export interface Team {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** 12-digit AWS account ids, sorted. */
  readonly awsAccounts: readonly string[];
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly modifiedAt: Date;
}

/** A team as read one at a time, with its members' user ids, sorted. */
export interface TeamDetails extends Team {
  readonly members: readonly string[];
}

/** A person (realm `employees`). The password hash never leaves the store. */
export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly scopes: readonly string[];
  readonly disabled: boolean;
  /** Ids of the teams the person belongs to, sorted. */
  readonly teams: readonly string[];
  readonly createdAt: Date;
}

/** A service client (realm `services`). The secret hash never leaves the store. */
export interface Client {
  readonly id: string;
  readonly teamId: string;
  readonly name: string;
  readonly description: string;
  /** Confidential clients authenticate with a secret; public ones only with a redirect URI. */
  readonly confidential: boolean;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly createdBy: string;
  /** When the current secret was issued; undefined for public clients. */
  readonly secretRotatedAt?: Date;
}

/** A client with its secret, which exists only in the answer to a create or a rotation. */
export interface ClientWithSecret {
  readonly client: Client;
  /** 256 random bits, base64url (43 characters); undefined for public clients. */
  readonly secret?: string;
}

/** One page of a keyset-paged list; `nextCursor` is undefined on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface PageRequest {
  /** Default 50, at most 500. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface CreateTeamInput {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly awsAccounts?: readonly string[];
}

export interface UpdateTeamInput {
  readonly name?: string;
  /** `null` removes the description. */
  readonly description?: string | null;
  /** Replaces the whole list. */
  readonly awsAccounts?: readonly string[];
}

export interface CreateUserInput {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
  readonly scopes?: readonly string[];
  readonly disabled?: boolean;
}

export interface UpdateUserInput {
  readonly name?: string;
  readonly email?: string;
  readonly password?: string;
  /** When given, must match the stored password before anything changes. */
  readonly currentPassword?: string;
  readonly scopes?: readonly string[];
  readonly disabled?: boolean;
}

export interface CreateClientInput {
  readonly id: string;
  readonly teamId: string;
  readonly name: string;
  readonly description?: string;
  readonly confidential: boolean;
  readonly redirectUris?: readonly string[];
  readonly scopes?: readonly string[];
}

export interface UpdateClientInput {
  readonly name?: string;
  readonly description?: string;
  readonly redirectUris?: readonly string[];
  readonly scopes?: readonly string[];
}

export interface ListTeamsRequest extends PageRequest {
  /** Only teams this user belongs to. */
  readonly member?: string;
}

export interface ListClientsRequest extends PageRequest {
  /** Only clients of this team. */
  readonly team?: string;
  /** Only clients of these teams; undefined means every team. The authorized service sets it. */
  readonly visibleTeams?: readonly string[];
}

/** What a successful password login establishes. */
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

export interface BootstrapOptions {
  /** The password of the first administrator, `admin`; at least 12 characters. */
  readonly adminPassword: string;
  /** Redirect URIs of the public client `charter-cli`. */
  readonly cliRedirectUris: readonly string[];
  /** Default `admin@charter.invalid`. */
  readonly adminEmail?: string;
}

import { sql } from "kysely";
import {
  type AuditSink,
  type Clock,
  CoreErrors,
  type Principal,
  type Realm,
  SYSTEM_ACTOR,
  systemClock,
} from "../core/index.js";
import type { Database } from "../db/index.js";
import { generateClientSecret, hashClientSecret, verifyClientSecret } from "./client-secret.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { IdentityErrors } from "./errors.js";
import { LoginThrottle } from "./login-throttle.js";
import { PasswordHasher } from "./password-hasher.js";
import { checkRedirectUri } from "./redirect-uri.js";
import type { ScopeCatalog } from "./scope-catalog.js";
import { IdentityStore } from "./store.js";
import type {
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

/** The team that operates Charter, made on first start. */
export const PLATFORM_TEAM_ID = "platform";
/** The first administrator, made on first start. */
export const ADMIN_USER_ID = "admin";
/** The public client the command line logs in with, made on first start. */
export const CLI_CLIENT_ID = "charter-cli";

/**
 * Client ids Charter itself owns (`charter-cli`, `charter-console`). Nobody creates them through the
 * API, only admins change them, and they are first-party: a person logging in through one gets the
 * scopes the person holds, where any other client gets at most the scopes it was granted.
 */
export const SYSTEM_CLIENT_PREFIX = "charter-";

export function isSystemClientId(id: string): boolean {
  return id.startsWith(SYSTEM_CLIENT_PREFIX);
}
/** The scopes the first administrator holds; the tokens part must know them. */
export const BOOTSTRAP_ADMIN_SCOPES: readonly string[] = ["charter.admin", "charter.audit"];

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const AWS_ACCOUNT = /^[0-9]{12}$/;

export interface IdentityServiceOptions {
  readonly db: Database;
  /** Receives one record per change, on the change's transaction. */
  readonly audit: AuditSink;
  /** Decides which scopes exist, so that only those can be granted. */
  readonly scopes: ScopeCatalog;
  /** Default the system clock. */
  readonly clock?: Clock;
  /** Default scrypt with N = 2^15, r = 8, p = 3; tests pass cheaper parameters. */
  readonly passwords?: PasswordHasher;
  /**
   * Told after a client's secret, scopes or existence changed and the change committed, so caches
   * of client authentications (the token endpoint's) can forget it at once.
   */
  readonly onClientChanged?: (clientId: string) => void;
  /**
   * Told after a change that must end the tokens a subject already holds (a person disabled or
   * deprived of a scope; a client deleted or deprived of a scope), once the change committed. The
   * server revokes them.
   */
  readonly onSubjectInvalidated?: (subject: { readonly realm: Realm; readonly sub: string }) => void;
}

function pageSize(request: PageRequest): number {
  const limit = request.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw CoreErrors.CORE_VALIDATION_FAILED(`limit must be 1..${MAX_PAGE_SIZE}, got ${limit}`, {
      field: "limit",
    });
  }
  return limit;
}

function after(request: PageRequest): { after?: string } {
  return request.cursor === undefined ? {} : { after: decodeCursor(request.cursor) };
}

/** Cuts the one extra row a store query fetched into the next page's cursor. */
function toPage<T extends { readonly id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(items[items.length - 1]!.id) };
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function withoutSecrets<T extends object>(input: T): Partial<T> {
  const {
    password: _p,
    currentPassword: _c,
    ...rest
  } = input as T & {
    password?: unknown;
    currentPassword?: unknown;
  };
  return rest as Partial<T>;
}

/**
 * Teams, people, service clients, memberships and AWS accounts, and the checks of passwords and
 * client secrets. It enforces the rules of the data; who may call what is decided by
 * `AuthorizedIdentityService`, which wraps it.
 */
export class IdentityService {
  readonly #store: IdentityStore;
  readonly #audit: AuditSink;
  readonly #scopes: ScopeCatalog;
  readonly #clock: Clock;
  readonly #passwords: PasswordHasher;
  readonly #onClientChanged: (clientId: string) => void;
  readonly #logins: LoginThrottle;
  readonly #onSubjectInvalidated: (subject: { readonly realm: Realm; readonly sub: string }) => void;

  constructor(options: IdentityServiceOptions) {
    this.#onSubjectInvalidated = options.onSubjectInvalidated ?? (() => {});
    this.#onClientChanged = options.onClientChanged ?? (() => {});
    this.#store = new IdentityStore(options.db);
    this.#audit = options.audit;
    this.#scopes = options.scopes;
    this.#clock = options.clock ?? systemClock;
    this.#passwords = options.passwords ?? new PasswordHasher();
    this.#logins = new LoginThrottle({ clock: this.#clock });
  }

  // Teams

  async createTeam(change: ChangeContext, input: CreateTeamInput): Promise<TeamDetails> {
    const awsAccounts = this.#checkAwsAccounts(input.awsAccounts ?? []);
    const now = this.#clock.now();
    return this.#store.transaction(async (store, tx) => {
      const inserted = await store.insertTeam({
        id: input.id,
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        createdAt: now,
        createdBy: change.actor.sub,
        modifiedAt: now,
      });
      if (!inserted) throw IdentityErrors.IDENTITY_TEAM_EXISTS(`team "${input.id}" already exists`);
      await this.#assignAwsAccounts(store, input.id, awsAccounts);
      await this.#record(tx, change, "team.create", `team/${input.id}`, input);
      return this.#teamDetails(store, input.id);
    });
  }

  /** Throws `IDENTITY_TEAM_NOT_FOUND`. */
  async getTeam(id: string): Promise<TeamDetails> {
    return this.#teamDetails(this.#store, id);
  }

  async listTeams(request: ListTeamsRequest = {}): Promise<Page<Team>> {
    const limit = pageSize(request);
    const rows = await this.#store.listTeams({
      ...after(request),
      limit: limit + 1,
      ...(request.member === undefined ? {} : { member: request.member }),
    });
    return toPage(rows, limit);
  }

  async updateTeam(change: ChangeContext, id: string, input: UpdateTeamInput): Promise<TeamDetails> {
    const awsAccounts =
      input.awsAccounts === undefined ? undefined : this.#checkAwsAccounts(input.awsAccounts);
    return this.#store.transaction(async (store, tx) => {
      await this.#lockTeam(store, id);
      await store.updateTeam(id, input, this.#clock.now());
      if (awsAccounts !== undefined) await this.#assignAwsAccounts(store, id, awsAccounts);
      await this.#record(tx, change, "team.update", `team/${id}`, input);
      return this.#teamDetails(store, id);
    });
  }

  /** Throws `IDENTITY_TEAM_NOT_EMPTY` while the team has members or clients. */
  async deleteTeam(change: ChangeContext, id: string): Promise<void> {
    await this.#store.transaction(async (store, tx) => {
      await this.#lockTeam(store, id);
      const { members, clients } = await store.countTeamDependents(id);
      if (members > 0 || clients > 0) {
        throw IdentityErrors.IDENTITY_TEAM_NOT_EMPTY(
          `team "${id}" still has ${members} member(s) and ${clients} client(s); remove them first`,
          { members, clients },
        );
      }
      await store.deleteTeam(id);
      await this.#record(tx, change, "team.delete", `team/${id}`, undefined);
    });
  }

  /** Adds the user to the team; false, and no audit record, when they already belonged to it. */
  async addMember(change: ChangeContext, teamId: string, userId: string): Promise<boolean> {
    return this.#store.transaction(async (store, tx) => {
      await this.#lockTeam(store, teamId);
      if ((await store.findUserCredentials(userId)) === undefined) throw this.#userNotFound(userId);
      const now = this.#clock.now();
      if (!(await store.addMember(teamId, userId, now))) return false;
      await store.updateTeam(teamId, {}, now);
      await this.#record(tx, change, "team.member.add", `team/${teamId}`, { user: userId });
      return true;
    });
  }

  /** Throws `IDENTITY_MEMBER_NOT_FOUND` when the user does not belong to the team. */
  async removeMember(change: ChangeContext, teamId: string, userId: string): Promise<void> {
    await this.#store.transaction(async (store, tx) => {
      await this.#lockTeam(store, teamId);
      if (!(await store.removeMember(teamId, userId))) {
        throw IdentityErrors.IDENTITY_MEMBER_NOT_FOUND(
          `user "${userId}" is not a member of team "${teamId}"`,
        );
      }
      await store.updateTeam(teamId, {}, this.#clock.now());
      await this.#record(tx, change, "team.member.remove", `team/${teamId}`, { user: userId });
    });
  }

  /** The team that owns the AWS account, if any. */
  async teamOfAwsAccount(accountId: string): Promise<string | undefined> {
    return this.#store.teamOfAwsAccount(accountId);
  }

  // People

  async createUser(change: ChangeContext, input: CreateUserInput): Promise<User> {
    const scopes = await this.#checkScopes(input.scopes ?? []);
    const passwordHash = await this.#passwords.hash(input.password);
    return this.#store.transaction(async (store, tx) => {
      const inserted = await store.insertUser({
        id: input.id,
        name: input.name,
        email: input.email,
        passwordHash,
        scopes,
        disabled: input.disabled ?? false,
        createdAt: this.#clock.now(),
      });
      if (!inserted) throw IdentityErrors.IDENTITY_USER_EXISTS(`user "${input.id}" already exists`);
      await this.#record(tx, change, "user.create", `user/${input.id}`, input);
      return (await store.findUser(input.id))!;
    });
  }

  /** Throws `IDENTITY_USER_NOT_FOUND`. */
  async getUser(id: string): Promise<User> {
    const user = await this.#store.findUser(id);
    if (user === undefined) throw this.#userNotFound(id);
    return user;
  }

  async listUsers(request: PageRequest = {}): Promise<Page<User>> {
    const limit = pageSize(request);
    return toPage(await this.#store.listUsers({ ...after(request), limit: limit + 1 }), limit);
  }

  /**
   * Changes a person. When `currentPassword` is given it must match before anything changes
   * (`IDENTITY_CURRENT_PASSWORD_WRONG`); whether it is required is the caller's rule.
   */
  async updateUser(change: ChangeContext, id: string, input: UpdateUserInput): Promise<User> {
    if (input.currentPassword !== undefined) {
      const credentials = await this.#store.findUserCredentials(id);
      if (credentials === undefined) throw this.#userNotFound(id);
      const currentPassword = input.currentPassword;
      const matches = await this.#logins.attempt(id, async () => {
        const ok = await this.#passwords.verify(currentPassword, credentials.passwordHash);
        return { ok, value: true };
      });
      if (matches === undefined) {
        throw IdentityErrors.IDENTITY_CURRENT_PASSWORD_WRONG(
          `current password of user "${id}" does not match`,
        );
      }
    }
    const scopes = input.scopes === undefined ? undefined : await this.#checkScopes(input.scopes);
    const passwordHash =
      input.password === undefined ? undefined : await this.#passwords.hash(input.password);
    let invalidated = false;
    const user = await this.#store.transaction(async (store, tx) => {
      const before = await store.findUser(id);
      if (before !== undefined) {
        invalidated =
          (input.disabled === true && !before.disabled) ||
          (scopes !== undefined && before.scopes.some((scope) => !scopes.includes(scope)));
      }
      const updated = await store.updateUser(
        id,
        {
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.email === undefined ? {} : { email: input.email }),
          ...(passwordHash === undefined ? {} : { passwordHash }),
          ...(scopes === undefined ? {} : { scopes }),
          ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
        },
        this.#clock.now(),
      );
      if (!updated) throw this.#userNotFound(id);
      await this.#record(tx, change, "user.update", `user/${id}`, input);
      return (await store.findUser(id))!;
    });
    if (invalidated) this.#onSubjectInvalidated({ realm: "employees", sub: id });
    return user;
  }

  /**
   * Checks a person's password. Throws `IDENTITY_INVALID_CREDENTIALS` alike for an unknown user, a
   * wrong password and a disabled user, after the same amount of work, so neither the answer nor
   * its timing tells which.
   */
  async authenticatePerson(userId: string, password: string): Promise<AuthenticatedPerson> {
    const person = await this.#logins.attempt(userId, async () => {
      const credentials = await this.#store.findUserCredentials(userId);
      const matches =
        credentials === undefined
          ? await this.#passwords.verifyDummy(password)
          : await this.#passwords.verify(password, credentials.passwordHash);
      const ok = credentials !== undefined && matches && !credentials.disabled;
      return { ok, value: ok ? { id: credentials.id, scopes: credentials.scopes } : undefined };
    });
    if (person === undefined) {
      throw IdentityErrors.IDENTITY_INVALID_CREDENTIALS("the user id or the password is wrong");
    }
    return person;
  }

  // Clients

  /** Makes a client; a confidential one gets a secret, returned here and never again. */
  async createClient(change: ChangeContext, input: CreateClientInput): Promise<ClientWithSecret> {
    const scopes = await this.#checkScopes(input.scopes ?? []);
    const redirectUris = this.#checkRedirectUris(input.redirectUris ?? []);
    const secret = input.confidential ? generateClientSecret() : undefined;
    const now = this.#clock.now();
    return this.#store.transaction(async (store, tx) => {
      // A key-share lock, like the foreign key's, makes a concurrent deleteTeam wait and then see
      // this client.
      if (!(await store.shareLockTeam(input.teamId))) throw this.#teamNotFound(input.teamId);
      const inserted = await store.insertClient({
        id: input.id,
        teamId: input.teamId,
        name: input.name,
        description: input.description ?? "",
        confidential: input.confidential,
        secretHash: secret === undefined ? null : hashClientSecret(secret),
        redirectUris,
        scopes,
        createdAt: now,
        createdBy: change.actor.sub,
        ...(secret === undefined ? {} : { secretRotatedAt: now }),
      });
      if (!inserted) throw IdentityErrors.IDENTITY_CLIENT_EXISTS(`client "${input.id}" already exists`);
      await this.#record(tx, change, "client.create", `client/${input.id}`, input);
      const client = (await store.findClient(input.id))!;
      return secret === undefined ? { client } : { client, secret };
    });
  }

  /** Throws `IDENTITY_CLIENT_NOT_FOUND`. */
  async getClient(id: string): Promise<Client> {
    const client = await this.#store.findClient(id);
    if (client === undefined) throw this.#clientNotFound(id);
    return client;
  }

  async listClients(request: ListClientsRequest = {}): Promise<Page<Client>> {
    const limit = pageSize(request);
    const rows = await this.#store.listClients({
      ...after(request),
      limit: limit + 1,
      ...(request.team === undefined ? {} : { team: request.team }),
      ...(request.visibleTeams === undefined ? {} : { teams: request.visibleTeams }),
    });
    return toPage(rows, limit);
  }

  async updateClient(change: ChangeContext, id: string, input: UpdateClientInput): Promise<Client> {
    const scopes = input.scopes === undefined ? undefined : await this.#checkScopes(input.scopes);
    const redirectUris =
      input.redirectUris === undefined ? undefined : this.#checkRedirectUris(input.redirectUris);
    let invalidated = false;
    const client = await this.#store.transaction(async (store, tx) => {
      const before = await store.findClient(id);
      invalidated =
        before !== undefined && scopes !== undefined && before.scopes.some((s) => !scopes.includes(s));
      const updated = await store.updateClient(
        id,
        {
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(redirectUris === undefined ? {} : { redirectUris }),
          ...(scopes === undefined ? {} : { scopes }),
        },
        this.#clock.now(),
      );
      if (!updated) throw this.#clientNotFound(id);
      await this.#record(tx, change, "client.update", `client/${id}`, input);
      return (await store.findClient(id))!;
    });
    this.#onClientChanged(id);
    if (invalidated) this.#onSubjectInvalidated({ realm: "services", sub: id });
    return client;
  }

  /** Tokens already issued to the client are revoked through `onSubjectInvalidated`. */
  async deleteClient(change: ChangeContext, id: string): Promise<void> {
    await this.#store.transaction(async (store, tx) => {
      if (!(await store.deleteClient(id))) throw this.#clientNotFound(id);
      await this.#record(tx, change, "client.delete", `client/${id}`, undefined);
    });
    this.#onClientChanged(id);
    // A later client of the same id must not inherit the deleted one's live tokens.
    this.#onSubjectInvalidated({ realm: "services", sub: id });
  }

  /**
   * Replaces a confidential client's secret; the old one stops working at once. Throws
   * `IDENTITY_CLIENT_NOT_CONFIDENTIAL` for a public client.
   */
  async rotateClientSecret(change: ChangeContext, id: string): Promise<ClientWithSecret> {
    const rotated = await this.#store.transaction(async (store, tx) => {
      const current = await store.findClient(id);
      if (current === undefined) throw this.#clientNotFound(id);
      if (!current.confidential) {
        throw IdentityErrors.IDENTITY_CLIENT_NOT_CONFIDENTIAL(`client "${id}" is public and has no secret`);
      }
      const secret = generateClientSecret();
      const now = this.#clock.now();
      await store.updateClient(id, { secretHash: hashClientSecret(secret), secretRotatedAt: now }, now);
      await this.#record(tx, change, "client.secret.rotate", `client/${id}`, undefined);
      return { client: (await store.findClient(id))!, secret };
    });
    this.#onClientChanged(id);
    return rotated;
  }

  /**
   * Checks a client's credentials: a confidential client needs its secret, a public client must
   * send none. Throws `IDENTITY_INVALID_CLIENT` alike for every failure.
   */
  async authenticateClient(clientId: string, secret: string | undefined): Promise<AuthenticatedClient> {
    const found = await this.#store.findClientCredentials(clientId);
    const valid =
      found !== undefined &&
      (found.secretHash === null
        ? secret === undefined
        : secret !== undefined && verifyClientSecret(secret, found.secretHash));
    if (!valid) {
      throw IdentityErrors.IDENTITY_INVALID_CLIENT(`client "${clientId}" could not be authenticated`);
    }
    const { client } = found;
    return {
      id: client.id,
      teamId: client.teamId,
      confidential: client.confidential,
      redirectUris: client.redirectUris,
      scopes: client.scopes,
    };
  }

  // Principals

  /**
   * The teams a principal acts for: a person's teams (none while disabled), or the team owning a
   * service's client.
   */
  async teamsOf(principal: Principal): Promise<string[]> {
    if (principal.realm === "services") {
      const client = await this.#store.findClient(principal.sub);
      return client === undefined ? [] : [client.teamId];
    }
    return this.#store.teamsOfActiveUser(principal.sub);
  }

  async teamExists(teamId: string): Promise<boolean> {
    return (await this.#store.findTeam(teamId)) !== undefined;
  }

  async isMember(principal: Principal, teamId: string): Promise<boolean> {
    return (await this.teamsOf(principal)).includes(teamId);
  }

  /** How many people and clients hold the scope; the tokens part refuses to delete a held scope. */
  async countScopeGrants(scope: string): Promise<number> {
    return this.#store.countScopeGrants(scope);
  }

  /**
   * On first start, makes team `platform`, its member `admin` (scopes `charter.admin` and
   * `charter.audit`) with the given password, and the public client `charter-cli`. Does nothing
   * once `admin` exists; replicas starting together take turns on an advisory lock.
   */
  async bootstrap(options: BootstrapOptions): Promise<{ created: boolean }> {
    if ((await this.#store.findUserCredentials(ADMIN_USER_ID)) !== undefined) return { created: false };
    const passwordHash = await this.#passwords.hash(options.adminPassword);
    const redirectUris = this.#checkRedirectUris(options.cliRedirectUris);
    const change: ChangeContext = { actor: SYSTEM_ACTOR };
    return this.#store.transaction(async (store, tx) => {
      await sql`select pg_advisory_xact_lock(hashtext('charter.identity.bootstrap'))`.execute(tx);
      if ((await store.findUserCredentials(ADMIN_USER_ID)) !== undefined) return { created: false };
      const now = this.#clock.now();
      const team = { id: PLATFORM_TEAM_ID, name: "Platform", description: "Operates Charter" };
      if (await store.insertTeam({ ...team, createdAt: now, createdBy: SYSTEM_ACTOR.sub, modifiedAt: now })) {
        await this.#record(tx, change, "team.create", `team/${team.id}`, team);
      }
      const admin = {
        id: ADMIN_USER_ID,
        name: "Administrator",
        email: options.adminEmail ?? "admin@charter.invalid",
        scopes: [...BOOTSTRAP_ADMIN_SCOPES],
        disabled: false,
      };
      await store.insertUser({ ...admin, passwordHash, createdAt: now });
      await this.#record(tx, change, "user.create", `user/${admin.id}`, admin);
      await store.addMember(PLATFORM_TEAM_ID, ADMIN_USER_ID, now);
      await this.#record(tx, change, "team.member.add", `team/${PLATFORM_TEAM_ID}`, { user: ADMIN_USER_ID });
      const cli = {
        id: CLI_CLIENT_ID,
        teamId: PLATFORM_TEAM_ID,
        name: "Charter command line",
        description: "The public client `charter` logs in with.",
        confidential: false,
        redirectUris,
        scopes: [],
      };
      if (
        await store.insertClient({ ...cli, secretHash: null, createdAt: now, createdBy: SYSTEM_ACTOR.sub })
      ) {
        await this.#record(tx, change, "client.create", `client/${cli.id}`, cli);
      }
      return { created: true };
    });
  }

  /**
   * Makes sure the public client `id`, owned by the platform team, exists with exactly these
   * redirect URIs: the clients Charter itself serves (the web console), whose redirect URI follows
   * the configured public URL. Idempotent, so every start may call it; only a change is written and
   * audited (as the system). Throws `IDENTITY_CLIENT_EXISTS` when `id` is a confidential client and
   * `IDENTITY_REDIRECT_URI_INVALID` for a URI no authorization server may redirect to.
   */
  async ensurePublicClient(
    id: string,
    name: string,
    redirectUris: readonly string[],
  ): Promise<"created" | "updated" | "unchanged"> {
    const uris = this.#checkRedirectUris(redirectUris);
    const change: ChangeContext = { actor: SYSTEM_ACTOR };
    const outcome = await this.#store.transaction(async (store, tx) => {
      // Replicas starting together would otherwise both insert, or both audit the same update.
      await sql`select pg_advisory_xact_lock(hashtext(${`charter.identity.client.${id}`}))`.execute(tx);
      const now = this.#clock.now();
      const current = await store.findClient(id);
      if (current === undefined) {
        const client = {
          id,
          teamId: PLATFORM_TEAM_ID,
          name,
          description: "",
          confidential: false,
          redirectUris: uris,
          scopes: [],
        };
        await store.insertClient({
          ...client,
          secretHash: null,
          createdAt: now,
          createdBy: SYSTEM_ACTOR.sub,
        });
        await this.#record(tx, change, "client.create", `client/${id}`, client);
        return "created" as const;
      }
      if (current.confidential || current.teamId !== PLATFORM_TEAM_ID) {
        throw IdentityErrors.IDENTITY_CLIENT_EXISTS(
          `client "${id}" exists and is not Charter's own public client; delete it and restart`,
        );
      }
      const same =
        current.redirectUris.length === uris.length &&
        uris.every((uri) => current.redirectUris.includes(uri));
      if (same) return "unchanged" as const;
      await store.updateClient(id, { redirectUris: uris }, now);
      await this.#record(tx, change, "client.update", `client/${id}`, { redirectUris: uris });
      return "updated" as const;
    });
    if (outcome === "updated") this.#onClientChanged(id);
    return outcome;
  }

  // Steps shared by the changes above

  async #record(
    tx: Database,
    change: ChangeContext,
    action: string,
    target: string,
    input: object | undefined,
  ): Promise<void> {
    const body = change.body !== undefined ? change.body : input && withoutSecrets(input);
    await this.#audit.append(tx, {
      actor: change.actor,
      action,
      target,
      ...(body === undefined ? {} : { body }),
    });
  }

  async #teamDetails(store: IdentityStore, id: string): Promise<TeamDetails> {
    const team = await store.findTeam(id);
    if (team === undefined) throw this.#teamNotFound(id);
    return { ...team, members: await store.membersOf(id) };
  }

  async #lockTeam(store: IdentityStore, id: string): Promise<void> {
    if (!(await store.lockTeam(id))) throw this.#teamNotFound(id);
  }

  async #assignAwsAccounts(store: IdentityStore, teamId: string, accounts: string[]): Promise<void> {
    const taken = await store.replaceAwsAccounts(teamId, accounts);
    if (taken.length > 0) {
      throw IdentityErrors.IDENTITY_AWS_ACCOUNT_TAKEN(
        `AWS account(s) ${taken.join(", ")} already belong to another team`,
        { aws_accounts: taken },
      );
    }
  }

  #checkAwsAccounts(accounts: readonly string[]): string[] {
    const bad = accounts.find((a) => !AWS_ACCOUNT.test(a));
    if (bad !== undefined) {
      throw CoreErrors.CORE_VALIDATION_FAILED(`AWS account id "${bad}" is not 12 digits`, {
        field: "aws_accounts",
      });
    }
    return sortedUnique(accounts);
  }

  async #checkScopes(scopes: readonly string[]): Promise<string[]> {
    const wanted = sortedUnique(scopes);
    if (wanted.length === 0) return wanted;
    const unknown = await this.#scopes.unknownScopes(wanted);
    if (unknown.length > 0) {
      throw IdentityErrors.IDENTITY_UNKNOWN_SCOPE(`scope(s) ${unknown.join(", ")} do not exist`, {
        scopes: unknown,
      });
    }
    return wanted;
  }

  #checkRedirectUris(uris: readonly string[]): string[] {
    for (const uri of uris) checkRedirectUri(uri);
    return [...new Set(uris)];
  }

  #teamNotFound(id: string) {
    return IdentityErrors.IDENTITY_TEAM_NOT_FOUND(`team "${id}" does not exist`);
  }

  #userNotFound(id: string) {
    return IdentityErrors.IDENTITY_USER_NOT_FOUND(`user "${id}" does not exist`);
  }

  #clientNotFound(id: string) {
    return IdentityErrors.IDENTITY_CLIENT_NOT_FOUND(`client "${id}" does not exist`);
  }
}

import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import type { Database } from "../db/index.js";
import type { Client, Team, User } from "./types.js";

interface TeamsTable {
  id: string;
  name: string;
  description: string | null;
  created_at: Date;
  created_by: string;
  modified_at: Date;
}

interface TeamAwsAccountsTable {
  account_id: string;
  team_id: string;
}

interface UsersTable {
  id: string;
  name: string;
  email: string;
  password_hash: string;
  scopes: string[];
  disabled: boolean;
  created_at: Date;
  modified_at: Date;
}

interface TeamMembersTable {
  team_id: string;
  user_id: string;
  added_at: Date;
}

interface ClientsTable {
  id: string;
  team_id: string;
  name: string;
  description: string;
  confidential: boolean;
  secret_hash: string | null;
  redirect_uris: string[];
  scopes: string[];
  created_at: Date;
  created_by: string;
  modified_at: Date;
  secret_rotated_at: Date | null;
}

/** The tables of migration 0001_identity. */
export interface IdentityTables {
  teams: TeamsTable;
  team_aws_accounts: TeamAwsAccountsTable;
  users: UsersTable;
  team_members: TeamMembersTable;
  clients: ClientsTable;
}

/** A keyset page request as the store sees it: rows with ids after `after`, at most `limit`. */
export interface KeysetRequest {
  readonly after?: string;
  readonly limit: number;
}

export interface UserCredentials {
  readonly id: string;
  readonly passwordHash: string;
  readonly disabled: boolean;
  readonly scopes: readonly string[];
}

export interface ClientCredentials {
  readonly client: Client;
  readonly secretHash: string | null;
}

export type NewTeam = Omit<Team, "awsAccounts">;
export interface NewUser extends Omit<User, "teams"> {
  readonly passwordHash: string;
}
export interface NewClient extends Client {
  readonly secretHash: string | null;
}

export interface TeamChanges {
  readonly name?: string;
  readonly description?: string | null;
}

export interface UserChanges {
  readonly name?: string;
  readonly email?: string;
  readonly passwordHash?: string;
  readonly scopes?: readonly string[];
  readonly disabled?: boolean;
}

export interface ClientChanges {
  readonly name?: string;
  readonly description?: string;
  readonly redirectUris?: readonly string[];
  readonly scopes?: readonly string[];
  readonly secretHash?: string;
  readonly secretRotatedAt?: Date;
}

type TeamRow = TeamsTable & { aws_accounts: string[] };
type UserRow = Omit<UsersTable, "password_hash" | "modified_at"> & { teams: string[] };

const awsAccountsOfTeam = sql<string[]>`array(
  select a.account_id from team_aws_accounts a where a.team_id = teams.id order by a.account_id)`;
const teamsOfUser = sql<string[]>`array(
  select m.team_id from team_members m where m.user_id = users.id order by m.team_id)`;

function toTeam(row: TeamRow): Team {
  return {
    id: row.id,
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    awsAccounts: row.aws_accounts,
    createdAt: row.created_at,
    createdBy: row.created_by,
    modifiedAt: row.modified_at,
  };
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    scopes: row.scopes,
    disabled: row.disabled,
    teams: row.teams,
    createdAt: row.created_at,
  };
}

function toClient(row: Omit<ClientsTable, "secret_hash" | "modified_at">): Client {
  return {
    id: row.id,
    teamId: row.team_id,
    name: row.name,
    description: row.description,
    confidential: row.confidential,
    redirectUris: row.redirect_uris,
    scopes: row.scopes,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.secret_rotated_at === null ? {} : { secretRotatedAt: row.secret_rotated_at }),
  };
}

function holds(column: "users.scopes" | "clients.scopes", scope: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} @> array[${scope}]::text[]`;
}

const CLIENT_COLUMNS = [
  "clients.id",
  "clients.team_id",
  "clients.name",
  "clients.description",
  "clients.confidential",
  "clients.redirect_uris",
  "clients.scopes",
  "clients.created_at",
  "clients.created_by",
  "clients.secret_rotated_at",
] as const;

/**
 * The only code that reads or writes identity's tables. Every method runs on the executor the
 * store was made with, so a store made inside a transaction writes inside it.
 */
export class IdentityStore {
  readonly #db: Kysely<IdentityTables>;

  constructor(db: Database) {
    this.#db = db as Kysely<IdentityTables>;
  }

  /** Runs `work` in one transaction, with a store and the raw transaction (for the audit sink). */
  transaction<T>(work: (store: IdentityStore, tx: Database) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((tx) => work(new IdentityStore(tx), tx));
  }

  // Teams

  /** False when a team with the id exists. */
  async insertTeam(team: NewTeam): Promise<boolean> {
    const inserted = await this.#db
      .insertInto("teams")
      .values({
        id: team.id,
        name: team.name,
        description: team.description ?? null,
        created_at: team.createdAt,
        created_by: team.createdBy,
        modified_at: team.modifiedAt,
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async findTeam(id: string): Promise<Team | undefined> {
    const row = await this.#db
      .selectFrom("teams")
      .selectAll("teams")
      .select(awsAccountsOfTeam.as("aws_accounts"))
      .where("teams.id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : toTeam(row);
  }

  /** Locks the team's row until the transaction ends; false when there is no such team. */
  async lockTeam(id: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom("teams")
      .select("id")
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Takes the weak lock a foreign key takes on the team's row: others may still add to the team,
   * but deleting it waits for this transaction. False when there is no such team.
   */
  async shareLockTeam(id: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom("teams")
      .select("id")
      .where("id", "=", id)
      .forKeyShare()
      .executeTakeFirst();
    return row !== undefined;
  }

  async listTeams(request: KeysetRequest & { readonly member?: string }): Promise<Team[]> {
    let query = this.#db
      .selectFrom("teams")
      .selectAll("teams")
      .select(awsAccountsOfTeam.as("aws_accounts"))
      .orderBy("teams.id")
      .limit(request.limit);
    if (request.after !== undefined) query = query.where("teams.id", ">", request.after);
    if (request.member !== undefined) {
      const member = request.member;
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom("team_members as m")
            .select("m.user_id")
            .whereRef("m.team_id", "=", "teams.id")
            .where("m.user_id", "=", member),
        ),
      );
    }
    return (await query.execute()).map(toTeam);
  }

  async updateTeam(id: string, changes: TeamChanges, modifiedAt: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable("teams")
      .set({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
        modified_at: modifiedAt,
      })
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteTeam(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom("teams").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async countTeamDependents(id: string): Promise<{ members: number; clients: number }> {
    const { rows } = await sql<{ members: number; clients: number }>`select
      (select count(*)::int from team_members where team_id = ${id}) as members,
      (select count(*)::int from clients where team_id = ${id}) as clients`.execute(this.#db);
    return rows[0] ?? { members: 0, clients: 0 };
  }

  /**
   * Makes `accounts` the team's whole list. Returns the accounts another team holds, which were
   * not assigned; the caller rolls back when there are any.
   */
  async replaceAwsAccounts(teamId: string, accounts: readonly string[]): Promise<string[]> {
    await this.#db.deleteFrom("team_aws_accounts").where("team_id", "=", teamId).execute();
    if (accounts.length === 0) return [];
    const inserted = await this.#db
      .insertInto("team_aws_accounts")
      .values(accounts.map((account_id) => ({ account_id, team_id: teamId })))
      .onConflict((oc) => oc.column("account_id").doNothing())
      .returning("account_id")
      .execute();
    const assigned = new Set(inserted.map((r) => r.account_id));
    return accounts.filter((a) => !assigned.has(a));
  }

  async teamOfAwsAccount(accountId: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom("team_aws_accounts")
      .select("team_id")
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    return row?.team_id;
  }

  async membersOf(teamId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom("team_members")
      .select("user_id")
      .where("team_id", "=", teamId)
      .orderBy("user_id")
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** False when the user already belongs to the team. */
  async addMember(teamId: string, userId: string, at: Date): Promise<boolean> {
    const inserted = await this.#db
      .insertInto("team_members")
      .values({ team_id: teamId, user_id: userId, added_at: at })
      .onConflict((oc) => oc.columns(["team_id", "user_id"]).doNothing())
      .returning("user_id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async removeMember(teamId: string, userId: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom("team_members")
      .where("team_id", "=", teamId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Teams of an enabled user; a disabled user belongs to none, so loses write access at once. */
  async teamsOfActiveUser(userId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom("team_members as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select("m.team_id")
      .where("m.user_id", "=", userId)
      .where("u.disabled", "=", false)
      .orderBy("m.team_id")
      .execute();
    return rows.map((r) => r.team_id);
  }

  // Users

  /** False when a user with the id exists. */
  async insertUser(user: NewUser): Promise<boolean> {
    const inserted = await this.#db
      .insertInto("users")
      .values({
        id: user.id,
        name: user.name,
        email: user.email,
        password_hash: user.passwordHash,
        scopes: [...user.scopes],
        disabled: user.disabled,
        created_at: user.createdAt,
        modified_at: user.createdAt,
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async findUser(id: string): Promise<User | undefined> {
    const row = await this.#db
      .selectFrom("users")
      .select(["id", "name", "email", "scopes", "disabled", "created_at"])
      .select(teamsOfUser.as("teams"))
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : toUser(row);
  }

  async findUserCredentials(id: string): Promise<UserCredentials | undefined> {
    const row = await this.#db
      .selectFrom("users")
      .select(["id", "password_hash", "disabled", "scopes"])
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : { id: row.id, passwordHash: row.password_hash, disabled: row.disabled, scopes: row.scopes };
  }

  async listUsers(request: KeysetRequest): Promise<User[]> {
    let query = this.#db
      .selectFrom("users")
      .select(["id", "name", "email", "scopes", "disabled", "created_at"])
      .select(teamsOfUser.as("teams"))
      .orderBy("id")
      .limit(request.limit);
    if (request.after !== undefined) query = query.where("id", ">", request.after);
    return (await query.execute()).map(toUser);
  }

  async updateUser(id: string, changes: UserChanges, modifiedAt: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable("users")
      .set({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.email === undefined ? {} : { email: changes.email }),
        ...(changes.passwordHash === undefined ? {} : { password_hash: changes.passwordHash }),
        ...(changes.scopes === undefined ? {} : { scopes: [...changes.scopes] }),
        ...(changes.disabled === undefined ? {} : { disabled: changes.disabled }),
        modified_at: modifiedAt,
      })
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  // Clients

  /** False when a client with the id exists. */
  async insertClient(client: NewClient): Promise<boolean> {
    const inserted = await this.#db
      .insertInto("clients")
      .values({
        id: client.id,
        team_id: client.teamId,
        name: client.name,
        description: client.description,
        confidential: client.confidential,
        secret_hash: client.secretHash,
        redirect_uris: [...client.redirectUris],
        scopes: [...client.scopes],
        created_at: client.createdAt,
        created_by: client.createdBy,
        modified_at: client.createdAt,
        secret_rotated_at: client.secretRotatedAt ?? null,
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async findClient(id: string): Promise<Client | undefined> {
    const row = await this.#db
      .selectFrom("clients")
      .select(CLIENT_COLUMNS)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : toClient(row);
  }

  async findClientCredentials(id: string): Promise<ClientCredentials | undefined> {
    const row = await this.#db
      .selectFrom("clients")
      .select(CLIENT_COLUMNS)
      .select("secret_hash")
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : { client: toClient(row), secretHash: row.secret_hash };
  }

  /** `teams` restricts the result to clients of those teams; undefined means every team. */
  async listClients(
    request: KeysetRequest & { readonly team?: string; readonly teams?: readonly string[] },
  ): Promise<Client[]> {
    if (request.teams?.length === 0) return [];
    let query = this.#db.selectFrom("clients").select(CLIENT_COLUMNS).orderBy("id").limit(request.limit);
    if (request.after !== undefined) query = query.where("id", ">", request.after);
    if (request.team !== undefined) query = query.where("team_id", "=", request.team);
    if (request.teams !== undefined) query = query.where("team_id", "in", [...request.teams]);
    return (await query.execute()).map(toClient);
  }

  async updateClient(id: string, changes: ClientChanges, modifiedAt: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable("clients")
      .set({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
        ...(changes.redirectUris === undefined ? {} : { redirect_uris: [...changes.redirectUris] }),
        ...(changes.scopes === undefined ? {} : { scopes: [...changes.scopes] }),
        ...(changes.secretHash === undefined ? {} : { secret_hash: changes.secretHash }),
        ...(changes.secretRotatedAt === undefined ? {} : { secret_rotated_at: changes.secretRotatedAt }),
        modified_at: modifiedAt,
      })
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteClient(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom("clients").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  // Scopes

  /** How many users and clients hold the scope. */
  async countScopeGrants(scope: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`select
      (select count(*)::int from users where ${holds("users.scopes", scope)}) +
      (select count(*)::int from clients where ${holds("clients.scopes", scope)}) as n`.execute(this.#db);
    return rows[0]?.n ?? 0;
  }
}

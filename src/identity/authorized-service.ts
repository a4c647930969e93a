import { ADMIN_SCOPE, actorOf, isAdmin, type Principal } from "../core/index.js";
import { IdentityErrors } from "./errors.js";
import { type IdentityService, isSystemClientId } from "./service.js";
import type {
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

function changeBy(principal: Principal, body: unknown): ChangeContext {
  return body === undefined ? { actor: actorOf(principal) } : { actor: actorOf(principal), body };
}

function forbidden(what: string) {
  return IdentityErrors.IDENTITY_FORBIDDEN(`${what} needs the scope ${ADMIN_SCOPE}`);
}

/**
 * Who may do what with identity, in one place, in front of `IdentityService`.
 *
 * - Teams and people are a directory: every authenticated principal may list and read them.
 * - A client is visible to the members of its team and to admins (`charter.admin`). To anyone
 *   else it does not exist: reading, changing or deleting it answers `IDENTITY_CLIENT_NOT_FOUND`,
 *   and lists leave it out.
 * - Changing a team (its fields, its members, its clients) needs admin, or a person (realm
 *   `employees`) who is a member of it; services read but never change identity. A caller who may
 *   read the object but not change it gets `IDENTITY_FORBIDDEN` (403).
 * - Changing, deleting or rotating the secret of a client that holds scopes also needs every one of
 *   those scopes: otherwise a member could take over what an admin granted to the client.
 * - Creating teams and people, granting scopes, enabling or disabling people, assigning AWS
 *   accounts and changing Charter's own clients (`charter-*`) need admin; nobody creates a
 *   `charter-*` client through the API.
 * - A person may change their own name, email and password; the password only with the current one.
 */
export class AuthorizedIdentityService {
  readonly #identity: IdentityService;

  constructor(identity: IdentityService) {
    this.#identity = identity;
  }

  // Teams

  async createTeam(principal: Principal, input: CreateTeamInput, body?: unknown): Promise<TeamDetails> {
    if (!isAdmin(principal)) throw forbidden("creating a team");
    return this.#identity.createTeam(changeBy(principal, body), input);
  }

  async getTeam(_principal: Principal, id: string): Promise<TeamDetails> {
    return this.#identity.getTeam(id);
  }

  async listTeams(_principal: Principal, request: ListTeamsRequest = {}): Promise<Page<Team>> {
    return this.#identity.listTeams(request);
  }

  async updateTeam(
    principal: Principal,
    id: string,
    input: UpdateTeamInput,
    body?: unknown,
  ): Promise<TeamDetails> {
    await this.#requireTeamWriter(principal, id);
    // The compliance detector attributes AWS accounts to teams; a team must not pick its own.
    if (input.awsAccounts !== undefined && !isAdmin(principal)) throw forbidden("assigning AWS accounts");
    return this.#identity.updateTeam(changeBy(principal, body), id, input);
  }

  async deleteTeam(principal: Principal, id: string): Promise<void> {
    await this.#requireTeamWriter(principal, id);
    await this.#identity.deleteTeam(changeBy(principal, undefined), id);
  }

  async addMember(principal: Principal, teamId: string, userId: string): Promise<boolean> {
    await this.#requireTeamWriter(principal, teamId);
    return this.#identity.addMember(changeBy(principal, undefined), teamId, userId);
  }

  async removeMember(principal: Principal, teamId: string, userId: string): Promise<void> {
    await this.#requireTeamWriter(principal, teamId);
    await this.#identity.removeMember(changeBy(principal, undefined), teamId, userId);
  }

  // People

  async createUser(principal: Principal, input: CreateUserInput, body?: unknown): Promise<User> {
    if (!isAdmin(principal)) throw forbidden("creating a user");
    return this.#identity.createUser(changeBy(principal, body), input);
  }

  async getUser(_principal: Principal, id: string): Promise<User> {
    return this.#identity.getUser(id);
  }

  async listUsers(_principal: Principal, request: PageRequest = {}): Promise<Page<User>> {
    return this.#identity.listUsers(request);
  }

  async updateUser(principal: Principal, id: string, input: UpdateUserInput, body?: unknown): Promise<User> {
    if (!isAdmin(principal)) {
      const self = principal.realm === "employees" && principal.sub === id;
      if (!self) {
        await this.#identity.getUser(id);
        throw IdentityErrors.IDENTITY_FORBIDDEN(
          `changing user "${id}" needs the scope ${ADMIN_SCOPE}; people may change only themselves`,
        );
      }
      if (input.scopes !== undefined) throw forbidden("granting scopes");
      if (input.disabled !== undefined) throw forbidden("enabling or disabling a user");
      if (input.password !== undefined && input.currentPassword === undefined) {
        throw IdentityErrors.IDENTITY_CURRENT_PASSWORD_REQUIRED(
          "changing your password needs current_password",
          { field: "current_password" },
        );
      }
    }
    return this.#identity.updateUser(changeBy(principal, body), id, input);
  }

  // Clients

  async createClient(
    principal: Principal,
    input: CreateClientInput,
    body?: unknown,
  ): Promise<ClientWithSecret> {
    if (isSystemClientId(input.id)) {
      throw IdentityErrors.IDENTITY_CLIENT_ID_RESERVED(
        `client ids starting with "charter-" belong to Charter itself`,
        {
          field: "id",
        },
      );
    }
    await this.#requireTeamWriter(principal, input.teamId);
    if ((input.scopes?.length ?? 0) > 0 && !isAdmin(principal)) throw forbidden("granting scopes");
    return this.#identity.createClient(changeBy(principal, body), input);
  }

  async getClient(principal: Principal, id: string): Promise<Client> {
    const client = await this.#identity.getClient(id);
    if (isAdmin(principal) || (await this.#identity.isMember(principal, client.teamId))) return client;
    throw IdentityErrors.IDENTITY_CLIENT_NOT_FOUND(`client "${id}" does not exist`);
  }

  async listClients(principal: Principal, request: ListClientsRequest = {}): Promise<Page<Client>> {
    const { visibleTeams: _ignored, ...rest } = request;
    if (isAdmin(principal)) return this.#identity.listClients(rest);
    return this.#identity.listClients({ ...rest, visibleTeams: await this.#identity.teamsOf(principal) });
  }

  async updateClient(
    principal: Principal,
    id: string,
    input: UpdateClientInput,
    body?: unknown,
  ): Promise<Client> {
    await this.#requireClientWriter(principal, id);
    if (input.scopes !== undefined && !isAdmin(principal)) throw forbidden("granting scopes");
    return this.#identity.updateClient(changeBy(principal, body), id, input);
  }

  async deleteClient(principal: Principal, id: string): Promise<void> {
    await this.#requireClientWriter(principal, id);
    await this.#identity.deleteClient(changeBy(principal, undefined), id);
  }

  async rotateClientSecret(principal: Principal, id: string): Promise<ClientWithSecret> {
    await this.#requireClientWriter(principal, id);
    return this.#identity.rotateClientSecret(changeBy(principal, undefined), id);
  }

  /**
   * Passes for admins, and for members of the client's team who hold every scope the client holds;
   * 404 for a client the caller cannot see, else 403.
   */
  async #requireClientWriter(principal: Principal, id: string): Promise<void> {
    const client = await this.getClient(principal, id);
    if (isAdmin(principal)) return;
    if (isSystemClientId(id)) throw forbidden(`changing Charter's own client "${id}"`);
    await this.#requireTeamWriter(principal, client.teamId);
    const missing = client.scopes.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      throw IdentityErrors.IDENTITY_FORBIDDEN(
        `client "${id}" holds ${missing.join(", ")}; changing it needs those scopes or ${ADMIN_SCOPE}`,
      );
    }
  }

  /** Passes for admins and member people; otherwise 404 for a team that does not exist, else 403. */
  async #requireTeamWriter(principal: Principal, teamId: string): Promise<void> {
    if (isAdmin(principal)) return;
    if (principal.realm === "employees" && (await this.#identity.isMember(principal, teamId))) return;
    await this.#identity.getTeam(teamId);
    throw IdentityErrors.IDENTITY_FORBIDDEN(
      `changing team "${teamId}" needs membership in it or the scope ${ADMIN_SCOPE}`,
    );
  }
}

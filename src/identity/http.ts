import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { principalOf } from "../core/index.js";
import type { AuthorizedIdentityService } from "./authorized-service.js";
import {
  ClientJson,
  ClientListQuery,
  ClientPage,
  ClientParams,
  ClientWithSecretJson,
  CreateClientBody,
  CreateTeamBody,
  CreateUserBody,
  MemberParams,
  NoContent,
  problemRef,
  TeamJson,
  TeamListQuery,
  TeamPage,
  TeamParams,
  UpdateClientBody,
  UpdateTeamBody,
  UpdateUserBody,
  UserJson,
  UserListQuery,
  UserPage,
  UserParams,
} from "./http-schemas.js";
import type { Client, ClientWithSecret, Page, Team, TeamDetails, User } from "./types.js";

export interface IdentityHttpOptions {
  /** The authorized service; every route calls exactly one of its methods. */
  readonly identity: AuthorizedIdentityService;
}

function teamJson(team: Team | TeamDetails) {
  return {
    id: team.id,
    name: team.name,
    ...(team.description === undefined ? {} : { description: team.description }),
    aws_accounts: [...team.awsAccounts],
    ...("members" in team ? { members: [...team.members] } : {}),
    created_at: team.createdAt.toISOString(),
    created_by: team.createdBy,
    modified_at: team.modifiedAt.toISOString(),
  };
}

function userJson(user: User) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    scopes: [...user.scopes],
    disabled: user.disabled,
    teams: [...user.teams],
    created_at: user.createdAt.toISOString(),
  };
}

function clientJson(client: Client) {
  return {
    id: client.id,
    team_id: client.teamId,
    name: client.name,
    description: client.description,
    confidential: client.confidential,
    redirect_uris: [...client.redirectUris],
    scopes: [...client.scopes],
    created_at: client.createdAt.toISOString(),
    created_by: client.createdBy,
    secret_rotated_at: client.secretRotatedAt?.toISOString() ?? null,
  };
}

function clientWithSecretJson({ client, secret }: ClientWithSecret) {
  return { ...clientJson(client), ...(secret === undefined ? {} : { client_secret: secret }) };
}

function pageJson<T, J>(page: Page<T>, toJson: (item: T) => J) {
  return { items: page.items.map(toJson), next_cursor: page.nextCursor ?? null };
}

const PROBLEMS: Record<number, string> = {
  400: "The request is not valid",
  401: "No valid bearer token",
  403: "Not allowed",
  404: "Not found, or not visible to the caller",
  409: "Conflicts with the current state",
  415: "The body is not JSON",
};

const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, problemRef(PROBLEMS[s] ?? "Problem")]));

const TAGS = ["identity"];

/**
 * The identity REST API under `/api/`: teams and their members, people, and service clients.
 * Register it on an app made by `createHttpApp`, which authenticates every route.
 *
 * @example await app.register(identityHttp({ identity: new AuthorizedIdentityService(service) }));
 */
export function identityHttp(options: IdentityHttpOptions): FastifyPluginAsyncTypebox {
  const { identity } = options;
  return async (app) => {
    // Teams

    app.post(
      "/api/teams",
      {
        schema: {
          tags: TAGS,
          summary: "Create a team",
          operationId: "createTeam",
          body: CreateTeamBody,
          response: { 201: TeamJson, ...problems(400, 401, 403, 409, 415) },
        },
      },
      async (request, reply) => {
        const { id, name, description, aws_accounts } = request.body;
        const team = await identity.createTeam(
          principalOf(request),
          {
            id,
            name,
            ...(description === undefined ? {} : { description }),
            ...(aws_accounts === undefined ? {} : { awsAccounts: aws_accounts }),
          },
          request.body,
        );
        return reply.code(201).header("location", `/api/teams/${team.id}`).send(teamJson(team));
      },
    );

    app.get(
      "/api/teams",
      {
        schema: {
          tags: TAGS,
          summary: "List teams",
          description: "Every team, or with `member` only the teams that user belongs to; ordered by id.",
          operationId: "listTeams",
          querystring: TeamListQuery,
          response: { 200: TeamPage, ...problems(400, 401) },
        },
      },
      async (request) => pageJson(await identity.listTeams(principalOf(request), request.query), teamJson),
    );

    app.get(
      "/api/teams/:team",
      {
        schema: {
          tags: TAGS,
          summary: "Read a team, with its members",
          operationId: "getTeam",
          params: TeamParams,
          response: { 200: TeamJson, ...problems(400, 401, 404) },
        },
      },
      async (request) => teamJson(await identity.getTeam(principalOf(request), request.params.team)),
    );

    app.patch(
      "/api/teams/:team",
      {
        schema: {
          tags: TAGS,
          summary: "Change a team",
          description:
            "`aws_accounts` replaces the whole list. Needs membership in the team or charter.admin.",
          operationId: "updateTeam",
          params: TeamParams,
          body: UpdateTeamBody,
          response: { 200: TeamJson, ...problems(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request) => {
        const { name, description, aws_accounts } = request.body;
        const team = await identity.updateTeam(
          principalOf(request),
          request.params.team,
          {
            ...(name === undefined ? {} : { name }),
            ...(description === undefined ? {} : { description }),
            ...(aws_accounts === undefined ? {} : { awsAccounts: aws_accounts }),
          },
          request.body,
        );
        return teamJson(team);
      },
    );

    app.delete(
      "/api/teams/:team",
      {
        schema: {
          tags: TAGS,
          summary: "Delete a team without members or clients",
          operationId: "deleteTeam",
          params: TeamParams,
          response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await identity.deleteTeam(principalOf(request), request.params.team);
        return reply.code(204).send(null);
      },
    );

    app.put(
      "/api/teams/:team/members/:user",
      {
        schema: {
          tags: TAGS,
          summary: "Add a member to a team",
          description: "Idempotent: adding a member again changes nothing.",
          operationId: "addTeamMember",
          params: MemberParams,
          response: { 204: NoContent, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await identity.addMember(principalOf(request), request.params.team, request.params.user);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      "/api/teams/:team/members/:user",
      {
        schema: {
          tags: TAGS,
          summary: "Remove a member from a team",
          operationId: "removeTeamMember",
          params: MemberParams,
          response: { 204: NoContent, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await identity.removeMember(principalOf(request), request.params.team, request.params.user);
        return reply.code(204).send(null);
      },
    );

    // People

    app.post(
      "/api/users",
      {
        schema: {
          tags: TAGS,
          summary: "Create a person",
          description: "Needs charter.admin. The password needs 12 to 1024 characters.",
          operationId: "createUser",
          body: CreateUserBody,
          response: { 201: UserJson, ...problems(400, 401, 403, 409, 415) },
        },
      },
      async (request, reply) => {
        const { id, name, email, password, scopes, disabled } = request.body;
        const user = await identity.createUser(
          principalOf(request),
          {
            id,
            name,
            email,
            password,
            ...(scopes === undefined ? {} : { scopes }),
            ...(disabled === undefined ? {} : { disabled }),
          },
          request.body,
        );
        return reply.code(201).header("location", `/api/users/${user.id}`).send(userJson(user));
      },
    );

    app.get(
      "/api/users",
      {
        schema: {
          tags: TAGS,
          summary: "List people",
          operationId: "listUsers",
          querystring: UserListQuery,
          response: { 200: UserPage, ...problems(400, 401) },
        },
      },
      async (request) => pageJson(await identity.listUsers(principalOf(request), request.query), userJson),
    );

    app.get(
      "/api/users/:user",
      {
        schema: {
          tags: TAGS,
          summary: "Read a person",
          operationId: "getUser",
          params: UserParams,
          response: { 200: UserJson, ...problems(400, 401, 404) },
        },
      },
      async (request) => userJson(await identity.getUser(principalOf(request), request.params.user)),
    );

    app.patch(
      "/api/users/:user",
      {
        schema: {
          tags: TAGS,
          summary: "Change a person",
          description:
            "People may change their own name, email and password (with current_password); " +
            "everything else, and other people, need charter.admin.",
          operationId: "updateUser",
          params: UserParams,
          body: UpdateUserBody,
          response: { 200: UserJson, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request) => {
        const { name, email, password, current_password, scopes, disabled } = request.body;
        const user = await identity.updateUser(
          principalOf(request),
          request.params.user,
          {
            ...(name === undefined ? {} : { name }),
            ...(email === undefined ? {} : { email }),
            ...(password === undefined ? {} : { password }),
            ...(current_password === undefined ? {} : { currentPassword: current_password }),
            ...(scopes === undefined ? {} : { scopes }),
            ...(disabled === undefined ? {} : { disabled }),
          },
          request.body,
        );
        return userJson(user);
      },
    );

    // Clients

    app.post(
      "/api/clients",
      {
        schema: {
          tags: TAGS,
          summary: "Create a service client",
          description:
            "A confidential client's secret is in this answer and never again; only its hash is stored. " +
            "Needs membership in the team; granting scopes needs charter.admin.",
          operationId: "createClient",
          body: CreateClientBody,
          response: { 201: ClientWithSecretJson, ...problems(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request, reply) => {
        const { id, team_id, name, description, confidential, redirect_uris, scopes } = request.body;
        const created = await identity.createClient(
          principalOf(request),
          {
            id,
            teamId: team_id,
            name,
            confidential,
            ...(description === undefined ? {} : { description }),
            ...(redirect_uris === undefined ? {} : { redirectUris: redirect_uris }),
            ...(scopes === undefined ? {} : { scopes }),
          },
          request.body,
        );
        return reply
          .code(201)
          .header("location", `/api/clients/${created.client.id}`)
          .header("cache-control", "no-store")
          .send(clientWithSecretJson(created));
      },
    );

    app.get(
      "/api/clients",
      {
        schema: {
          tags: TAGS,
          summary: "List the service clients you may see",
          description: "Clients of your teams; all clients for charter.admin.",
          operationId: "listClients",
          querystring: ClientListQuery,
          response: { 200: ClientPage, ...problems(400, 401) },
        },
      },
      async (request) =>
        pageJson(await identity.listClients(principalOf(request), request.query), clientJson),
    );

    app.get(
      "/api/clients/:client",
      {
        schema: {
          tags: TAGS,
          summary: "Read a service client",
          operationId: "getClient",
          params: ClientParams,
          response: { 200: ClientJson, ...problems(400, 401, 404) },
        },
      },
      async (request) => clientJson(await identity.getClient(principalOf(request), request.params.client)),
    );

    app.patch(
      "/api/clients/:client",
      {
        schema: {
          tags: TAGS,
          summary: "Change a service client",
          operationId: "updateClient",
          params: ClientParams,
          body: UpdateClientBody,
          response: { 200: ClientJson, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request) => {
        const { name, description, redirect_uris, scopes } = request.body;
        const client = await identity.updateClient(
          principalOf(request),
          request.params.client,
          {
            ...(name === undefined ? {} : { name }),
            ...(description === undefined ? {} : { description }),
            ...(redirect_uris === undefined ? {} : { redirectUris: redirect_uris }),
            ...(scopes === undefined ? {} : { scopes }),
          },
          request.body,
        );
        return clientJson(client);
      },
    );

    app.delete(
      "/api/clients/:client",
      {
        schema: {
          tags: TAGS,
          summary: "Delete a service client",
          operationId: "deleteClient",
          params: ClientParams,
          response: { 204: NoContent, ...problems(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await identity.deleteClient(principalOf(request), request.params.client);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/clients/:client/secret",
      {
        schema: {
          tags: TAGS,
          summary: "Rotate a confidential client's secret",
          description: "The old secret stops working at once; the new one is in this answer and never again.",
          operationId: "rotateClientSecret",
          params: ClientParams,
          response: { 200: ClientWithSecretJson, ...problems(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const rotated = await identity.rotateClientSecret(principalOf(request), request.params.client);
        return reply.header("cache-control", "no-store").send(clientWithSecretJson(rotated));
      },
    );
  };
}

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { principalOf, SLUG_MAX, SLUG_PATTERN } from "../core/index.js";
import type { AuthorizedScopeRegistry } from "./authorized-scope-registry.js";
import type { ResourceType, Scope } from "./types.js";

const closed = { additionalProperties: false } as const;

const ResourceTypeId = Type.String({
  pattern: SLUG_PATTERN,
  maxLength: SLUG_MAX,
  description: "Resource type id, such as sales-order",
});
const ScopeId = Type.String({
  pattern: SLUG_PATTERN,
  maxLength: SLUG_MAX,
  description: "Scope id, such as read",
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 2000 });
const Timestamp = Type.String({ format: "date-time" });

const ResourceTypeJson = Type.Object(
  { id: ResourceTypeId, name: Name, description: Description, created_at: Timestamp, modified_at: Timestamp },
  closed,
);
const ScopeJson = Type.Object(
  {
    resource_type: ResourceTypeId,
    id: ScopeId,
    name: Type.String({ description: "Full name as tokens carry it: <resource_type>.<id>" }),
    description: Description,
    created_at: Timestamp,
    modified_at: Timestamp,
  },
  closed,
);

const TypeParams = Type.Object({ type: ResourceTypeId }, closed);
const ScopeParams = Type.Object({ type: ResourceTypeId, scope: ScopeId }, closed);
const CreateResourceTypeBody = Type.Object(
  { id: ResourceTypeId, name: Name, description: Type.Optional(Description) },
  closed,
);
const PutResourceTypeBody = Type.Object({ name: Name, description: Type.Optional(Description) }, closed);
const PutScopeBody = Type.Object({ description: Type.String({ minLength: 1, maxLength: 2000 }) }, closed);
const NoContent = Type.Null({ description: "Done" });
const ProblemRef = Type.Ref("Problem");

const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ProblemRef]));

const TAGS = ["scopes"];

function resourceTypeJson(type: ResourceType) {
  return {
    id: type.id,
    name: type.name,
    description: type.description,
    created_at: type.createdAt.toISOString(),
    modified_at: type.modifiedAt.toISOString(),
  };
}

function scopeJson(scope: Scope) {
  return {
    resource_type: scope.resourceType,
    id: scope.id,
    name: scope.name,
    description: scope.description,
    created_at: scope.createdAt.toISOString(),
    modified_at: scope.modifiedAt.toISOString(),
  };
}

export interface ScopesHttpOptions {
  readonly registry: AuthorizedScopeRegistry;
}

/**
 * The scope registry under `/api/`: resource types, their scopes, and the list of every scope's
 * full name. Reads need any token; writes need `charter.admin`.
 *
 * @example await app.register(scopesHttp({ registry: new AuthorizedScopeRegistry(registry) }));
 */
export function scopesHttp(options: ScopesHttpOptions): FastifyPluginAsyncTypebox {
  const { registry } = options;
  return async (app) => {
    app.get(
      "/api/resource-types",
      {
        schema: {
          tags: TAGS,
          summary: "List resource types",
          operationId: "listResourceTypes",
          response: { 200: Type.Array(ResourceTypeJson), ...problems(401) },
        },
      },
      async (request) => (await registry.listResourceTypes(principalOf(request))).map(resourceTypeJson),
    );

    app.post(
      "/api/resource-types",
      {
        schema: {
          tags: TAGS,
          summary: "Create a resource type",
          operationId: "createResourceType",
          body: CreateResourceTypeBody,
          response: { 201: ResourceTypeJson, ...problems(400, 401, 403, 409, 415) },
        },
      },
      async (request, reply) => {
        const { id, name, description } = request.body;
        const type = await registry.createResourceType(
          principalOf(request),
          id,
          { name, ...(description === undefined ? {} : { description }) },
          request.body,
        );
        return reply
          .code(201)
          .header("location", `/api/resource-types/${type.id}`)
          .send(resourceTypeJson(type));
      },
    );

    app.get(
      "/api/resource-types/:type",
      {
        schema: {
          tags: TAGS,
          summary: "Get a resource type",
          operationId: "getResourceType",
          params: TypeParams,
          response: { 200: ResourceTypeJson, ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        resourceTypeJson(await registry.getResourceType(principalOf(request), request.params.type)),
    );

    app.put(
      "/api/resource-types/:type",
      {
        schema: {
          tags: TAGS,
          summary: "Create or replace a resource type",
          operationId: "putResourceType",
          params: TypeParams,
          body: PutResourceTypeBody,
          response: { 200: ResourceTypeJson, 201: ResourceTypeJson, ...problems(400, 401, 403, 415) },
        },
      },
      async (request, reply) => {
        const { name, description } = request.body;
        const { resourceType, created } = await registry.putResourceType(
          principalOf(request),
          request.params.type,
          { name, ...(description === undefined ? {} : { description }) },
          request.body,
        );
        return reply.code(created ? 201 : 200).send(resourceTypeJson(resourceType));
      },
    );

    app.delete(
      "/api/resource-types/:type",
      {
        schema: {
          tags: TAGS,
          summary: "Delete a resource type",
          description: "Only a resource type without scopes can be deleted.",
          operationId: "deleteResourceType",
          params: TypeParams,
          response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await registry.deleteResourceType(principalOf(request), request.params.type);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/resource-types/:type/scopes",
      {
        schema: {
          tags: TAGS,
          summary: "List the scopes of a resource type",
          operationId: "listResourceTypeScopes",
          params: TypeParams,
          response: { 200: Type.Array(ScopeJson), ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        (await registry.listScopes(principalOf(request), request.params.type)).map(scopeJson),
    );

    app.get(
      "/api/resource-types/:type/scopes/:scope",
      {
        schema: {
          tags: TAGS,
          summary: "Get a scope",
          operationId: "getScope",
          params: ScopeParams,
          response: { 200: ScopeJson, ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        scopeJson(await registry.getScope(principalOf(request), request.params.type, request.params.scope)),
    );

    app.put(
      "/api/resource-types/:type/scopes/:scope",
      {
        schema: {
          tags: TAGS,
          summary: "Create or replace a scope",
          operationId: "putScope",
          params: ScopeParams,
          body: PutScopeBody,
          response: { 200: ScopeJson, 201: ScopeJson, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request, reply) => {
        const { scope, created } = await registry.putScope(
          principalOf(request),
          request.params.type,
          request.params.scope,
          { description: request.body.description },
          request.body,
        );
        return reply.code(created ? 201 : 200).send(scopeJson(scope));
      },
    );

    app.delete(
      "/api/resource-types/:type/scopes/:scope",
      {
        schema: {
          tags: TAGS,
          summary: "Delete a scope",
          description: "A scope that is still granted to a person or client cannot be deleted (409).",
          operationId: "deleteScope",
          params: ScopeParams,
          response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await registry.deleteScope(principalOf(request), request.params.type, request.params.scope);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/scopes",
      {
        schema: {
          tags: TAGS,
          summary: "List every scope's full name",
          operationId: "listScopes",
          response: {
            200: Type.Array(Type.String({ description: "<resource_type>.<scope>" })),
            ...problems(401),
          },
        },
      },
      async (request) => registry.listScopeNames(principalOf(request)),
    );
  };
}

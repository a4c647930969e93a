import { ADMIN_SCOPE, actorOf, isAdmin, type Principal } from "../core/index.js";
import { TokensErrors } from "./errors.js";
import type { ScopeRegistry } from "./scope-registry.js";
import type { ChangeContext, ResourceType, ResourceTypeInput, Scope, ScopeInput } from "./types.js";

/**
 * Who may do what with the scope registry: every authenticated principal may read it (resource
 * servers and people need to know what scopes mean); only admins (`charter.admin`) may change it,
 * since a new scope changes what every token may carry.
 */
export class AuthorizedScopeRegistry {
  readonly #registry: ScopeRegistry;

  constructor(registry: ScopeRegistry) {
    this.#registry = registry;
  }

  listResourceTypes(_principal: Principal): Promise<ResourceType[]> {
    return this.#registry.listResourceTypes();
  }

  getResourceType(_principal: Principal, id: string): Promise<ResourceType> {
    return this.#registry.getResourceType(id);
  }

  createResourceType(principal: Principal, id: string, input: ResourceTypeInput, body?: unknown) {
    return this.#registry.createResourceType(
      adminChange(principal, "creating a resource type", body),
      id,
      input,
    );
  }

  putResourceType(principal: Principal, id: string, input: ResourceTypeInput, body?: unknown) {
    return this.#registry.putResourceType(
      adminChange(principal, "changing a resource type", body),
      id,
      input,
    );
  }

  deleteResourceType(principal: Principal, id: string): Promise<void> {
    return this.#registry.deleteResourceType(adminChange(principal, "deleting a resource type"), id);
  }

  listScopes(_principal: Principal, resourceType: string): Promise<Scope[]> {
    return this.#registry.listScopes(resourceType);
  }

  listScopeNames(_principal: Principal): Promise<string[]> {
    return this.#registry.listScopeNames();
  }

  getScope(_principal: Principal, resourceType: string, id: string): Promise<Scope> {
    return this.#registry.getScope(resourceType, id);
  }

  putScope(principal: Principal, resourceType: string, id: string, input: ScopeInput, body?: unknown) {
    return this.#registry.putScope(adminChange(principal, "changing a scope", body), resourceType, id, input);
  }

  deleteScope(principal: Principal, resourceType: string, id: string): Promise<void> {
    return this.#registry.deleteScope(adminChange(principal, "deleting a scope"), resourceType, id);
  }
}

function adminChange(principal: Principal, what: string, body?: unknown): ChangeContext {
  if (!isAdmin(principal)) throw TokensErrors.TOKENS_ADMIN_REQUIRED(`${what} needs the scope ${ADMIN_SCOPE}`);
  return body === undefined ? { actor: actorOf(principal) } : { actor: actorOf(principal), body };
}

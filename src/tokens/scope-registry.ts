import { type AuditSink, type Clock, isSlug, SYSTEM_ACTOR, systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { TokensErrors } from "./errors.js";
import { ScopeStore } from "./scope-store.js";
import type {
  ChangeContext,
  ResourceType,
  ResourceTypeInput,
  Scope,
  ScopeGrants,
  ScopeInput,
} from "./types.js";

export interface ScopeRegistryOptions {
  readonly db: Database;
  /** Receives one record per change, on the change's transaction. */
  readonly audit: AuditSink;
  /** Tells whether a scope is still granted before it may be deleted; the identity part. */
  readonly grants: ScopeGrants;
  readonly clock?: Clock;
}

/** A resource type and its scopes, as a part declares the scopes it checks. */
export interface ScopeDefinitions {
  readonly resourceType: { readonly id: string; readonly name: string; readonly description: string };
  readonly scopes: ReadonlyArray<{ readonly id: string; readonly description: string }>;
}

/** The scopes every Charter installation has; see `bootstrapScopes`. */
export const BOOTSTRAP_SCOPES: ScopeDefinitions = {
  resourceType: { id: "charter", name: "Charter", description: "The Charter control plane itself" },
  scopes: [
    { id: "admin", description: "administer every team's objects" },
    { id: "audit", description: "read and export the audit log" },
  ],
};

/**
 * The registry of resource types and their scopes (STUPS Essentials). A scope's full name,
 * `<resource type>.<scope>`, is what identity grants and tokens carry. Implements the identity
 * part's `ScopeCatalog` port, so only registered scopes can be granted, and refuses to delete a
 * scope that is still granted.
 */
export class ScopeRegistry {
  readonly #db: Database;
  readonly #store: ScopeStore;
  readonly #audit: AuditSink;
  readonly #grants: ScopeGrants;
  readonly #clock: Clock;

  constructor(options: ScopeRegistryOptions) {
    this.#db = options.db;
    this.#store = new ScopeStore(options.db);
    this.#audit = options.audit;
    this.#grants = options.grants;
    this.#clock = options.clock ?? systemClock;
  }

  // Resource types

  async listResourceTypes(): Promise<ResourceType[]> {
    return this.#store.listResourceTypes();
  }

  async getResourceType(id: string): Promise<ResourceType> {
    const found = await this.#store.findResourceType(checkId("resource type", id));
    if (found === undefined) throw resourceTypeNotFound(id);
    return found;
  }

  /** Creates a resource type; `TOKENS_RESOURCE_TYPE_EXISTS` when the id is taken. */
  async createResourceType(
    change: ChangeContext,
    id: string,
    input: ResourceTypeInput,
  ): Promise<ResourceType> {
    checkId("resource type", id);
    const now = this.#clock.now();
    const type: ResourceType = { id, ...fieldsOf(input), createdAt: now, modifiedAt: now };
    return this.#db.transaction().execute(async (tx) => {
      if (!(await this.#store.insertResourceType(tx, type))) {
        throw TokensErrors.TOKENS_RESOURCE_TYPE_EXISTS(`resource type ${id} already exists`);
      }
      await this.#record(tx, change, "resource-type.create", `resource-type/${id}`);
      return type;
    });
  }

  /** Creates or replaces a resource type. */
  async putResourceType(
    change: ChangeContext,
    id: string,
    input: ResourceTypeInput,
  ): Promise<{ resourceType: ResourceType; created: boolean }> {
    checkId("resource type", id);
    return this.#db.transaction().execute(async (tx) => {
      const result = await this.#store.upsertResourceType(tx, id, fieldsOf(input), this.#clock.now());
      const action = result.created ? "resource-type.create" : "resource-type.update";
      await this.#record(tx, change, action, `resource-type/${id}`);
      return result;
    });
  }

  /** Deletes a resource type that has no scopes left. */
  async deleteResourceType(change: ChangeContext, id: string): Promise<void> {
    checkId("resource type", id);
    await this.#db.transaction().execute(async (tx) => {
      if ((await this.#store.findResourceType(id, tx, "update")) === undefined)
        throw resourceTypeNotFound(id);
      const scopes = await this.#store.countScopes(tx, id);
      if (scopes > 0) {
        throw TokensErrors.TOKENS_RESOURCE_TYPE_NOT_EMPTY(
          `resource type ${id} still has ${scopes} scope(s)`,
          {
            scopes,
          },
        );
      }
      await this.#store.deleteResourceType(tx, id);
      await this.#record(tx, change, "resource-type.delete", `resource-type/${id}`);
    });
  }

  // Scopes

  /** The scopes of one resource type, ordered by id. */
  async listScopes(resourceType: string): Promise<Scope[]> {
    await this.getResourceType(resourceType);
    return this.#store.listScopes(resourceType);
  }

  /** Every scope's full name, ordered. */
  async listScopeNames(): Promise<string[]> {
    return (await this.#store.listScopes()).map((scope) => scope.name);
  }

  async getScope(resourceType: string, id: string): Promise<Scope> {
    checkId("resource type", resourceType);
    const found = await this.#store.findScope(resourceType, checkId("scope", id));
    if (found === undefined) throw scopeNotFound(resourceType, id);
    return found;
  }

  /** Creates or replaces a scope of an existing resource type. */
  async putScope(
    change: ChangeContext,
    resourceType: string,
    id: string,
    input: ScopeInput,
  ): Promise<{ scope: Scope; created: boolean }> {
    checkId("resource type", resourceType);
    checkId("scope", id);
    return this.#db.transaction().execute(async (tx) => {
      if ((await this.#store.findResourceType(resourceType, tx, "share")) === undefined) {
        throw resourceTypeNotFound(resourceType);
      }
      const result = await this.#store.upsertScope(
        tx,
        resourceType,
        id,
        { description: input.description.trim() },
        this.#clock.now(),
      );
      await this.#record(
        tx,
        change,
        result.created ? "scope.create" : "scope.update",
        `scope/${resourceType}.${id}`,
      );
      return result;
    });
  }

  /**
   * Deletes a scope nobody holds; `TOKENS_SCOPE_GRANTED` while a person or client holds it. The
   * count comes from identity, outside this transaction, so a grant racing the delete (within one
   * request's time) can outlive the scope; it then grants nothing a resource server recognises.
   */
  async deleteScope(change: ChangeContext, resourceType: string, id: string): Promise<void> {
    const scope = await this.getScope(resourceType, id);
    const grants = await this.#grants.countScopeGrants(scope.name);
    if (grants > 0) {
      throw TokensErrors.TOKENS_SCOPE_GRANTED(`scope ${scope.name} is still granted ${grants} time(s)`, {
        grants,
      });
    }
    await this.#db.transaction().execute(async (tx) => {
      if (!(await this.#store.deleteScope(tx, resourceType, id))) throw scopeNotFound(resourceType, id);
      await this.#record(tx, change, "scope.delete", `scope/${scope.name}`);
    });
  }

  /** The identity part's `ScopeCatalog` port: the names, of those given, that are not registered. */
  async unknownScopes(names: readonly string[]): Promise<string[]> {
    const known = await this.#store.existingNames(names);
    return names.filter((name) => !known.has(name));
  }

  /**
   * Makes the given resource types and scopes (default: `charter` with `admin` and `audit`) when
   * they are missing; leaves existing ones (and their descriptions) alone, so it is safe on every start.
   */
  async bootstrap(
    definitions: readonly ScopeDefinitions[] = [BOOTSTRAP_SCOPES],
  ): Promise<{ created: string[] }> {
    const created: string[] = [];
    for (const definition of definitions) created.push(...(await this.#bootstrap(definition)).created);
    return { created };
  }

  async #bootstrap({ resourceType, scopes }: ScopeDefinitions): Promise<{ created: string[] }> {
    const now = this.#clock.now();
    const change: ChangeContext = { actor: SYSTEM_ACTOR };
    return this.#db.transaction().execute(async (tx) => {
      const created: string[] = [];
      if (await this.#store.insertResourceType(tx, { ...resourceType, createdAt: now, modifiedAt: now })) {
        await this.#record(
          tx,
          { ...change, body: resourceType },
          "resource-type.create",
          `resource-type/${resourceType.id}`,
        );
        created.push(resourceType.id);
      }
      for (const scope of scopes) {
        const name = `${resourceType.id}.${scope.id}`;
        const inserted = await this.#store.insertScope(tx, {
          resourceType: resourceType.id,
          id: scope.id,
          name,
          description: scope.description,
          createdAt: now,
          modifiedAt: now,
        });
        if (inserted) {
          await this.#record(tx, { ...change, body: scope }, "scope.create", `scope/${name}`);
          created.push(name);
        }
      }
      return { created };
    });
  }

  async #record(tx: Database, change: ChangeContext, action: string, target: string): Promise<void> {
    await this.#audit.append(tx, {
      actor: change.actor,
      action,
      target,
      ...(change.body === undefined ? {} : { body: change.body }),
    });
  }
}

/** Creates the scopes every installation needs (`charter.admin`, `charter.audit`); idempotent. */
/** Makes Charter's own scopes, then those the parts declare (for example `images.write`). */
export async function bootstrapScopes(
  registry: ScopeRegistry,
  more: readonly ScopeDefinitions[] = [],
): Promise<{ created: string[] }> {
  return registry.bootstrap([BOOTSTRAP_SCOPES, ...more]);
}

function checkId(what: "resource type" | "scope", id: string): string {
  if (!isSlug(id)) {
    throw TokensErrors.TOKENS_INVALID_ID(
      `${what} id must be a slug: lower-case letters, digits and dashes, starting with a letter`,
      { field: what === "scope" ? "scope" : "type" },
    );
  }
  return id;
}

function fieldsOf(input: ResourceTypeInput): { name: string; description: string } {
  return { name: input.name.trim(), description: (input.description ?? "").trim() };
}

function resourceTypeNotFound(id: string) {
  return TokensErrors.TOKENS_RESOURCE_TYPE_NOT_FOUND(`resource type ${id} does not exist`);
}

function scopeNotFound(resourceType: string, id: string) {
  return TokensErrors.TOKENS_SCOPE_NOT_FOUND(`scope ${resourceType}.${id} does not exist`);
}

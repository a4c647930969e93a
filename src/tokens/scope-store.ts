import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import type { ResourceType, Scope } from "./types.js";

interface ResourceTypesTable {
  id: string;
  name: string;
  description: string;
  created_at: Date;
  modified_at: Date;
}

interface ScopesTable {
  resource_type_id: string;
  id: string;
  description: string;
  created_at: Date;
  modified_at: Date;
}

interface Tables {
  resource_types: ResourceTypesTable;
  scopes: ScopesTable;
}

const asResourceType = (row: ResourceTypesTable): ResourceType => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
});

const asScope = (row: ScopesTable): Scope => ({
  resourceType: row.resource_type_id,
  id: row.id,
  name: `${row.resource_type_id}.${row.id}`,
  description: row.description,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
});

/** The only code that reads and writes `resource_types` and `scopes`. Writes take the transaction. */
export class ScopeStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Database) {
    this.#db = db as Kysely<Tables>;
  }

  async listResourceTypes(): Promise<ResourceType[]> {
    const rows = await this.#db.selectFrom("resource_types").selectAll().orderBy("id").execute();
    return rows.map(asResourceType);
  }

  /**
   * One resource type. On a transaction, `lock` holds the row until commit: `share` keeps it from
   * being deleted while a scope is added, `update` keeps scopes from being added while it is deleted.
   */
  async findResourceType(
    id: string,
    tx: Database = this.#db,
    lock?: "share" | "update",
  ): Promise<ResourceType | undefined> {
    let query = (tx as Kysely<Tables>).selectFrom("resource_types").selectAll().where("id", "=", id);
    if (lock === "share") query = query.forKeyShare();
    if (lock === "update") query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : asResourceType(row);
  }

  /** Inserts unless the id is taken; answers whether it inserted. */
  async insertResourceType(tx: Database, type: ResourceType): Promise<boolean> {
    const result = await (tx as Kysely<Tables>)
      .insertInto("resource_types")
      .values({
        id: type.id,
        name: type.name,
        description: type.description,
        created_at: type.createdAt,
        modified_at: type.modifiedAt,
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Inserts or updates; answers the row and whether it was inserted. */
  async upsertResourceType(
    tx: Database,
    id: string,
    fields: { name: string; description: string },
    now: Date,
  ): Promise<{ resourceType: ResourceType; created: boolean }> {
    const row = await (tx as Kysely<Tables>)
      .insertInto("resource_types")
      .values({ id, ...fields, created_at: now, modified_at: now })
      .onConflict((oc) => oc.column("id").doUpdateSet({ ...fields, modified_at: now }))
      .returningAll()
      .returning(sql<boolean>`(xmax = 0)`.as("inserted"))
      .executeTakeFirstOrThrow();
    return { resourceType: asResourceType(row), created: row.inserted };
  }

  async deleteResourceType(tx: Database, id: string): Promise<boolean> {
    const result = await (tx as Kysely<Tables>)
      .deleteFrom("resource_types")
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async countScopes(tx: Database, resourceType: string): Promise<number> {
    const row = await (tx as Kysely<Tables>)
      .selectFrom("scopes")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("resource_type_id", "=", resourceType)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Scopes of one resource type, or of all, ordered by full name. */
  async listScopes(resourceType?: string): Promise<Scope[]> {
    let query = this.#db.selectFrom("scopes").selectAll().orderBy("resource_type_id").orderBy("id");
    if (resourceType !== undefined) query = query.where("resource_type_id", "=", resourceType);
    return (await query.execute()).map(asScope);
  }

  async findScope(resourceType: string, id: string): Promise<Scope | undefined> {
    const row = await this.#db
      .selectFrom("scopes")
      .selectAll()
      .where("resource_type_id", "=", resourceType)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : asScope(row);
  }

  async upsertScope(
    tx: Database,
    resourceType: string,
    id: string,
    fields: { description: string },
    now: Date,
  ): Promise<{ scope: Scope; created: boolean }> {
    const row = await (tx as Kysely<Tables>)
      .insertInto("scopes")
      .values({ resource_type_id: resourceType, id, ...fields, created_at: now, modified_at: now })
      .onConflict((oc) => oc.columns(["resource_type_id", "id"]).doUpdateSet({ ...fields, modified_at: now }))
      .returningAll()
      .returning(sql<boolean>`(xmax = 0)`.as("inserted"))
      .executeTakeFirstOrThrow();
    return { scope: asScope(row), created: row.inserted };
  }

  /** Inserts unless it exists; answers whether it inserted. */
  async insertScope(tx: Database, scope: Scope): Promise<boolean> {
    const result = await (tx as Kysely<Tables>)
      .insertInto("scopes")
      .values({
        resource_type_id: scope.resourceType,
        id: scope.id,
        description: scope.description,
        created_at: scope.createdAt,
        modified_at: scope.modifiedAt,
      })
      .onConflict((oc) => oc.columns(["resource_type_id", "id"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async deleteScope(tx: Database, resourceType: string, id: string): Promise<boolean> {
    const result = await (tx as Kysely<Tables>)
      .deleteFrom("scopes")
      .where("resource_type_id", "=", resourceType)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Which of the given full names exist. */
  async existingNames(names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("scopes")
      .select(sql<string>`resource_type_id || '.' || id`.as("name"))
      .where(sql<string>`resource_type_id || '.' || id`, "in", [...names])
      .execute();
    return new Set(rows.map((r) => r.name));
  }
}

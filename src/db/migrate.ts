import { type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import type { Database } from "./database.js";
import { migrations } from "./migrations/index.js";

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/**
 * Applies every migration not yet applied, in order. Kysely's migrator takes a lock, so replicas
 * starting together apply each migration once. Migrations are append-only: never edit one that
 * has shipped; add the next.
 */
export async function migrateToLatest(db: Database): Promise<void> {
  // Kysely looks for its own tables in every schema unless told which one: a database holding
  // several Charter schemas (tests, or side-by-side installations) would find another schema's lock
  // table and never create its own. Name the schema the tables live in: the current one.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(),
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined || failed !== undefined) {
    const name = failed?.migrationName ?? "unknown";
    throw new Error(`migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

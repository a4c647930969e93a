import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "kysely";
import { inject } from "vitest";
import { type Database, type DatabaseHandle, migrateToLatest, openDatabase } from "../../src/db/index.js";

let template: Promise<PGlite> | undefined;

/** A migrated PGlite made once per test worker; each test gets a clone, which takes milliseconds. */
function migratedTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const pglite = await PGlite.create();
    const handle = await openDatabase({ pglite });
    await migrateToLatest(handle.db);
    return pglite;
  })();
  return template;
}

/**
 * A fresh, migrated, embedded database of its own. Loading a clone takes about a second, so open one
 * per test file (in `beforeAll`) and call `resetDatabase` between tests that need empty tables.
 */
export async function createPgliteTestDatabase(): Promise<DatabaseHandle> {
  const clone = (await (await migratedTemplate()).clone()) as PGlite;
  return openDatabase({ pglite: clone });
}

/**
 * A fresh, migrated schema in the PostgreSQL server named by CHARTER_TEST_DATABASE_URL (passed in
 * by vitest.config.ts); dropped again on close.
 */
export async function createPostgresTestDatabase(url: string): Promise<DatabaseHandle> {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = await openDatabase({ url, poolSize: 1 });
  await admin.db.schema.createSchema(schema).execute();
  await admin.close();
  const handle = await openDatabase({ url, poolSize: 4, searchPath: schema });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const cleanup = await openDatabase({ url, poolSize: 1 });
      await cleanup.db.schema.dropSchema(schema).cascade().execute();
      await cleanup.close();
    },
  };
}

export interface TestEngine {
  readonly name: "pglite" | "postgres";
  create(): Promise<DatabaseHandle>;
}

/**
 * The engines a contract suite runs on: PGlite always, PostgreSQL when CHARTER_TEST_DATABASE_URL is
 * set. Use with `describe.each(testEngines())`.
 */
export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [{ name: "pglite", create: createPgliteTestDatabase }];
  const url = inject("databaseUrl");
  if (typeof url === "string" && url.length > 0) {
    engines.push({ name: "postgres", create: () => createPostgresTestDatabase(url) });
  }
  return engines;
}

/** The default engine for tests that are not contract suites. */
export const createTestDatabase = createPgliteTestDatabase;

/** Empties every table but the migration bookkeeping, in milliseconds. */
export async function resetDatabase(db: Database): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select quote_ident(tablename) as name from pg_tables
    where schemaname = current_schema() and tablename not like 'kysely_migration%'`.execute(db);
  if (rows.length === 0) return;
  await sql.raw(`truncate ${rows.map((r) => r.name).join(", ")} restart identity cascade`).execute(db);
}

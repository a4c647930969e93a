import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import { typeParsers } from "./type-parsers.js";

/**
 * The database as every store sees it. Stores declare their own table types and narrow this with
 * `db as Kysely<TheirTables>`; transactions are `Kysely<any>` too, so a change and its audit record
 * share one.
 */
export type Database = Kysely<any>;

export type DatabaseEngine = "pglite" | "postgres";

export type DatabaseOptions =
  /** PostgreSQL, for production: `postgres://user:pass@host:5432/db`. */
  | { readonly url: string; readonly poolSize?: number; readonly searchPath?: string }
  /** Embedded PGlite persisted in a directory. */
  | { readonly dataDir: string }
  /** An already open PGlite (tests clone a migrated template). */
  | { readonly pglite: PGlite };

export interface DatabaseHandle {
  readonly db: Database;
  readonly engine: DatabaseEngine;
  close(): Promise<void>;
}

/** Opens the database the options name. The one place that chooses an engine. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if ("url" in options) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: typeParsers,
      ...(options.searchPath === undefined ? {} : { options: `-c search_path=${options.searchPath}` }),
    });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: "postgres", close: () => db.destroy() };
  }
  const pglite = "pglite" in options ? options.pglite : await PGlite.create(options.dataDir);
  const db = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  return { db, engine: "pglite", close: () => db.destroy() };
}

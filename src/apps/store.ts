import { type Kysely, type RawBuilder, type Selectable, sql } from "kysely";
import type { Database } from "../db/index.js";
import type {
  App,
  AppMatch,
  Approval,
  ApprovalRequirement,
  ApprovalType,
  CriticalityLevel,
  PolicyLevel,
  Version,
} from "./types.js";

interface AppsTable {
  id: string;
  team_id: string;
  name: string;
  subtitle: string | null;
  description: string | null;
  service_url: string | null;
  scm_url: string | null;
  documentation_url: string | null;
  specification_url: string | null;
  support_url: string | null;
  incident_contact: string | null;
  criticality_level: number;
  publicly_accessible: boolean;
  active: boolean;
  created_at: Date;
  created_by: string;
  modified_at: Date;
  modified_by: string;
}

interface AppVersionsTable {
  app_id: string;
  id: string;
  artifact: string;
  notes: string | null;
  created_at: Date;
  created_by: string;
  modified_at: Date;
  modified_by: string;
}

interface ApprovalTypesTable {
  id: string;
  declaration: string;
  built_in: boolean;
  modified_at: Date;
  modified_by: string;
}

interface AppApprovalsTable {
  app_id: string;
  version_id: string;
  type: string;
  user_id: string;
  at: Date;
  declaration: string;
  notes: string | null;
}

interface ApprovalPolicyTable {
  level: number;
  type: string;
  approvers: number;
}

/**
 * The tables of migration 0005_apps. The generated `search` column is never written, and neither is
 * app_search_terms (migration 0007): PostgreSQL keeps both in step with the application.
 */
export interface AppsTables {
  apps: AppsTable;
  app_versions: AppVersionsTable;
  approval_types: ApprovalTypesTable;
  app_approvals: AppApprovalsTable;
  approval_policy: ApprovalPolicyTable;
}

/** The filters of an application list as the store sees them. */
export interface AppQuery {
  readonly team?: string;
  readonly active?: boolean;
  readonly modifiedSince?: Date;
  readonly limit: number;
}

/** A search as the store sees it: the list filters, the query, and the page by offset. */
export type SearchQuery = AppQuery & { readonly search: string; readonly offset: number };

// A query of one word (letters and digits) is at most one lexeme, the case the stored ranks of
// app_search_terms can answer; any other query is ranked at once, without looking there first.
const ONE_WORD = /^[\p{L}\p{N}]+$/u;

/** The best-matching text, matched words in <b>…</b>: costly, so made for the rows of a page only. */
const snippet = (tsquery: RawBuilder<unknown>) =>
  sql<string>`ts_headline('english',
    concat_ws(' — ', apps.name, apps.subtitle, apps.description), ${tsquery},
    'MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "')`;

const APP_COLUMNS = [
  "apps.id",
  "apps.team_id",
  "apps.name",
  "apps.subtitle",
  "apps.description",
  "apps.service_url",
  "apps.scm_url",
  "apps.documentation_url",
  "apps.specification_url",
  "apps.support_url",
  "apps.incident_contact",
  "apps.criticality_level",
  "apps.publicly_accessible",
  "apps.active",
  "apps.created_at",
  "apps.created_by",
  "apps.modified_at",
  "apps.modified_by",
] as const;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

// A null column is an absent field. The fields are assigned one by one: spreading a small object
// per optional field made every mapped row slow to build, to read and to serialize (a page of
// search results spent about a millisecond on it).
function toApp(row: Selectable<AppsTable>): App {
  const app: Writable<App> = {
    id: row.id,
    teamId: row.team_id,
    name: row.name,
    criticalityLevel: row.criticality_level as CriticalityLevel,
    publiclyAccessible: row.publicly_accessible,
    active: row.active,
    createdAt: row.created_at,
    createdBy: row.created_by,
    modifiedAt: row.modified_at,
    modifiedBy: row.modified_by,
  };
  if (row.subtitle !== null) app.subtitle = row.subtitle;
  if (row.description !== null) app.description = row.description;
  if (row.service_url !== null) app.serviceUrl = row.service_url;
  if (row.scm_url !== null) app.scmUrl = row.scm_url;
  if (row.documentation_url !== null) app.documentationUrl = row.documentation_url;
  if (row.specification_url !== null) app.specificationUrl = row.specification_url;
  if (row.support_url !== null) app.supportUrl = row.support_url;
  if (row.incident_contact !== null) app.incidentContact = row.incident_contact;
  return app;
}

function toAppMatch(row: Selectable<AppsTable> & { snippet: string }, rank: number): AppMatch {
  const match = toApp(row) as Writable<AppMatch>;
  match.matchedRank = Number(rank);
  match.matchedDescription = row.snippet;
  return match;
}

function appRow(app: App): AppsTable {
  return {
    id: app.id,
    team_id: app.teamId,
    name: app.name,
    subtitle: app.subtitle ?? null,
    description: app.description ?? null,
    service_url: app.serviceUrl ?? null,
    scm_url: app.scmUrl ?? null,
    documentation_url: app.documentationUrl ?? null,
    specification_url: app.specificationUrl ?? null,
    support_url: app.supportUrl ?? null,
    incident_contact: app.incidentContact ?? null,
    criticality_level: app.criticalityLevel,
    publicly_accessible: app.publiclyAccessible,
    active: app.active,
    created_at: app.createdAt,
    created_by: app.createdBy,
    modified_at: app.modifiedAt,
    modified_by: app.modifiedBy,
  };
}

function toVersion(row: Selectable<AppVersionsTable>): Version {
  const version: Writable<Version> = {
    appId: row.app_id,
    id: row.id,
    artifact: row.artifact,
    createdAt: row.created_at,
    createdBy: row.created_by,
    modifiedAt: row.modified_at,
    modifiedBy: row.modified_by,
  };
  if (row.notes !== null) version.notes = row.notes;
  return version;
}

function toApprovalType(row: Selectable<ApprovalTypesTable>): ApprovalType {
  return {
    id: row.id,
    declaration: row.declaration,
    builtIn: row.built_in,
    modifiedAt: row.modified_at,
    modifiedBy: row.modified_by,
  };
}

function toApproval(row: Selectable<AppApprovalsTable>): Approval {
  const approval: Writable<Approval> = {
    appId: row.app_id,
    versionId: row.version_id,
    type: row.type,
    user: row.user_id,
    at: row.at,
    declaration: row.declaration,
  };
  if (row.notes !== null) approval.notes = row.notes;
  return approval;
}

/** PostgreSQL's code for a violated foreign key. */
const FOREIGN_KEY_VIOLATION = "23503";

export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === FOREIGN_KEY_VIOLATION;
}

/**
 * The only code that reads or writes the apps part's tables. Every method runs on the executor the
 * store was made with, so a store made inside a transaction writes inside it.
 */
export class AppsStore {
  readonly #db: Kysely<AppsTables>;

  constructor(db: Database) {
    this.#db = db as Kysely<AppsTables>;
  }

  /** Runs `work` in one transaction, with a store and the raw transaction (for the audit sink). */
  transaction<T>(work: (store: AppsStore, tx: Database) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((tx) => work(new AppsStore(tx), tx));
  }

  // Applications

  async findApp(id: string, options: { readonly forUpdate?: boolean } = {}): Promise<App | undefined> {
    let query = this.#db.selectFrom("apps").select(APP_COLUMNS).where("apps.id", "=", id);
    if (options.forUpdate === true) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : toApp(row);
  }

  /** Inserts the application, or replaces every field but its creation stamp; true when inserted. */
  async upsertApp(app: App): Promise<boolean> {
    const { id: _id, created_at: _at, created_by: _by, ...changes } = appRow(app);
    const row = await this.#db
      .insertInto("apps")
      .values(appRow(app))
      .onConflict((oc) => oc.column("id").doUpdateSet(changes))
      .returning(sql<boolean>`xmax = 0`.as("inserted"))
      .executeTakeFirstOrThrow();
    return row.inserted;
  }

  /** A keyset page ordered by id, of applications after `after`. */
  async listApps(query: AppQuery & { readonly after?: string }): Promise<App[]> {
    let select = this.#db.selectFrom("apps").select(APP_COLUMNS).orderBy("apps.id").limit(query.limit);
    if (query.after !== undefined) select = select.where("apps.id", ">", query.after);
    if (query.team !== undefined) select = select.where("apps.team_id", "=", query.team);
    if (query.active !== undefined) select = select.where("apps.active", "=", query.active);
    if (query.modifiedSince !== undefined)
      select = select.where("apps.modified_at", ">=", query.modifiedSince);
    return (await select.execute()).map(toApp);
  }

  /**
   * A keyset page of the applications changed at or after `since`, oldest change first, after the
   * change `after`: a feed a client polls to stay in sync, served by the (modified_at, id) index.
   */
  async listChangedApps(
    query: AppQuery & { readonly since: Date; readonly after?: { readonly at: Date; readonly id: string } },
  ): Promise<App[]> {
    let select = this.#db
      .selectFrom("apps")
      .select(APP_COLUMNS)
      .where("apps.modified_at", ">=", query.since)
      .orderBy("apps.modified_at")
      .orderBy("apps.id")
      .limit(query.limit);
    const { after } = query;
    if (after !== undefined) {
      select = select.where(sql<boolean>`(apps.modified_at, apps.id) > (${after.at}, ${after.id})`);
    }
    if (query.team !== undefined) select = select.where("apps.team_id", "=", query.team);
    if (query.active !== undefined) select = select.where("apps.active", "=", query.active);
    return (await select.execute()).map(toApp);
  }

  /**
   * A page of the applications matching a web-search query, best first. Ranking needs every match,
   * so pages go by offset. A one-word query goes through `app_search_page` (migration 0007), which
   * reads the page from the stored ranks when at least a page of applications has the word in id,
   * name or subtitle (exactly the page ranking every match gives), and ranks every match otherwise.
   * Either way one statement, with snippets made for the rows of the page only.
   */
  async searchApps(query: SearchQuery): Promise<AppMatch[]> {
    if (!ONE_WORD.test(query.search.trim())) return this.#rankMatches(query);
    const tsquery = sql`websearch_to_tsquery('english', ${query.search})`;
    const page = sql<{ app_id: string; rank: number }>`app_search_page(${tsquery}, ${query.limit}::integer,
      ${query.offset}::integer, ${query.team ?? null}::text, ${query.active ?? null}::boolean,
      ${query.modifiedSince ?? null}::timestamptz)`;
    const rows = await this.#db
      .selectFrom(page.as("page"))
      .innerJoin("apps", "apps.id", "page.app_id")
      .select(APP_COLUMNS)
      .select(["page.rank", snippet(tsquery).as("snippet")])
      .orderBy("page.rank", "desc")
      .orderBy("apps.id")
      .execute();
    return rows.map((row) => toAppMatch(row, row.rank));
  }

  /** Ranks every match. One flat query: PostgreSQL makes the snippets after the sort and limit. */
  async #rankMatches(query: SearchQuery): Promise<AppMatch[]> {
    const tsquery = sql`websearch_to_tsquery('english', ${query.search})`;
    let select = this.#db
      .selectFrom("apps")
      .select(APP_COLUMNS)
      .select(sql<number>`ts_rank(apps.search, ${tsquery})`.as("rank"))
      .select(snippet(tsquery).as("snippet"))
      .where(sql<boolean>`apps.search @@ ${tsquery}`)
      .orderBy("rank", "desc")
      .orderBy("apps.id")
      .limit(query.limit)
      .offset(query.offset);
    if (query.team !== undefined) select = select.where("apps.team_id", "=", query.team);
    if (query.active !== undefined) select = select.where("apps.active", "=", query.active);
    if (query.modifiedSince !== undefined)
      select = select.where("apps.modified_at", ">=", query.modifiedSince);
    return (await select.execute()).map((row) => toAppMatch(row, row.rank));
  }

  // Versions

  async findVersion(appId: string, id: string): Promise<Version | undefined> {
    const row = await this.#db
      .selectFrom("app_versions")
      .selectAll()
      .where("app_id", "=", appId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : toVersion(row);
  }

  /** False when the version exists. */
  async insertVersion(version: Version): Promise<boolean> {
    const row = await this.#db
      .insertInto("app_versions")
      .values({
        app_id: version.appId,
        id: version.id,
        artifact: version.artifact,
        notes: version.notes ?? null,
        created_at: version.createdAt,
        created_by: version.createdBy,
        modified_at: version.modifiedAt,
        modified_by: version.modifiedBy,
      })
      .onConflict((oc) => oc.columns(["app_id", "id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    return row !== undefined;
  }

  async updateVersionNotes(
    appId: string,
    id: string,
    notes: string | undefined,
    at: Date,
    by: string,
  ): Promise<void> {
    await this.#db
      .updateTable("app_versions")
      .set({ notes: notes ?? null, modified_at: at, modified_by: by })
      .where("app_id", "=", appId)
      .where("id", "=", id)
      .execute();
  }

  async listVersions(appId: string, request: { readonly after?: string; readonly limit: number }) {
    let select = this.#db
      .selectFrom("app_versions")
      .selectAll()
      .where("app_id", "=", appId)
      .orderBy("id")
      .limit(request.limit);
    if (request.after !== undefined) select = select.where("id", ">", request.after);
    return (await select.execute()).map(toVersion);
  }

  // Approvals

  /** False when the person already gave this type of approval for the version. */
  async insertApproval(approval: Approval): Promise<boolean> {
    const row = await this.#db
      .insertInto("app_approvals")
      .values({
        app_id: approval.appId,
        version_id: approval.versionId,
        type: approval.type,
        user_id: approval.user,
        at: approval.at,
        declaration: approval.declaration,
        notes: approval.notes ?? null,
      })
      .onConflict((oc) => oc.columns(["app_id", "version_id", "type", "user_id"]).doNothing())
      .returning("type")
      .executeTakeFirst();
    return row !== undefined;
  }

  async listApprovals(appId: string, versionId: string): Promise<Approval[]> {
    const rows = await this.#db
      .selectFrom("app_approvals")
      .selectAll()
      .where("app_id", "=", appId)
      .where("version_id", "=", versionId)
      .orderBy("at")
      .orderBy("type")
      .orderBy("user_id")
      .execute();
    return rows.map(toApproval);
  }

  // Approval types

  async listApprovalTypes(): Promise<ApprovalType[]> {
    return (await this.#db.selectFrom("approval_types").selectAll().orderBy("id").execute()).map(
      toApprovalType,
    );
  }

  async findApprovalType(id: string): Promise<ApprovalType | undefined> {
    const row = await this.#db
      .selectFrom("approval_types")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : toApprovalType(row);
  }

  /** Inserts the type, or with `replace` changes its declaration; true when inserted. */
  async putApprovalType(
    type: { readonly id: string; readonly declaration: string; readonly at: Date; readonly by: string },
    replace: boolean,
  ): Promise<boolean | undefined> {
    const values = {
      id: type.id,
      declaration: type.declaration,
      built_in: false,
      modified_at: type.at,
      modified_by: type.by,
    };
    const row = await this.#db
      .insertInto("approval_types")
      .values(values)
      .onConflict((oc) =>
        replace
          ? oc
              .column("id")
              .doUpdateSet({ declaration: type.declaration, modified_at: type.at, modified_by: type.by })
          : oc.column("id").doNothing(),
      )
      .returning(sql<boolean>`xmax = 0`.as("inserted"))
      .executeTakeFirst();
    return row?.inserted;
  }

  async deleteApprovalType(id: string): Promise<void> {
    await this.#db.deleteFrom("approval_types").where("id", "=", id).execute();
  }

  /** The levels whose policy requires the type. */
  async levelsRequiring(type: string): Promise<number[]> {
    const rows = await this.#db
      .selectFrom("approval_policy")
      .select("level")
      .where("type", "=", type)
      .orderBy("level")
      .execute();
    return rows.map((r) => r.level);
  }

  // Policy

  async policy(): Promise<PolicyLevel[]> {
    const rows = await this.#db
      .selectFrom("approval_policy")
      .selectAll()
      .orderBy("level")
      .orderBy("type")
      .execute();
    return ([1, 2, 3, 4] as const).map((level) => ({
      level,
      requirements: rows
        .filter((r) => r.level === level)
        .map((r) => ({ type: r.type, approvers: r.approvers })),
    }));
  }

  async requirementsOf(level: number): Promise<ApprovalRequirement[]> {
    const rows = await this.#db
      .selectFrom("approval_policy")
      .select(["type", "approvers"])
      .where("level", "=", level)
      .orderBy("type")
      .execute();
    return rows;
  }

  async replacePolicyLevel(level: number, requirements: readonly ApprovalRequirement[]): Promise<void> {
    await this.#db.deleteFrom("approval_policy").where("level", "=", level).execute();
    if (requirements.length === 0) return;
    await this.#db
      .insertInto("approval_policy")
      .values(requirements.map((r) => ({ level, type: r.type, approvers: r.approvers })))
      .execute();
  }

  /** Serialises changes to the policy and the types it names (a type deleted while required). */
  async lockPolicy(): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext('charter.apps.approval_policy'))`.execute(this.#db);
  }
}

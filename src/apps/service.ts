import { type AuditSink, type Clock, CoreErrors, systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { parseArtifact } from "./artifact.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { AppsErrors } from "./errors.js";
import { BUILT_IN_APPROVAL_TYPES, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./limits.js";
import { AppsStore, isForeignKeyViolation } from "./store.js";
import type {
  App,
  AppInput,
  AppMatch,
  Approval,
  ApprovalRequirement,
  ApprovalStatus,
  ApprovalType,
  ChangeContext,
  CriticalityLevel,
  ListAppsRequest,
  MissingApproval,
  Page,
  PageRequest,
  PolicyLevel,
  PutResult,
  Version,
  VersionInput,
} from "./types.js";

/** Search pages go by offset (ranking needs every match); deeper than this, refine the query. */
const MAX_SEARCH_OFFSET = 10_000;

export interface AppsServiceOptions {
  readonly db: Database;
  /** Receives one record per change, on the change's transaction. */
  readonly audit: AuditSink;
  /** Default the system clock. */
  readonly clock?: Clock;
}

/** Who gives an approval: the person and the time come from the caller, never from the body. */
export interface ApprovalInput {
  readonly type: string;
  readonly notes?: string;
}

function pageSize(request: PageRequest): number {
  const limit = request.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw CoreErrors.CORE_VALIDATION_FAILED(`limit must be 1..${MAX_PAGE_SIZE}, got ${limit}`, {
      field: "limit",
    });
  }
  return limit;
}

function keysetPage<T>(rows: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) };
}

function searchOffset(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const key = decodeCursor(cursor);
  const offset = /^[0-9]{1,6}$/.test(key) ? Number(key) : Number.NaN;
  if (!(offset > 0 && offset <= MAX_SEARCH_OFFSET)) {
    throw AppsErrors.APPS_INVALID_CURSOR("cursor was not returned by this search", { field: "cursor" });
  }
  return offset;
}

/** The position in a list of changes that a cursor continues after: a change time and an id. */
function changeCursor(cursor: string): { at: Date; id: string } {
  const [at, id, ...rest] = decodeCursor(cursor).split(" ");
  const when = new Date(at ?? "");
  if (id === undefined || id === "" || rest.length > 0 || Number.isNaN(when.getTime())) {
    throw AppsErrors.APPS_INVALID_CURSOR("cursor was not returned by this list", { field: "cursor" });
  }
  return { at: when, id };
}

/** The people who count toward a requirement: the version's creator never counts toward four eyes. */
function countingApprovers(
  approvals: readonly Approval[],
  requirement: ApprovalRequirement,
  creator: string,
) {
  const people = new Set(approvals.filter((a) => a.type === requirement.type).map((a) => a.user));
  if (requirement.approvers >= 2) people.delete(creator);
  return people.size;
}

/**
 * The application registry: applications, their immutable versions, approvals of versions, the
 * approval types and the policy of which approvals each criticality level needs. It enforces the
 * rules of the data; who may call what is decided by `AuthorizedAppsService`.
 */
export class AppsService {
  readonly #store: AppsStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;

  constructor(options: AppsServiceOptions) {
    this.#store = new AppsStore(options.db);
    this.#audit = options.audit;
    this.#clock = options.clock ?? systemClock;
  }

  // Applications

  async findApp(id: string): Promise<App | undefined> {
    return this.#store.findApp(id);
  }

  /** Throws `APPS_APP_NOT_FOUND`. */
  async getApp(id: string): Promise<App> {
    const app = await this.#store.findApp(id);
    if (app === undefined) throw this.#appNotFound(id);
    return app;
  }

  /**
   * A page of applications ordered by id; with `modifiedSince` by change time, oldest first (a
   * feed to poll); with `search` by relevance, each with its rank and a snippet of the matching text.
   */
  async listApps(request: ListAppsRequest = {}): Promise<Page<App | AppMatch>> {
    const limit = pageSize(request);
    const filters = {
      ...(request.team === undefined ? {} : { team: request.team }),
      ...(request.active === undefined ? {} : { active: request.active }),
      ...(request.modifiedSince === undefined ? {} : { modifiedSince: request.modifiedSince }),
    };
    if (request.search !== undefined) {
      const offset = searchOffset(request.cursor);
      const rows = await this.#store.searchApps({
        ...filters,
        search: request.search,
        offset,
        limit: limit + 1,
      });
      if (rows.length <= limit || offset + limit >= MAX_SEARCH_OFFSET) return { items: rows.slice(0, limit) };
      return { items: rows.slice(0, limit), nextCursor: encodeCursor(String(offset + limit)) };
    }
    if (request.modifiedSince !== undefined) {
      const after = request.cursor === undefined ? {} : { after: changeCursor(request.cursor) };
      const rows = await this.#store.listChangedApps({
        ...filters,
        since: request.modifiedSince,
        ...after,
        limit: limit + 1,
      });
      return keysetPage(rows, limit, (app) => `${app.modifiedAt.toISOString()} ${app.id}`);
    }
    const after = request.cursor === undefined ? {} : { after: decodeCursor(request.cursor) };
    const rows = await this.#store.listApps({ ...filters, ...after, limit: limit + 1 });
    return keysetPage(rows, limit, (app) => app.id);
  }

  /** Creates the application or replaces its fields; the previous team is in the audit body. */
  async putApp(change: ChangeContext, id: string, input: AppInput): Promise<PutResult<App>> {
    const now = this.#clock.now();
    try {
      return await this.#store.transaction(async (store, tx) => {
        const previous = await store.findApp(id, { forUpdate: true });
        const app: App = {
          id,
          teamId: input.teamId,
          name: input.name,
          ...(input.subtitle === undefined ? {} : { subtitle: input.subtitle }),
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(input.serviceUrl === undefined ? {} : { serviceUrl: input.serviceUrl }),
          ...(input.scmUrl === undefined ? {} : { scmUrl: input.scmUrl }),
          ...(input.documentationUrl === undefined ? {} : { documentationUrl: input.documentationUrl }),
          ...(input.specificationUrl === undefined ? {} : { specificationUrl: input.specificationUrl }),
          ...(input.supportUrl === undefined ? {} : { supportUrl: input.supportUrl }),
          ...(input.incidentContact === undefined ? {} : { incidentContact: input.incidentContact }),
          criticalityLevel: input.criticalityLevel ?? 2,
          publiclyAccessible: input.publiclyAccessible ?? false,
          active: input.active ?? true,
          createdAt: previous?.createdAt ?? now,
          createdBy: previous?.createdBy ?? change.actor.sub,
          modifiedAt: now,
          modifiedBy: change.actor.sub,
        };
        const created = await store.upsertApp(app);
        const moved = previous !== undefined && previous.teamId !== app.teamId;
        await this.#record(
          tx,
          change,
          created ? "app.create" : "app.update",
          `app/${id}`,
          input,
          moved ? { previous_team_id: previous.teamId } : {},
        );
        return { created, value: app };
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw AppsErrors.APPS_TEAM_NOT_FOUND(`team "${input.teamId}" does not exist`, { field: "team_id" });
      }
      throw error;
    }
  }

  // Versions

  /** Throws `APPS_APP_NOT_FOUND` or `APPS_VERSION_NOT_FOUND`. */
  async getVersion(appId: string, id: string): Promise<Version> {
    const version = await this.#store.findVersion(appId, id);
    if (version === undefined) {
      await this.getApp(appId);
      throw this.#versionNotFound(appId, id);
    }
    return version;
  }

  async listVersions(appId: string, request: PageRequest = {}): Promise<Page<Version>> {
    const limit = pageSize(request);
    await this.getApp(appId);
    const after = request.cursor === undefined ? {} : { after: decodeCursor(request.cursor) };
    const rows = await this.#store.listVersions(appId, { ...after, limit: limit + 1 });
    return keysetPage(rows, limit, (v) => v.id);
  }

  /**
   * Registers a version. A version never changes its artifact: the same PUT again answers the
   * version as it is (idempotent), another artifact throws `APPS_VERSION_IMMUTABLE`; only the notes
   * may change.
   */
  async putVersion(
    change: ChangeContext,
    appId: string,
    id: string,
    input: VersionInput,
  ): Promise<PutResult<Version>> {
    parseArtifact(input.artifact);
    const now = this.#clock.now();
    return this.#store.transaction(async (store, tx) => {
      // Locking the application orders this against a concurrent move to another team.
      if ((await store.findApp(appId, { forUpdate: true })) === undefined) throw this.#appNotFound(appId);
      const version: Version = {
        appId,
        id,
        artifact: input.artifact,
        ...(input.notes === undefined ? {} : { notes: input.notes }),
        createdAt: now,
        createdBy: change.actor.sub,
        modifiedAt: now,
        modifiedBy: change.actor.sub,
      };
      if (await store.insertVersion(version)) {
        await this.#record(tx, change, "app.version.create", `app/${appId}/version/${id}`, input);
        return { created: true, value: version };
      }
      const existing = (await store.findVersion(appId, id))!;
      if (existing.artifact !== input.artifact) {
        throw AppsErrors.APPS_VERSION_IMMUTABLE(
          `version "${id}" of "${appId}" already names artifact "${existing.artifact}"; register a new version`,
          { artifact: existing.artifact },
        );
      }
      if (input.notes === undefined || existing.notes === input.notes)
        return { created: false, value: existing };
      await store.updateVersionNotes(appId, id, input.notes, now, change.actor.sub);
      await this.#record(tx, change, "app.version.update", `app/${appId}/version/${id}`, {
        notes: input.notes,
      });
      return {
        created: false,
        value: { ...existing, notes: input.notes, modifiedAt: now, modifiedBy: change.actor.sub },
      };
    });
  }

  // Approvals

  async listApprovals(appId: string, versionId: string): Promise<Approval[]> {
    await this.getVersion(appId, versionId);
    return this.#store.listApprovals(appId, versionId);
  }

  /**
   * Records that `change.actor` gives one type of approval, with the type's declaration as it reads
   * now. Throws `APPS_APPROVAL_EXISTS` when the person already gave it.
   */
  async approve(
    change: ChangeContext,
    appId: string,
    versionId: string,
    input: ApprovalInput,
  ): Promise<Approval> {
    const now = this.#clock.now();
    return this.#store.transaction(async (store, tx) => {
      if ((await store.findVersion(appId, versionId)) === undefined) {
        if ((await store.findApp(appId)) === undefined) throw this.#appNotFound(appId);
        throw this.#versionNotFound(appId, versionId);
      }
      const type = await store.findApprovalType(input.type);
      if (type === undefined) throw this.#typeNotFound(input.type);
      const approval: Approval = {
        appId,
        versionId,
        type: type.id,
        user: change.actor.sub,
        at: now,
        declaration: type.declaration,
        ...(input.notes === undefined ? {} : { notes: input.notes }),
      };
      if (!(await store.insertApproval(approval))) {
        throw AppsErrors.APPS_APPROVAL_EXISTS(
          `"${approval.user}" already gave ${type.id} approval for version "${versionId}" of "${appId}"`,
        );
      }
      await this.#record(tx, change, "app.approval.create", `app/${appId}/version/${versionId}`, input, {
        declaration: type.declaration,
      });
      return approval;
    });
  }

  /**
   * Whether the version has every approval its application's criticality level requires; the
   * deployment tool asks this before it deploys.
   */
  async approvalStatus(appId: string, versionId: string): Promise<ApprovalStatus> {
    const app = await this.getApp(appId);
    const version = await this.getVersion(appId, versionId);
    const [requirements, approvals] = await Promise.all([
      this.#store.requirementsOf(app.criticalityLevel),
      this.#store.listApprovals(appId, versionId),
    ]);
    const missing: MissingApproval[] = [];
    for (const requirement of requirements) {
      const have = countingApprovers(approvals, requirement, version.createdBy);
      if (have < requirement.approvers)
        missing.push({ type: requirement.type, needed: requirement.approvers, have });
    }
    return {
      appId,
      versionId,
      criticalityLevel: app.criticalityLevel,
      deployable: missing.length === 0,
      missing,
    };
  }

  // Approval types

  async listApprovalTypes(): Promise<ApprovalType[]> {
    return this.#store.listApprovalTypes();
  }

  /** Throws `APPS_APPROVAL_TYPE_NOT_FOUND`. */
  async getApprovalType(id: string): Promise<ApprovalType> {
    const type = await this.#store.findApprovalType(id);
    if (type === undefined) throw this.#typeNotFound(id);
    return type;
  }

  /** Creates a type (`replace` false: `APPS_APPROVAL_TYPE_EXISTS` if it exists) or changes its declaration. */
  async putApprovalType(
    change: ChangeContext,
    id: string,
    declaration: string,
    replace: boolean,
  ): Promise<PutResult<ApprovalType>> {
    return this.#store.transaction(async (store, tx) => {
      const now = this.#clock.now();
      const inserted = await store.putApprovalType(
        { id, declaration, at: now, by: change.actor.sub },
        replace,
      );
      if (inserted === undefined)
        throw AppsErrors.APPS_APPROVAL_TYPE_EXISTS(`approval type "${id}" already exists`);
      await this.#record(
        tx,
        change,
        inserted ? "approval-type.create" : "approval-type.update",
        `approval-type/${id}`,
        {
          id,
          declaration,
        },
      );
      return { created: inserted, value: (await store.findApprovalType(id))! };
    });
  }

  /** Built-in types and types the policy requires cannot be deleted; past approvals keep their text. */
  async deleteApprovalType(change: ChangeContext, id: string): Promise<void> {
    if (BUILT_IN_APPROVAL_TYPES.includes(id)) {
      throw AppsErrors.APPS_APPROVAL_TYPE_BUILT_IN(`approval type "${id}" is built in and cannot be deleted`);
    }
    await this.#store.transaction(async (store, tx) => {
      await store.lockPolicy();
      if ((await store.findApprovalType(id)) === undefined) throw this.#typeNotFound(id);
      const levels = await store.levelsRequiring(id);
      if (levels.length > 0) {
        throw AppsErrors.APPS_APPROVAL_TYPE_IN_USE(
          `approval type "${id}" is required at criticality level(s) ${levels.join(", ")}; change the policy first`,
          { levels },
        );
      }
      await store.deleteApprovalType(id);
      await this.#record(tx, change, "approval-type.delete", `approval-type/${id}`, undefined);
    });
  }

  // Policy

  async policy(): Promise<PolicyLevel[]> {
    return this.#store.policy();
  }

  /** Replaces what one criticality level requires. */
  async putPolicyLevel(
    change: ChangeContext,
    level: CriticalityLevel,
    requirements: readonly ApprovalRequirement[],
  ): Promise<PolicyLevel> {
    const types = requirements.map((r) => r.type);
    const duplicate = types.find((t, i) => types.indexOf(t) !== i);
    if (duplicate !== undefined) {
      throw CoreErrors.CORE_VALIDATION_FAILED(`approval type "${duplicate}" is listed twice`, {
        field: "requirements",
      });
    }
    return this.#store.transaction(async (store, tx) => {
      await store.lockPolicy();
      for (const type of types) {
        if ((await store.findApprovalType(type)) === undefined) throw this.#typeNotFound(type);
      }
      await store.replacePolicyLevel(level, requirements);
      await this.#record(tx, change, "approval-policy.update", `approval-policy/${level}`, { requirements });
      return { level, requirements: await store.requirementsOf(level) };
    });
  }

  /** Appends the audit record; `facts` the server established (a previous team, a declaration) join the body. */
  async #record(
    tx: Database,
    change: ChangeContext,
    action: string,
    target: string,
    input: object | undefined,
    facts: object = {},
  ): Promise<void> {
    const given = change.body !== undefined ? change.body : input;
    const body = Object.keys(facts).length === 0 ? given : { ...(given as object | undefined), ...facts };
    await this.#audit.append(tx, {
      actor: change.actor,
      action,
      target,
      ...(body === undefined ? {} : { body }),
    });
  }

  #appNotFound(id: string) {
    return AppsErrors.APPS_APP_NOT_FOUND(`application "${id}" does not exist`);
  }

  #versionNotFound(appId: string, id: string) {
    return AppsErrors.APPS_VERSION_NOT_FOUND(`version "${id}" of application "${appId}" does not exist`);
  }

  #typeNotFound(id: string) {
    return AppsErrors.APPS_APPROVAL_TYPE_NOT_FOUND(`approval type "${id}" does not exist`, { type: id });
  }
}

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { principalOf } from "../core/index.js";
import type { AuthorizedAppsService } from "./authorized-service.js";
import {
  AppJson,
  AppListQuery,
  AppPage,
  AppParams,
  ApprovalBody,
  ApprovalJson,
  ApprovalList,
  ApprovalStatusJson,
  ApprovalTypeJson,
  ApprovalTypeList,
  ApprovalTypeParams,
  CreateApprovalTypeBody,
  PolicyJson,
  PolicyLevelJson,
  PolicyLevelParams,
  PutAppBody,
  PutApprovalTypeBody,
  PutPolicyLevelBody,
  PutVersionBody,
  problemRef,
  VersionJson,
  VersionListQuery,
  VersionPage,
  VersionParams,
} from "./http-schemas.js";
import type {
  App,
  AppMatch,
  Approval,
  ApprovalStatus,
  ApprovalType,
  CriticalityLevel,
  Page,
  PolicyLevel,
  Version,
} from "./types.js";

export interface AppsHttpOptions {
  /** The authorized service; every route calls exactly one of its methods. */
  readonly apps: AuthorizedAppsService;
}

function appJson(app: App) {
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
    created_at: app.createdAt.toISOString(),
    created_by: app.createdBy,
    modified_at: app.modifiedAt.toISOString(),
    modified_by: app.modifiedBy,
  };
}

// Added to the object rather than spread into a copy: copies of these wide objects made a page of
// search results slow to serialize.
function appListItemJson(app: App | AppMatch) {
  const json: ReturnType<typeof appJson> & { matched_rank?: number; matched_description?: string } =
    appJson(app);
  if ("matchedRank" in app) {
    json.matched_rank = app.matchedRank;
    json.matched_description = app.matchedDescription;
  }
  return json;
}

function versionJson(version: Version) {
  return {
    app_id: version.appId,
    id: version.id,
    artifact: version.artifact,
    notes: version.notes ?? null,
    created_at: version.createdAt.toISOString(),
    created_by: version.createdBy,
    modified_at: version.modifiedAt.toISOString(),
    modified_by: version.modifiedBy,
  };
}

function approvalJson(approval: Approval) {
  return {
    app_id: approval.appId,
    version_id: approval.versionId,
    type: approval.type,
    user: approval.user,
    at: approval.at.toISOString(),
    declaration: approval.declaration,
    notes: approval.notes ?? null,
  };
}

function statusJson(status: ApprovalStatus) {
  return {
    app_id: status.appId,
    version_id: status.versionId,
    criticality_level: status.criticalityLevel,
    deployable: status.deployable,
    missing: status.missing.map((m) => ({ type: m.type, needed: m.needed, have: m.have })),
  };
}

function approvalTypeJson(type: ApprovalType) {
  return {
    id: type.id,
    declaration: type.declaration,
    built_in: type.builtIn,
    modified_at: type.modifiedAt.toISOString(),
    modified_by: type.modifiedBy,
  };
}

function policyLevelJson(level: PolicyLevel) {
  return {
    level: level.level,
    requirements: level.requirements.map((r) => ({ type: r.type, approvers: r.approvers })),
  };
}

function pageJson<T, J>(page: Page<T>, toJson: (item: T) => J) {
  return { items: page.items.map(toJson), next_cursor: page.nextCursor ?? null };
}

/** `null` in a body means "none", like a missing field. */
const given = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

const PROBLEMS: Record<number, string> = {
  400: "The request is not valid",
  401: "No valid bearer token",
  403: "Not allowed",
  404: "Not found",
  409: "Conflicts with the current state",
  415: "The body is not JSON",
};

const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, problemRef(PROBLEMS[s] ?? "Problem")]));

const TAGS = ["apps"];

/**
 * The application registry's REST API under `/api/`: applications, versions, approvals, approval
 * types and the approval policy. Register it on an app made by `createHttpApp`.
 *
 * @example await app.register(appsHttp({ apps: new AuthorizedAppsService(service, identity) }));
 */
export function appsHttp(options: AppsHttpOptions): FastifyPluginAsyncTypebox {
  const { apps } = options;
  return async (app) => {
    // Applications

    app.get(
      "/api/apps",
      {
        schema: {
          tags: TAGS,
          summary: "List or search applications",
          description:
            "Ordered by id and paged by cursor; with `modified_since`, by change time, oldest first; with " +
            "`search`, by relevance, each with `matched_rank` and `matched_description`.",
          operationId: "listApps",
          querystring: AppListQuery,
          response: { 200: AppPage, ...problems(400, 401) },
        },
      },
      async (request) => {
        const { limit, cursor, team, active, modified_since, search } = request.query;
        const page = await apps.listApps(principalOf(request), {
          ...(limit === undefined ? {} : { limit }),
          ...(cursor === undefined ? {} : { cursor }),
          ...(team === undefined ? {} : { team }),
          ...(active === undefined ? {} : { active }),
          ...(modified_since === undefined ? {} : { modifiedSince: new Date(modified_since) }),
          ...(search === undefined ? {} : { search }),
        });
        return pageJson(page, appListItemJson);
      },
    );

    app.get(
      "/api/apps/:app",
      {
        schema: {
          tags: TAGS,
          summary: "Read an application",
          operationId: "getApp",
          params: AppParams,
          response: { 200: AppJson, ...problems(400, 401, 404) },
        },
      },
      async (request) => appJson(await apps.getApp(principalOf(request), request.params.app)),
    );

    app.put(
      "/api/apps/:app",
      {
        schema: {
          tags: TAGS,
          summary: "Create or replace an application",
          description:
            "201 when created, 200 when replaced; fields left out are cleared. Needs membership in the team " +
            "(in both teams to move an application) or charter.admin.",
          operationId: "putApp",
          params: AppParams,
          body: PutAppBody,
          response: { 200: AppJson, 201: AppJson, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const { created, value } = await apps.putApp(
          principalOf(request),
          request.params.app,
          {
            teamId: b.team_id,
            name: b.name,
            ...(given(b.subtitle) === undefined ? {} : { subtitle: b.subtitle! }),
            ...(given(b.description) === undefined ? {} : { description: b.description! }),
            ...(given(b.service_url) === undefined ? {} : { serviceUrl: b.service_url! }),
            ...(given(b.scm_url) === undefined ? {} : { scmUrl: b.scm_url! }),
            ...(given(b.documentation_url) === undefined ? {} : { documentationUrl: b.documentation_url! }),
            ...(given(b.specification_url) === undefined ? {} : { specificationUrl: b.specification_url! }),
            ...(given(b.support_url) === undefined ? {} : { supportUrl: b.support_url! }),
            ...(given(b.incident_contact) === undefined ? {} : { incidentContact: b.incident_contact! }),
            ...(b.criticality_level === undefined
              ? {}
              : { criticalityLevel: b.criticality_level as CriticalityLevel }),
            ...(b.publicly_accessible === undefined ? {} : { publiclyAccessible: b.publicly_accessible }),
            ...(b.active === undefined ? {} : { active: b.active }),
          },
          request.body,
        );
        if (created) reply.code(201).header("location", `/api/apps/${value.id}`);
        return appJson(value);
      },
    );

    // Versions

    app.get(
      "/api/apps/:app/versions",
      {
        schema: {
          tags: TAGS,
          summary: "List an application's versions",
          description: "Ordered by version id.",
          operationId: "listVersions",
          params: AppParams,
          querystring: VersionListQuery,
          response: { 200: VersionPage, ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        pageJson(
          await apps.listVersions(principalOf(request), request.params.app, request.query),
          versionJson,
        ),
    );

    app.get(
      "/api/apps/:app/versions/:version",
      {
        schema: {
          tags: TAGS,
          summary: "Read a version",
          operationId: "getVersion",
          params: VersionParams,
          response: { 200: VersionJson, ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        versionJson(await apps.getVersion(principalOf(request), request.params.app, request.params.version)),
    );

    app.put(
      "/api/apps/:app/versions/:version",
      {
        schema: {
          tags: TAGS,
          summary: "Register a version",
          description:
            "The artifact must be pinned by digest. A version is immutable: 201 when created, 200 for the same " +
            "artifact again (the notes may change), 409 for another artifact. Needs membership in the team.",
          operationId: "putVersion",
          params: VersionParams,
          body: PutVersionBody,
          response: { 200: VersionJson, 201: VersionJson, ...problems(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request, reply) => {
        const { app: appId, version } = request.params;
        const notes = given(request.body.notes);
        const { created, value } = await apps.putVersion(
          principalOf(request),
          appId,
          version,
          { artifact: request.body.artifact, ...(notes === undefined ? {} : { notes }) },
          request.body,
        );
        if (created) reply.code(201).header("location", `/api/apps/${appId}/versions/${version}`);
        return versionJson(value);
      },
    );

    // Approvals

    app.get(
      "/api/apps/:app/versions/:version/approvals",
      {
        schema: {
          tags: TAGS,
          summary: "List a version's approvals",
          operationId: "listApprovals",
          params: VersionParams,
          response: { 200: ApprovalList, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const { app: appId, version } = request.params;
        return { items: (await apps.listApprovals(principalOf(request), appId, version)).map(approvalJson) };
      },
    );

    app.post(
      "/api/apps/:app/versions/:version/approvals",
      {
        schema: {
          tags: TAGS,
          summary: "Approve a version",
          description:
            "Records that you confirm the type's declaration (copied into the approval). Only people who are " +
            "members of the application's team (or charter.admin) approve, each type once.",
          operationId: "approveVersion",
          params: VersionParams,
          body: ApprovalBody,
          response: { 201: ApprovalJson, ...problems(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request, reply) => {
        const { app: appId, version } = request.params;
        const { type, notes } = request.body;
        const approval = await apps.approve(
          principalOf(request),
          appId,
          version,
          { type, ...(notes === undefined ? {} : { notes }) },
          request.body,
        );
        return reply.code(201).send(approvalJson(approval));
      },
    );

    app.get(
      "/api/apps/:app/versions/:version/approval-status",
      {
        schema: {
          tags: TAGS,
          summary: "Whether a version has the approvals its policy requires",
          description:
            "What the deployment tool asks before it deploys. The version's creator never counts toward a " +
            "type that needs two or more people.",
          operationId: "getApprovalStatus",
          params: VersionParams,
          response: { 200: ApprovalStatusJson, ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        statusJson(
          await apps.approvalStatus(principalOf(request), request.params.app, request.params.version),
        ),
    );

    // Approval types

    app.get(
      "/api/approval-types",
      {
        schema: {
          tags: TAGS,
          summary: "List approval types",
          operationId: "listApprovalTypes",
          response: { 200: ApprovalTypeList, ...problems(401) },
        },
      },
      async (request) => ({
        items: (await apps.listApprovalTypes(principalOf(request))).map(approvalTypeJson),
      }),
    );

    app.post(
      "/api/approval-types",
      {
        schema: {
          tags: TAGS,
          summary: "Define an approval type",
          description: "Needs charter.admin.",
          operationId: "createApprovalType",
          body: CreateApprovalTypeBody,
          response: { 201: ApprovalTypeJson, ...problems(400, 401, 403, 409, 415) },
        },
      },
      async (request, reply) => {
        const { id, declaration } = request.body;
        const { value } = await apps.putApprovalType(
          principalOf(request),
          id,
          declaration,
          false,
          request.body,
        );
        return reply.code(201).header("location", `/api/approval-types/${id}`).send(approvalTypeJson(value));
      },
    );

    app.get(
      "/api/approval-types/:type",
      {
        schema: {
          tags: TAGS,
          summary: "Read an approval type",
          operationId: "getApprovalType",
          params: ApprovalTypeParams,
          response: { 200: ApprovalTypeJson, ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        approvalTypeJson(await apps.getApprovalType(principalOf(request), request.params.type)),
    );

    app.put(
      "/api/approval-types/:type",
      {
        schema: {
          tags: TAGS,
          summary: "Create an approval type or change its declaration",
          description:
            "201 when created, 200 when changed. Past approvals keep the text they confirmed. Needs charter.admin.",
          operationId: "putApprovalType",
          params: ApprovalTypeParams,
          body: PutApprovalTypeBody,
          response: { 200: ApprovalTypeJson, 201: ApprovalTypeJson, ...problems(400, 401, 403, 415) },
        },
      },
      async (request, reply) => {
        const { type } = request.params;
        const { created, value } = await apps.putApprovalType(
          principalOf(request),
          type,
          request.body.declaration,
          true,
          request.body,
        );
        if (created) reply.code(201).header("location", `/api/approval-types/${type}`);
        return approvalTypeJson(value);
      },
    );

    app.delete(
      "/api/approval-types/:type",
      {
        schema: {
          tags: TAGS,
          summary: "Delete an approval type",
          description:
            "Built-in types, and types the policy requires, cannot be deleted. Needs charter.admin.",
          operationId: "deleteApprovalType",
          params: ApprovalTypeParams,
          response: { 204: { type: "null", description: "Deleted" }, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await apps.deleteApprovalType(principalOf(request), request.params.type);
        return reply.code(204).send(null);
      },
    );

    // Policy

    app.get(
      "/api/approval-policy",
      {
        schema: {
          tags: TAGS,
          summary: "Read the approval policy",
          description:
            "For each criticality level, which approval types a version needs and from how many people.",
          operationId: "getApprovalPolicy",
          response: { 200: PolicyJson, ...problems(401) },
        },
      },
      async (request) => ({ levels: (await apps.policy(principalOf(request))).map(policyLevelJson) }),
    );

    app.put(
      "/api/approval-policy/:level",
      {
        schema: {
          tags: TAGS,
          summary: "Replace what one criticality level requires",
          description: "Needs charter.admin; audited.",
          operationId: "putApprovalPolicyLevel",
          params: PolicyLevelParams,
          body: PutPolicyLevelBody,
          response: { 200: PolicyLevelJson, ...problems(400, 401, 403, 404, 415) },
        },
      },
      async (request) =>
        policyLevelJson(
          await apps.putPolicyLevel(
            principalOf(request),
            request.params.level as CriticalityLevel,
            request.body.requirements,
            request.body,
          ),
        ),
    );
  };
}

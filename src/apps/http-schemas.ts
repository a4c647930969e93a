import { Type } from "typebox";
import { SLUG_MAX, SLUG_PATTERN, USER_ID_PATTERN } from "../core/index.js";
import { APPROVAL_TYPE_PATTERN, MAX_PAGE_SIZE, VERSION_PATTERN } from "./limits.js";

const closed = { additionalProperties: false } as const;

export const AppId = Type.String({
  pattern: SLUG_PATTERN,
  maxLength: SLUG_MAX,
  description: "Application id",
});
export const TeamId = Type.String({ pattern: SLUG_PATTERN, maxLength: SLUG_MAX, description: "Team id" });
export const VersionId = Type.String({
  pattern: VERSION_PATTERN,
  maxLength: 64,
  description: "Version id, such as 1.4.2 or 2026-01-05-a",
});
export const ApprovalTypeId = Type.String({
  pattern: APPROVAL_TYPE_PATTERN,
  maxLength: 64,
  description: "Approval type, such as CODE_CHANGE",
});
const CriticalityLevel = Type.Integer({
  minimum: 1,
  maximum: 4,
  description: "1 is the most critical; 4 means not relevant",
});
const Timestamp = Type.String({ format: "date-time" });
const Url = Type.String({ format: "uri", maxLength: 2000 });
const Markdown = (maxLength: number) => Type.String({ maxLength, description: "Markdown" });
const Declaration = Type.String({ minLength: 1, maxLength: 4000, description: "What an approver confirms" });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
/**
 * A string or null in an answer. Written as a type list, not a union: the serializer picks a
 * union's branch by validating each value, which made a page of applications cost a millisecond.
 */
const nullableString = () => Type.Unsafe<string | null>({ type: ["string", "null"] });

function pageOf<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object(
    {
      items: Type.Array(item),
      next_cursor: Type.Unsafe<string | null>({
        type: ["string", "null"],
        description: "null on the last page",
      }),
    },
    closed,
  );
}

const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })),
  cursor: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]+$", maxLength: 400 })),
};

// Applications

export const AppParams = Type.Object({ app: AppId }, closed);

export const AppListQuery = Type.Object(
  {
    ...PageQuery,
    team: Type.Optional(TeamId),
    active: Type.Optional(Type.Boolean()),
    modified_since: Type.Optional(
      Type.String({
        format: "date-time",
        description: "Only applications changed at or after this instant, oldest change first",
      }),
    ),
    search: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Full text over id, name, subtitle and description (web-search syntax: words, "phrases", -not, or); ' +
          "best match first, with matched_rank and matched_description",
      }),
    ),
  },
  closed,
);

export const PutAppBody = Type.Object(
  {
    team_id: TeamId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    subtitle: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
    description: Type.Optional(nullable(Markdown(20_000))),
    service_url: Type.Optional(nullable(Url)),
    scm_url: Type.Optional(nullable(Url)),
    documentation_url: Type.Optional(nullable(Url)),
    specification_url: Type.Optional(nullable(Url)),
    support_url: Type.Optional(nullable(Url)),
    incident_contact: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
    criticality_level: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, default: 2 })),
    publicly_accessible: Type.Optional(Type.Boolean({ default: false })),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  closed,
);

const appFields = {
  id: AppId,
  team_id: TeamId,
  name: Type.String(),
  subtitle: nullableString(),
  description: nullableString(),
  service_url: nullableString(),
  scm_url: nullableString(),
  documentation_url: nullableString(),
  specification_url: nullableString(),
  support_url: nullableString(),
  incident_contact: nullableString(),
  criticality_level: CriticalityLevel,
  publicly_accessible: Type.Boolean(),
  active: Type.Boolean(),
  created_at: Timestamp,
  created_by: Type.String(),
  modified_at: Timestamp,
  modified_by: Type.String(),
};

export const AppJson = Type.Object(appFields, closed);
export const AppListItem = Type.Object(
  {
    ...appFields,
    matched_rank: Type.Optional(Type.Number({ description: "Only with search: higher is better" })),
    matched_description: Type.Optional(
      Type.String({ description: "Only with search: the best-matching text, matched words in <b>…</b>" }),
    ),
  },
  closed,
);
export const AppPage = pageOf(AppListItem);

// Versions

export const VersionParams = Type.Object({ app: AppId, version: VersionId }, closed);
export const VersionListQuery = Type.Object(PageQuery, closed);

export const PutVersionBody = Type.Object(
  {
    artifact: Type.String({
      minLength: 1,
      maxLength: 500,
      description: "OCI reference pinned by digest: registry/team/name:tag@sha256:<64 hex>",
    }),
    notes: Type.Optional(nullable(Markdown(20_000))),
  },
  closed,
);

export const VersionJson = Type.Object(
  {
    app_id: AppId,
    id: VersionId,
    artifact: Type.String(),
    notes: nullableString(),
    created_at: Timestamp,
    created_by: Type.String(),
    modified_at: Timestamp,
    modified_by: Type.String(),
  },
  closed,
);
export const VersionPage = pageOf(VersionJson);

// Approvals

export const ApprovalBody = Type.Object(
  { type: ApprovalTypeId, notes: Type.Optional(Type.String({ maxLength: 4000 })) },
  closed,
);

export const ApprovalJson = Type.Object(
  {
    app_id: AppId,
    version_id: VersionId,
    type: ApprovalTypeId,
    user: Type.String({ pattern: USER_ID_PATTERN }),
    at: Timestamp,
    declaration: Type.String({ description: "The declaration as the approver confirmed it" }),
    notes: nullableString(),
  },
  closed,
);
export const ApprovalList = Type.Object({ items: Type.Array(ApprovalJson) }, closed);

export const ApprovalStatusJson = Type.Object(
  {
    app_id: AppId,
    version_id: VersionId,
    criticality_level: CriticalityLevel,
    deployable: Type.Boolean(),
    missing: Type.Array(
      Type.Object(
        {
          type: ApprovalTypeId,
          needed: Type.Integer({ description: "Distinct people the policy requires" }),
          have: Type.Integer({ description: "Distinct people who count toward it" }),
        },
        closed,
      ),
    ),
  },
  closed,
);

// Approval types and the policy

export const ApprovalTypeParams = Type.Object({ type: ApprovalTypeId }, closed);
export const CreateApprovalTypeBody = Type.Object({ id: ApprovalTypeId, declaration: Declaration }, closed);
export const PutApprovalTypeBody = Type.Object({ declaration: Declaration }, closed);

export const ApprovalTypeJson = Type.Object(
  {
    id: ApprovalTypeId,
    declaration: Type.String(),
    built_in: Type.Boolean({ description: "Built-in types cannot be deleted" }),
    modified_at: Timestamp,
    modified_by: Type.String(),
  },
  closed,
);
export const ApprovalTypeList = Type.Object({ items: Type.Array(ApprovalTypeJson) }, closed);

export const PolicyLevelParams = Type.Object({ level: CriticalityLevel }, closed);

const Requirements = Type.Array(
  Type.Object(
    {
      type: ApprovalTypeId,
      approvers: Type.Integer({ minimum: 1, maximum: 10, description: "Distinct people needed" }),
    },
    closed,
  ),
  { maxItems: 50 },
);

export const PutPolicyLevelBody = Type.Object({ requirements: Requirements }, closed);
export const PolicyLevelJson = Type.Object({ level: CriticalityLevel, requirements: Requirements }, closed);
export const PolicyJson = Type.Object({ levels: Type.Array(PolicyLevelJson) }, closed);

/** A problem document (the shared `Problem` schema) as the answer for one status. */
export const problemRef = (description: string) => Type.Ref("Problem", { description });

import { Type } from "typebox";
import { SLUG_MAX, SLUG_PATTERN } from "../core/index.js";
import { MAX_PAGE_SIZE, MAX_REASON_LENGTH } from "./images-service.js";
import { TAG_PATTERN } from "./names.js";

const closed = { additionalProperties: false } as const;
const nullableString = () => Type.Unsafe<string | null>({ type: ["string", "null"] });
const Timestamp = Type.String({ format: "date-time" });

const TeamId = Type.String({ pattern: SLUG_PATTERN, maxLength: SLUG_MAX, description: "Team id" });
const ArtifactName = Type.String({ maxLength: 128, description: "Artifact (the repository's second half)" });
const TagName = Type.String({ pattern: TAG_PATTERN, maxLength: 128, description: "Tag" });

export const problemRef = (description: string) => Type.Ref("Problem", { description });

export const ArtifactListQuery = Type.Object(
  {
    team: Type.Optional(TeamId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })),
    cursor: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]+$", maxLength: 400 })),
  },
  closed,
);
export const TagListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })),
    cursor: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]+$", maxLength: 400 })),
  },
  closed,
);
export const RepositoryParams = Type.Object({ team: TeamId, artifact: ArtifactName }, closed);
export const TagParams = Type.Object({ team: TeamId, artifact: ArtifactName, tag: TagName }, closed);
export const RevokeBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: MAX_REASON_LENGTH,
      description: "Why the tag must not be used",
    }),
  },
  closed,
);

export const ArtifactJson = Type.Object(
  {
    team: Type.String(),
    artifact: Type.String(),
    repository: Type.String({ description: "<team>/<artifact>" }),
    tag_count: Type.Integer(),
    last_pushed_at: Type.Unsafe<string | null>({ type: ["string", "null"], format: "date-time" }),
  },
  closed,
);

const ProvenanceJson = Type.Object(
  {
    status: Type.Union([Type.Literal("known"), Type.Literal("missing"), Type.Literal("pending")], {
      description: "pending: the layers are still being searched for scm-source.json",
    }),
    origin: Type.Optional(
      Type.Union([Type.Literal("annotations"), Type.Literal("scm-source.json"), Type.Literal("referrer")]),
    ),
    url: Type.Optional(Type.String({ description: "The source repository" })),
    revision: Type.Optional(Type.String()),
    author: Type.Optional(nullableString()),
    clean: Type.Optional(
      Type.Unsafe<boolean | null>({
        type: ["boolean", "null"],
        description: "The working tree was clean; null: unknown",
      }),
    ),
    note: Type.Optional(Type.String({ description: "Why the provenance is missing" })),
  },
  closed,
);

export const TagJson = Type.Object(
  {
    team: Type.String(),
    artifact: Type.String(),
    repository: Type.String(),
    tag: Type.String(),
    reference: Type.String({ description: "What to pull: <registry host>/<team>/<artifact>:<tag>" }),
    digest: Type.String(),
    media_type: Type.String(),
    size: Type.Integer({ description: "Manifest, config and layers, in bytes" }),
    platforms: Type.Array(Type.String()),
    created: Type.Unsafe<string | null>({ type: ["string", "null"], format: "date-time" }),
    pushed_at: Timestamp,
    pushed_by: Type.String(),
    provenance: ProvenanceJson,
    revoked: Type.Union([
      Type.Null(),
      Type.Object({ at: Timestamp, by: Type.String(), reason: Type.String() }, closed),
    ]),
  },
  closed,
);

const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object(
    {
      items: Type.Array(item),
      next_cursor: Type.Unsafe<string | null>({
        type: ["string", "null"],
        description: "null on the last page",
      }),
    },
    closed,
  );

export const ArtifactPage = pageOf(ArtifactJson);
export const TagPage = pageOf(TagJson);

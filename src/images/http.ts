import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { principalOf } from "../core/index.js";
import type { AuthorizedImagesService } from "./authorized-service.js";
import {
  ArtifactListQuery,
  ArtifactPage,
  problemRef,
  RepositoryParams,
  RevokeBody,
  TagJson,
  TagListQuery,
  TagPage,
  TagParams,
} from "./http-schemas.js";
import type { Artifact, Page, Tag } from "./types.js";

export interface ImagesHttpOptions {
  readonly images: AuthorizedImagesService;
  /** `host[:port]` of the registry, for the pull reference of each tag. */
  readonly registryHost: string;
}

const PROBLEMS: Record<number, string> = {
  400: "The request is not valid",
  401: "No valid bearer token",
  403: "Not allowed",
  404: "Not found",
  409: "Conflicts with the current state",
};
const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, problemRef(PROBLEMS[s] ?? "Problem")]));
const TAGS = ["images"];

function artifactJson(artifact: Artifact) {
  return {
    team: artifact.team,
    artifact: artifact.artifact,
    repository: artifact.repository,
    tag_count: artifact.tagCount,
    last_pushed_at: artifact.lastPushedAt?.toISOString() ?? null,
  };
}

function tagJson(tag: Tag, registryHost: string) {
  return {
    team: tag.team,
    artifact: tag.artifact,
    repository: tag.repository,
    tag: tag.tag,
    reference: `${registryHost}/${tag.repository}:${tag.tag}`,
    digest: tag.digest,
    media_type: tag.mediaType,
    size: tag.size,
    platforms: [...(tag.platforms ?? [])],
    created: tag.created?.toISOString() ?? null,
    pushed_at: tag.pushedAt.toISOString(),
    pushed_by: tag.pushedBy,
    provenance: { ...tag.provenance },
    revoked:
      tag.revoked === null
        ? null
        : { at: tag.revoked.at.toISOString(), by: tag.revoked.by, reason: tag.revoked.reason },
  };
}

function pageJson<T, J>(page: Page<T>, toJson: (item: T) => J) {
  return { items: page.items.map(toJson), next_cursor: page.nextCursor ?? null };
}

/**
 * The image registry's REST API under `/api/images`: a team's artifacts, their tags with digest,
 * provenance, pusher and revoked state, and tag revocation. (The OCI protocol is at `/v2/`.)
 */
export function imagesHttp(options: ImagesHttpOptions): FastifyPluginAsyncTypebox {
  const { images, registryHost } = options;
  const toTag = (tag: Tag) => tagJson(tag, registryHost);
  return async (app) => {
    app.get(
      "/api/images",
      {
        schema: {
          tags: TAGS,
          summary: "List artifacts (repositories), of one team or all",
          operationId: "listArtifacts",
          querystring: ArtifactListQuery,
          response: { 200: ArtifactPage, ...problems(400, 401) },
        },
      },
      async (request) => {
        const { team, limit, cursor } = request.query;
        const page = await images.listArtifacts(principalOf(request), {
          ...(team === undefined ? {} : { team }),
          ...(limit === undefined ? {} : { limit }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        return pageJson(page, artifactJson);
      },
    );

    app.get(
      "/api/images/:team/:artifact/tags",
      {
        schema: {
          tags: TAGS,
          summary: "List an artifact's tags, newest first",
          operationId: "listImageTags",
          params: RepositoryParams,
          querystring: TagListQuery,
          response: { 200: TagPage, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const { team, artifact } = request.params;
        const { limit, cursor } = request.query;
        const page = await images.listTags(principalOf(request), team, artifact, {
          ...(limit === undefined ? {} : { limit }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        return pageJson(page, toTag);
      },
    );

    app.get(
      "/api/images/:team/:artifact/tags/:tag",
      {
        schema: {
          tags: TAGS,
          summary: "Read a tag: digest, size, created, pushed by, provenance, revoked",
          operationId: "getImageTag",
          params: TagParams,
          response: { 200: TagJson, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const { team, artifact, tag } = request.params;
        return toTag(await images.getTag(principalOf(request), team, artifact, tag));
      },
    );

    app.post(
      "/api/images/:team/:artifact/tags/:tag/revoke",
      {
        schema: {
          tags: TAGS,
          summary: "Revoke a tag (it stays, marked unusable, with the reason)",
          operationId: "revokeImageTag",
          params: TagParams,
          body: RevokeBody,
          response: { 200: TagJson, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const { team, artifact, tag } = request.params;
        return toTag(await images.revokeTag(principalOf(request), team, artifact, tag, request.body.reason));
      },
    );
  };
}

import { type AuditSink, type Clock, CoreErrors, systemClock } from "../core/index.js";
import type { Database } from "../db/index.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { ImagesErrors } from "./errors.js";
import { isTag, type RepositoryName } from "./names.js";
import { ImagesStore } from "./store.js";
import type { Artifact, ChangeContext, Page, Tag } from "./types.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
export const MAX_REASON_LENGTH = 1000;

export interface ImagesServiceOptions {
  readonly db: Database;
  readonly audit: AuditSink;
  readonly clock?: Clock;
}

function pageSize(limit: number | undefined): number {
  const size = limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw CoreErrors.CORE_VALIDATION_FAILED(`limit must be 1..${MAX_PAGE_SIZE}, got ${limit}`, {
      field: "limit",
    });
  }
  return size;
}

/**
 * The registry as people see it: a team's artifacts, their tags with digest, provenance, who pushed
 * them and whether they are revoked; and revocation, the one change to a tag after its push.
 */
export class ImagesService {
  readonly #store: ImagesStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;

  constructor(options: ImagesServiceOptions) {
    this.#store = new ImagesStore(options.db);
    this.#audit = options.audit;
    this.#clock = options.clock ?? systemClock;
  }

  async listArtifacts(request: { team?: string; limit?: number; cursor?: string }): Promise<Page<Artifact>> {
    const limit = pageSize(request.limit);
    const rows = await this.#store.listArtifacts({
      ...(request.team === undefined ? {} : { team: request.team }),
      ...(request.cursor === undefined ? {} : { after: decodeCursor(request.cursor) }),
      limit: limit + 1,
    });
    if (rows.length <= limit) return { items: rows };
    const items = rows.slice(0, limit);
    return { items, nextCursor: encodeCursor(items.at(-1)!.repository) };
  }

  /** Tags of a repository, newest first. */
  async listTags(repo: RepositoryName, request: { limit?: number; cursor?: string }): Promise<Page<Tag>> {
    const limit = pageSize(request.limit);
    if (!(await this.#store.repositoryExists(repo.name))) {
      throw ImagesErrors.IMAGES_NAME_UNKNOWN(`there is no repository ${repo.name}`);
    }
    const rows = await this.#store.listTags(
      repo.name,
      limit + 1,
      request.cursor === undefined ? undefined : tagCursor(request.cursor),
    );
    if (rows.length <= limit) return { items: rows };
    const items = rows.slice(0, limit);
    const last = items.at(-1)!;
    return { items, nextCursor: encodeCursor(`${last.pushedAt.toISOString()} ${last.tag}`) };
  }

  async getTag(repo: RepositoryName, tag: string): Promise<Tag> {
    const found = isTag(tag) ? await this.#store.findTag(repo.name, tag) : undefined;
    if (found === undefined)
      throw ImagesErrors.IMAGES_TAG_NOT_FOUND(`${repo.name} has no tag ${tag.slice(0, 140)}`);
    return found;
  }

  /**
   * Marks a tag unusable, with a reason. The tag stays (tags are never deleted): it is shown as
   * revoked everywhere, and deployment and the instance agent refuse it.
   */
  async revokeTag(repo: RepositoryName, tag: string, reason: string, change: ChangeContext): Promise<Tag> {
    const trimmed = reason.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_REASON_LENGTH) {
      throw CoreErrors.CORE_VALIDATION_FAILED(`reason must be 1..${MAX_REASON_LENGTH} characters`, {
        field: "reason",
      });
    }
    await this.getTag(repo, tag);
    const at = this.#clock.now();
    await this.#store.transaction(async (store, tx) => {
      if (!(await store.revokeTag(repo.name, tag, { at, by: change.actor.sub, reason: trimmed }))) {
        throw ImagesErrors.IMAGES_TAG_ALREADY_REVOKED(`${repo.name}:${tag} is already revoked`);
      }
      await this.#audit.append(tx, {
        actor: change.actor,
        action: "image.tag.revoke",
        target: `image/${repo.name}:${tag}`,
        body: change.body ?? { reason: trimmed },
      });
    });
    return this.getTag(repo, tag);
  }
}

function tagCursor(cursor: string): { at: Date; tag: string } {
  const [at, tag, ...rest] = decodeCursor(cursor).split(" ");
  const when = new Date(at ?? "");
  if (tag === undefined || rest.length > 0 || Number.isNaN(when.getTime())) {
    throw ImagesErrors.IMAGES_INVALID_CURSOR("cursor was not returned by this list", { field: "cursor" });
  }
  return { at: when, tag };
}

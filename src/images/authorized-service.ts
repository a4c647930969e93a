import { actorOf, type Principal } from "../core/index.js";
import { ImagesErrors } from "./errors.js";
import type { ImagesService } from "./images-service.js";
import { parseRepositoryName } from "./names.js";
import type { RegistryAccess } from "./registry-access.js";
import type { Artifact, Page, Tag } from "./types.js";

/**
 * `/api/images` with the registry's rules (`RegistryAccess`): every authenticated principal reads,
 * as every one may pull; revoking a tag needs the right to push into its team's namespace.
 */
export class AuthorizedImagesService {
  readonly #images: ImagesService;
  readonly #access: RegistryAccess;

  constructor(images: ImagesService, access: RegistryAccess) {
    this.#images = images;
    this.#access = access;
  }

  listArtifacts(
    _principal: Principal,
    request: { team?: string; limit?: number; cursor?: string },
  ): Promise<Page<Artifact>> {
    return this.#images.listArtifacts(request);
  }

  listTags(
    _principal: Principal,
    team: string,
    artifact: string,
    request: { limit?: number; cursor?: string },
  ): Promise<Page<Tag>> {
    return this.#images.listTags(parseRepositoryName(team, artifact), request);
  }

  getTag(_principal: Principal, team: string, artifact: string, tag: string): Promise<Tag> {
    return this.#images.getTag(parseRepositoryName(team, artifact), tag);
  }

  async revokeTag(
    principal: Principal,
    team: string,
    artifact: string,
    tag: string,
    reason: string,
  ): Promise<Tag> {
    const repo = parseRepositoryName(team, artifact);
    if (!(await this.#access.canChange(principal, team))) {
      throw ImagesErrors.IMAGES_DENIED(`revoking tags of ${repo.name} needs membership in team ${team}`);
    }
    return this.#images.revokeTag(repo, tag, reason, { actor: actorOf(principal), body: { reason } });
  }
}

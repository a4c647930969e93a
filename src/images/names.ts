import { isSlug } from "../core/index.js";
import { ImagesErrors } from "./errors.js";

/** An OCI path component (distribution-spec "name" grammar), as the artifact half of a repository. */
const ARTIFACT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const ARTIFACT_MAX = 128;
/** The OCI tag grammar. */
export const TAG_PATTERN = "^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$";
const TAG = new RegExp(TAG_PATTERN);

/** A repository in a team's namespace: `<team>/<artifact>`. */
export interface RepositoryName {
  readonly team: string;
  readonly artifact: string;
  /** `<team>/<artifact>` */
  readonly name: string;
}

export function parseRepositoryName(team: string, artifact: string): RepositoryName {
  if (!isSlug(team)) {
    throw ImagesErrors.IMAGES_NAME_INVALID(
      `"${team.slice(0, 80)}" is not a team id; names are <team>/<artifact>`,
    );
  }
  if (artifact.length > ARTIFACT_MAX || !ARTIFACT.test(artifact)) {
    throw ImagesErrors.IMAGES_NAME_INVALID(
      `"${artifact.slice(0, 140)}" is not a valid artifact name (lower-case letters, digits, ".", "_", "-")`,
    );
  }
  return { team, artifact, name: `${team}/${artifact}` };
}

/** Parses `<team>/<artifact>` as it appears in a token scope or a mount's `from`. */
export function parseRepositoryPath(path: string): RepositoryName {
  const parts = path.split("/");
  if (parts.length !== 2) {
    throw ImagesErrors.IMAGES_NAME_INVALID(`"${path.slice(0, 140)}" is not <team>/<artifact>`);
  }
  return parseRepositoryName(parts[0]!, parts[1]!);
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

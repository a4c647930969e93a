import { usageError } from "../../cli-error.js";

/** A repository `<team>/<artifact>` as the user typed it. */
export interface RepositoryName {
  readonly team: string;
  readonly artifact: string;
}

/** A tagged image `<team>/<artifact>:<tag>`. */
export interface TagName extends RepositoryName {
  readonly tag: string;
}

const EXAMPLE_REPOSITORY = "platform/shop";
const EXAMPLE_TAG = "platform/shop:1.0.0";

/**
 * Reads `<team>/<artifact>`. A leading registry host, as in a pull reference
 * (`charter.example.com/platform/shop`), is dropped, so that references can be pasted.
 */
export function parseRepositoryName(text: string): RepositoryName {
  const segments = withoutRegistryHost(text.split("/"));
  const [team, artifact] = segments;
  if (
    segments.length !== 2 ||
    team === undefined ||
    artifact === undefined ||
    team === "" ||
    artifact === ""
  ) {
    throw usageError(`"${text}" is not <team>/<artifact>, for example ${EXAMPLE_REPOSITORY}`);
  }
  if (artifact.includes(":") || artifact.includes("@")) {
    throw usageError(
      `"${text}" names a tag or digest; give only <team>/<artifact>, for example ${EXAMPLE_REPOSITORY}`,
    );
  }
  return { team, artifact };
}

/** Reads `<team>/<artifact>:<tag>` (or a whole pull reference with the registry host in front). */
export function parseTagName(text: string): TagName {
  if (text.includes("@")) {
    throw usageError(`"${text}" names a digest; give <team>/<artifact>:<tag>, for example ${EXAMPLE_TAG}`);
  }
  const slash = text.lastIndexOf("/");
  const colon = text.lastIndexOf(":");
  if (colon <= slash || colon === text.length - 1) {
    throw usageError(`"${text}" has no tag; give <team>/<artifact>:<tag>, for example ${EXAMPLE_TAG}`);
  }
  const repository = parseRepositoryName(text.slice(0, colon));
  return { ...repository, tag: text.slice(colon + 1) };
}

/** `<team>/<artifact>:<tag>`, the way the commands name a tag in messages. */
export function tagNameText(name: TagName): string {
  return `${name.team}/${name.artifact}:${name.tag}`;
}

// Docker's rule: the first segment is a registry host when it has a dot or a port, or is localhost.
function withoutRegistryHost(segments: readonly string[]): readonly string[] {
  const first = segments[0] ?? "";
  const isHost =
    segments.length === 3 && (first.includes(".") || first.includes(":") || first === "localhost");
  return isHost ? segments.slice(1) : segments;
}

import { AppsErrors } from "./errors.js";

// registry[:port]/team/name[/more]:tag@sha256:<64 hex>, following the OCI distribution grammar.
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REGISTRY =
  "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?";
const TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const REFERENCE = new RegExp(`^(${REGISTRY})/(${COMPONENT})((?:/${COMPONENT})+)(?::(${TAG}))?(?:@(.+))?$`);
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** An artifact reference, taken apart. */
export interface ArtifactReference {
  readonly registry: string;
  readonly team: string;
  readonly name: string;
  readonly tag?: string;
  readonly digest: string;
}

/**
 * Checks that an artifact names an image in a registry and is pinned by its digest, since a tag
 * can be moved and a version must name exactly one image. Throws `APPS_ARTIFACT_DIGEST_REQUIRED`
 * for a reference without a digest and `APPS_ARTIFACT_INVALID` for anything else that is wrong.
 */
export function parseArtifact(artifact: string): ArtifactReference {
  const match = REFERENCE.exec(artifact);
  if (match === null) {
    throw AppsErrors.APPS_ARTIFACT_INVALID(
      `artifact "${artifact}" is not an OCI reference of the form registry/team/name:tag@sha256:<digest>`,
      { field: "artifact" },
    );
  }
  const [, registry, team, name, tag, digest] = match;
  if (digest === undefined) {
    throw AppsErrors.APPS_ARTIFACT_DIGEST_REQUIRED(
      `artifact "${artifact}" has no digest; append @sha256:<64 hex> so the version names one image`,
      { field: "artifact" },
    );
  }
  if (!DIGEST.test(digest)) {
    throw AppsErrors.APPS_ARTIFACT_INVALID(`artifact digest "${digest}" is not sha256:<64 lower-case hex>`, {
      field: "artifact",
    });
  }
  return {
    registry: registry!,
    team: team!,
    name: name!.slice(1),
    ...(tag === undefined ? {} : { tag }),
    digest,
  };
}

import type { Provenance } from "./provenance.js";
import { fieldProblem, splitRevision } from "./source-field.js";

/** The OCI annotation (or image label) naming the source repository. */
export const SOURCE_ANNOTATION = "org.opencontainers.image.source";
/** The OCI annotation (or image label) naming the source revision. */
export const REVISION_ANNOTATION = "org.opencontainers.image.revision";
/** The OCI annotation (or image label) naming the people responsible for the image. */
export const AUTHORS_ANNOTATION = "org.opencontainers.image.authors";

/**
 * Provenance from the OCI pre-defined annotations `org.opencontainers.image.source` and
 * `org.opencontainers.image.revision` (plus `…authors`), looked up in the manifest's annotations
 * first and then in the image config's `Labels`, key by key: `docker buildx` writes labels, `oras`
 * and `buildah` annotations. Unusable values (empty, over 2000 characters, control characters) count
 * as absent. Undefined unless both a source and a revision are found.
 *
 * The annotations do not say whether the working tree was clean, so `clean` is `null`, unless the
 * revision carries the STUPS ` (locally modified)` suffix.
 *
 * @example
 * ```ts
 * provenanceFromAnnotations(manifest.annotations, config.config?.Labels)
 * // { origin: "annotations", url: "https://github.com/acme/shop", revision: "4f2c…", author: null, clean: null }
 * ```
 */
export function provenanceFromAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  labels?: Readonly<Record<string, string>>,
): Provenance | undefined {
  const lookup = (key: string) => usable(annotations?.[key]) ?? usable(labels?.[key]);
  const url = lookup(SOURCE_ANNOTATION);
  const rawRevision = lookup(REVISION_ANNOTATION);
  if (url === undefined || rawRevision === undefined) return undefined;
  const { revision, modified } = splitRevision(rawRevision);
  if (revision.length === 0) return undefined;
  return {
    origin: "annotations",
    url,
    revision,
    author: lookup(AUTHORS_ANNOTATION) ?? null,
    clean: modified ? false : null,
  };
}

function usable(value: unknown): string | undefined {
  return typeof value === "string" && fieldProblem(value) === undefined ? value : undefined;
}

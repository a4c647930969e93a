import { MAX_SCM_SOURCE_BYTES } from "./scm-source.js";

/** The artifactType of a referrer artifact that carries an image's scm-source.json. */
export const SCM_SOURCE_ARTIFACT_TYPE = "application/vnd.charter.scm-source.v1+json";

/** The OCI empty descriptor's media type: a config that carries nothing (`{}`). */
const EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
const TITLE_ANNOTATION = "org.opencontainers.image.title";
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** The parts of a (parsed) referrer manifest that say whether and where it carries scm-source.json. */
export interface ReferrerManifestLike {
  readonly artifactType?: unknown;
  readonly config?: { readonly mediaType?: unknown } | null;
  readonly layers?: unknown;
}

/** Where the scm-source.json of a referrer artifact is, or why it cannot be read. */
export type ScmSourceLayer =
  | { readonly ok: true; readonly digest: string; readonly size: number; readonly mediaType: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether a manifest is an scm-source referrer: its `artifactType` is {@link SCM_SOURCE_ARTIFACT_TYPE},
 * or, lacking one, its config's media type is (the OCI 1.1 rule for artifacts without artifactType).
 */
export function isScmSourceArtifact(manifest: ReferrerManifestLike): boolean {
  const configType = manifest.config?.mediaType;
  const type = manifest.artifactType ?? (configType === EMPTY_MEDIA_TYPE ? undefined : configType);
  return type === SCM_SOURCE_ARTIFACT_TYPE;
}

/**
 * The layer of an scm-source referrer artifact that holds the scm-source.json content: the first
 * layer whose media type is `application/json` or the artifact type, or else the one titled
 * `scm-source.json` (what `oras attach` produces for a file given without a media type). The layer's
 * declared size is checked against {@link MAX_SCM_SOURCE_BYTES} so the caller never fetches a blob
 * it would refuse.
 *
 * @example
 * ```ts
 * if (isScmSourceArtifact(referrer)) {
 *   const layer = scmSourceLayerOf(referrer);
 *   const result = layer.ok ? parseScmSource(await readBlob(layer.digest), "referrer") : layer;
 * }
 * ```
 */
export function scmSourceLayerOf(manifest: ReferrerManifestLike): ScmSourceLayer {
  if (!isScmSourceArtifact(manifest)) return { ok: false, reason: "referrer is not an scm-source artifact" };
  const layers = Array.isArray(manifest.layers) ? manifest.layers.filter(isDescriptor) : [];
  const layer =
    layers.find((l) => l.mediaType === "application/json" || l.mediaType === SCM_SOURCE_ARTIFACT_TYPE) ??
    layers.find((l) => l.annotations?.[TITLE_ANNOTATION] === "scm-source.json");
  if (layer === undefined) return { ok: false, reason: "scm-source referrer has no scm-source.json layer" };
  if (layer.size > MAX_SCM_SOURCE_BYTES) {
    return {
      ok: false,
      reason: `scm-source.json is ${layer.size} bytes, more than the ${MAX_SCM_SOURCE_BYTES} allowed`,
    };
  }
  return { ok: true, digest: layer.digest, size: layer.size, mediaType: layer.mediaType };
}

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

function isDescriptor(value: unknown): value is Descriptor {
  if (typeof value !== "object" || value === null) return false;
  const d = value as Record<string, unknown>;
  return (
    typeof d.mediaType === "string" &&
    typeof d.digest === "string" &&
    DIGEST.test(d.digest) &&
    Number.isSafeInteger(d.size) &&
    (d.size as number) >= 0 &&
    (d.annotations === undefined || (typeof d.annotations === "object" && d.annotations !== null))
  );
}

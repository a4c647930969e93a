import { isDigest } from "./digest.js";
import { ImagesErrors } from "./errors.js";

export const MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  ociEmpty: "application/vnd.oci.empty.v1+json",
} as const;

/** The manifest media types the registry stores; anything else is refused rather than kept opaque. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
];

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
  readonly platform?: { readonly os?: string; readonly architecture?: string; readonly variant?: string };
}

/** What the registry needs to know of a manifest or an index. */
export interface ParsedManifest {
  readonly mediaType: string;
  readonly isIndex: boolean;
  /** `artifactType`, or for an image manifest the config's media type when it is not an image config. */
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly config?: Descriptor;
  readonly layers: readonly Descriptor[];
  /** The manifests an index lists. */
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Record<string, string>;
}

function invalid(detail: string): never {
  throw ImagesErrors.IMAGES_MANIFEST_INVALID(detail);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === "string")) {
    invalid(`${where} must map strings to strings`);
  }
  return value as Record<string, string>;
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isRecord(value)) invalid(`${where} must be a descriptor object`);
  const { mediaType, digest, size, artifactType, annotations, platform } = value;
  if (typeof mediaType !== "string" || mediaType.length === 0 || mediaType.length > 255) {
    invalid(`${where}.mediaType must be a media type`);
  }
  if (typeof digest !== "string" || !isDigest(digest))
    invalid(`${where}.digest must be a sha256 or sha512 digest`);
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    invalid(`${where}.size must be a non-negative integer`);
  }
  if (artifactType !== undefined && typeof artifactType !== "string")
    invalid(`${where}.artifactType must be a string`);
  const result: {
    mediaType: string;
    digest: string;
    size: number;
    artifactType?: string;
    annotations?: Record<string, string>;
    platform?: Descriptor["platform"];
  } = { mediaType, digest, size };
  if (artifactType !== undefined) result.artifactType = artifactType;
  const notes = stringMap(annotations, `${where}.annotations`);
  if (notes !== undefined) result.annotations = notes;
  if (isRecord(platform)) {
    const { os, architecture, variant } = platform;
    result.platform = {
      ...(typeof os === "string" ? { os } : {}),
      ...(typeof architecture === "string" ? { architecture } : {}),
      ...(typeof variant === "string" ? { variant } : {}),
    };
  }
  return result;
}

function descriptors(value: unknown, where: string): Descriptor[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) invalid(`${where} must be an array`);
  return value.map((item, i) => descriptor(item, `${where}[${i}]`));
}

/**
 * Parses and checks a manifest as pushed. The media type comes from the `mediaType` field, or the
 * request's Content-Type when the field is absent (it is optional in OCI manifests); when both are
 * present they must agree, as the specification requires.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    invalid("the manifest is not valid JSON");
  }
  if (!isRecord(json)) invalid("the manifest must be a JSON object");
  if (json.schemaVersion !== 2) invalid("schemaVersion must be 2");
  const declared = typeof json.mediaType === "string" ? json.mediaType : undefined;
  const headerType = contentType?.split(";")[0]?.trim().toLowerCase();
  const mediaType = declared ?? headerType;
  if (mediaType === undefined || !MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    invalid(`media type "${String(mediaType).slice(0, 100)}" is not an OCI or Docker v2 manifest or index`);
  }
  if (
    declared !== undefined &&
    headerType !== undefined &&
    headerType !== declared &&
    MANIFEST_MEDIA_TYPES.includes(headerType)
  ) {
    invalid(`Content-Type "${headerType}" does not match the manifest's mediaType "${declared}"`);
  }
  const isIndex = mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList;
  const annotations = stringMap(json.annotations, "annotations");
  const subject = json.subject === undefined ? undefined : descriptor(json.subject, "subject");
  if (json.artifactType !== undefined && typeof json.artifactType !== "string")
    invalid("artifactType must be a string");
  if (isIndex) {
    if (!Array.isArray(json.manifests)) invalid("an index must list manifests");
    return {
      mediaType,
      isIndex,
      ...(json.artifactType === undefined ? {} : { artifactType: json.artifactType as string }),
      ...(subject === undefined ? {} : { subject }),
      layers: [],
      manifests: descriptors(json.manifests, "manifests"),
      ...(annotations === undefined ? {} : { annotations }),
    };
  }
  if (json.config === undefined) invalid("a manifest must have a config");
  const config = descriptor(json.config, "config");
  const layers = descriptors(json.layers, "layers");
  if (mediaType === MEDIA_TYPES.dockerManifest && layers.length === 0)
    invalid("a Docker manifest must have layers");
  const artifactType =
    (json.artifactType as string | undefined) ??
    (config.mediaType === MEDIA_TYPES.ociConfig || config.mediaType === MEDIA_TYPES.dockerConfig
      ? undefined
      : config.mediaType);
  return {
    mediaType,
    isIndex,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(subject === undefined ? {} : { subject }),
    config,
    layers,
    manifests: [],
    ...(annotations === undefined ? {} : { annotations }),
  };
}

/** True for a config the registry can read `created` and labels from. */
export function isImageConfig(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociConfig || mediaType === MEDIA_TYPES.dockerConfig;
}

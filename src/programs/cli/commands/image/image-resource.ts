/**
 * The image registry's answers as the CLI reads them (the server's OpenAPI document is the full
 * reference). Kept beside the commands that use them.
 */

/** One repository `<team>/<artifact>`, as `GET /api/images` lists it. */
export interface Artifact {
  readonly team: string;
  readonly artifact: string;
  readonly repository: string;
  readonly tag_count: number;
  readonly last_pushed_at: string | null;
}

/** Where a tag's image was built from; `missing` and `pending` carry no source. */
export interface ImageProvenance {
  readonly status: "known" | "missing" | "pending";
  readonly origin?: "annotations" | "scm-source.json" | "referrer";
  readonly url?: string;
  readonly revision?: string;
  readonly author?: string | null;
  readonly clean?: boolean | null;
  /** Why the provenance is missing. */
  readonly note?: string;
}

export interface Revocation {
  readonly at: string;
  readonly by: string;
  readonly reason: string;
}

/** One tag of an artifact, as the tag list and `GET …/tags/{tag}` answer it. */
export interface ImageTag {
  readonly team: string;
  readonly artifact: string;
  readonly repository: string;
  readonly tag: string;
  /** What to pull: `<registry host>/<team>/<artifact>:<tag>`. */
  readonly reference: string;
  readonly digest: string;
  readonly media_type: string;
  readonly size: number;
  readonly platforms: readonly string[];
  readonly created: string | null;
  readonly pushed_at: string;
  readonly pushed_by: string;
  readonly provenance: ImageProvenance;
  readonly revoked: Revocation | null;
}

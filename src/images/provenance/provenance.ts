/** Where a tag's provenance was read from. */
export type ProvenanceOrigin = "annotations" | "scm-source.json" | "referrer";

/** The source an image was built from: repository, revision, author and whether the checkout was clean. */
export interface Provenance {
  readonly origin: ProvenanceOrigin;
  /** Repository URL, e.g. `git:git@github.com:acme/shop.git` or `https://github.com/acme/shop`. */
  readonly url: string;
  /** Commit id; a ` (locally modified)` suffix is stripped and makes `clean` false. */
  readonly revision: string;
  readonly author: string | null;
  /** `null` when the source does not say. */
  readonly clean: boolean | null;
}

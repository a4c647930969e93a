import type { Actor } from "../core/index.js";

/** Where an image's source is known from, or why it is not. */
export interface ProvenanceView {
  readonly status: "known" | "missing" | "pending";
  readonly origin?: "annotations" | "scm-source.json" | "referrer";
  readonly url?: string;
  readonly revision?: string;
  readonly author?: string | null;
  /** Whether the working tree was clean at build time; null when the source does not say. */
  readonly clean?: boolean | null;
  /** Why provenance is missing, when it is. */
  readonly note?: string;
}

export interface Revocation {
  readonly at: Date;
  readonly by: string;
  readonly reason: string;
}

/** A tag as the API shows it: what it points to, who pushed it, where it came from. */
export interface Tag {
  readonly team: string;
  readonly artifact: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly mediaType: string;
  /** Manifest, config and layers, in bytes (for an index: the index and its manifests). */
  readonly size: number;
  readonly platforms?: readonly string[];
  /** The image's creation time from its config, when it has one. */
  readonly created: Date | null;
  readonly pushedAt: Date;
  readonly pushedBy: string;
  readonly provenance: ProvenanceView;
  readonly revoked: Revocation | null;
}

/** A repository in a team's namespace. */
export interface Artifact {
  readonly team: string;
  readonly artifact: string;
  readonly repository: string;
  readonly tagCount: number;
  readonly lastPushedAt: Date | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface ChangeContext {
  readonly actor: Actor;
  readonly body?: unknown;
}

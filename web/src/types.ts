/** The API's JSON shapes the console reads (see docs/openapi.json). */

export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

export interface App {
  readonly id: string;
  readonly team_id: string;
  readonly name: string;
  readonly subtitle: string | null;
  readonly description: string | null;
  readonly service_url: string | null;
  readonly scm_url: string | null;
  readonly documentation_url: string | null;
  readonly specification_url: string | null;
  readonly support_url: string | null;
  readonly incident_contact: string | null;
  readonly criticality_level: number;
  readonly publicly_accessible: boolean;
  readonly active: boolean;
  readonly created_at: string;
  readonly created_by: string;
  readonly modified_at: string;
  readonly modified_by: string;
  readonly matched_rank?: number;
  readonly matched_description?: string;
}

export interface Version {
  readonly app_id: string;
  readonly id: string;
  readonly artifact: string;
  readonly notes: string | null;
  readonly created_at: string;
  readonly created_by: string;
  readonly modified_at: string;
  readonly modified_by: string;
}

export interface Approval {
  readonly type: string;
  readonly user: string;
  readonly at: string;
  readonly declaration: string;
  readonly notes: string | null;
}

export interface ApprovalStatus {
  readonly deployable: boolean;
  readonly criticality_level: number;
  readonly missing: { readonly type: string; readonly needed: number; readonly have: number }[];
}

export interface ApprovalType {
  readonly id: string;
  readonly declaration: string;
}

export interface Team {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly aws_accounts: string[];
  readonly members?: string[];
  readonly created_at: string;
}

export interface Client {
  readonly id: string;
  readonly team_id: string;
  readonly name: string;
  readonly description: string;
  readonly confidential: boolean;
  readonly redirect_uris: string[];
  readonly scopes: string[];
  readonly created_at: string;
  readonly created_by: string;
  readonly secret_rotated_at: string | null;
  readonly client_secret?: string;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor_sub: string;
  readonly actor_realm: string;
  readonly action: string;
  readonly target: string;
  readonly body_sha256: string;
  readonly hash: string;
}

export interface AuditPage {
  readonly items: AuditEntry[];
  readonly next_cursor: number | null;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly checkpoints: number;
  readonly last_seq: number | null;
  readonly last_checkpoint_seq: number | null;
  readonly uncovered_entries: number;
  readonly first_broken?: { seq: number; reason: string; detail: string };
}

/** A repository of the image registry: `<team>/<artifact>`. */
export interface Artifact {
  readonly team: string;
  readonly artifact: string;
  readonly repository: string;
  readonly tag_count: number;
  readonly last_pushed_at: string | null;
}

/** Where an image was built from; `missing` and `pending` carry a note saying why. */
export interface ImageProvenance {
  readonly status: "known" | "missing" | "pending";
  readonly origin?: "annotations" | "scm-source.json" | "referrer";
  readonly url?: string;
  readonly revision?: string;
  readonly author?: string | null;
  readonly clean?: boolean | null;
  readonly note?: string;
}

/** An immutable tag of an artifact, with what the registry knows about it. */
export interface ImageTag {
  readonly team: string;
  readonly artifact: string;
  readonly repository: string;
  readonly tag: string;
  readonly reference: string;
  readonly digest: string;
  readonly media_type: string;
  readonly size: number;
  readonly platforms: string[];
  readonly created: string | null;
  readonly pushed_at: string;
  readonly pushed_by: string;
  readonly provenance: ImageProvenance;
  readonly revoked: null | { readonly at: string; readonly by: string; readonly reason: string };
}

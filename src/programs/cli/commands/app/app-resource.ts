/**
 * The application registry's answers as the CLI reads them (the server's OpenAPI document is the
 * full reference). Kept beside the commands that use them.
 */

export interface App {
  readonly id: string;
  readonly team_id: string;
  readonly name: string;
  readonly subtitle?: string | null;
  readonly description?: string | null;
  readonly service_url?: string | null;
  readonly scm_url?: string | null;
  readonly documentation_url?: string | null;
  readonly specification_url?: string | null;
  readonly support_url?: string | null;
  readonly incident_contact?: string | null;
  readonly criticality_level: number;
  readonly publicly_accessible: boolean;
  readonly active: boolean;
  readonly modified_at?: string;
  readonly modified_by?: string;
  /** Only in search results. */
  readonly matched_description?: string;
}

export interface Version {
  readonly app_id: string;
  readonly id: string;
  readonly artifact: string;
  readonly notes?: string | null;
  readonly created_at?: string;
  readonly created_by?: string;
}

export interface ApprovalType {
  readonly id: string;
  readonly declaration: string;
}

export interface Approval {
  readonly type: string;
  readonly user: string;
  readonly at: string;
  readonly declaration: string;
  readonly notes?: string | null;
}

export interface ApprovalStatus {
  readonly deployable: boolean;
  readonly criticality_level?: number;
  readonly missing: readonly { readonly type: string; readonly needed: number; readonly have: number }[];
}

/** The fields `app create` and `app update` set, as the PUT body names them. */
export const APP_FIELDS = [
  "name",
  "subtitle",
  "description",
  "service_url",
  "scm_url",
  "documentation_url",
  "specification_url",
  "support_url",
  "incident_contact",
] as const;

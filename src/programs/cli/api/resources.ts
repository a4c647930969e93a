/**
 * The shapes of the API's answers as the CLI reads them. Fields the CLI only passes through to
 * `--json` are not listed; the server's OpenAPI document is the full reference.
 */

/** One page of a list; `next_cursor` is absent on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next_cursor?: string | number | null;
}

export interface Team {
  readonly id: string;
  readonly name: string;
  readonly description?: string | null;
  readonly aws_accounts?: readonly string[];
  readonly members?: readonly string[];
}

export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly scopes?: readonly string[];
  readonly disabled?: boolean;
  readonly teams?: readonly string[];
}

export interface Client {
  readonly id: string;
  readonly team_id: string;
  readonly name: string;
  readonly description?: string | null;
  readonly confidential: boolean;
  readonly redirect_uris?: readonly string[];
  readonly scopes?: readonly string[];
  /** Present only in the answer to a create or a rotation. */
  readonly client_secret?: string;
}

export interface ResourceType {
  readonly id: string;
  readonly name: string;
  readonly description?: string | null;
}

export interface Scope {
  readonly name?: string;
  readonly resource_type?: string;
  readonly id?: string;
  readonly description?: string | null;
}

/** One entry of the audit log, as `GET /api/audit` lists it. */
export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor_sub: string;
  readonly actor_realm: string;
  readonly action: string;
  readonly target: string;
}

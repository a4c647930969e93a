import type { Kysely } from "kysely";
import type { Actor } from "./principal.js";

/** One change, as a part reports it to the audit log. */
export interface AuditRecord {
  readonly actor: Actor;
  /** `<noun>.<verb>`, for example `team.create` or `client.secret.rotate`. */
  readonly action: string;
  /** What was changed, for example `team/platform` or `client/billing-api`. */
  readonly target: string;
  /**
   * The request body or the change's inputs. Only its SHA-256 (with secret-named fields removed) is
   * stored, so this may carry anything the caller sent.
   */
  readonly body?: unknown;
}

/**
 * The port through which parts append to the tamper-evident audit log. `append` must run on the
 * same transaction as the change it records, so that both commit or neither does.
 */
export interface AuditSink {
  append(tx: Kysely<any>, record: AuditRecord): Promise<void>;
}

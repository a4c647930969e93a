import { defineErrors } from "../core/index.js";

/** The audit part's stable error codes. */
export const AuditErrors = defineErrors({
  /** Also what a caller without `charter.audit` or `charter.admin` sees on export and verify. */
  AUDIT_NOT_FOUND: { kind: "not_found", title: "Audit log not found" },
  AUDIT_INVALID_QUERY: { kind: "invalid", title: "Audit query is not valid" },
  AUDIT_INVALID_OPTIONS: { kind: "invalid", title: "Audit options are not valid" },
  /** A part passed a record the log cannot store; a programming error, never the caller's fault. */
  AUDIT_INVALID_RECORD: { kind: "internal", title: "Audit record is not valid" },
  /** The checkpointer refused to sign a segment whose hashes do not recompute. */
  AUDIT_CHAIN_BROKEN: { kind: "internal", title: "Audit chain is broken" },
  AUDIT_CHECKPOINT_KEY_UNAVAILABLE: { kind: "internal", title: "Audit checkpoint key cannot be opened" },
});

export { AuditCheckpointer, type AuditCheckpointerOptions } from "./audit-checkpointer.js";
export { AuditLog, type AuditLogOptions } from "./audit-log.js";
export { AUDIT_READ_SCOPE, AuthorizedAuditService, canReadAudit } from "./authorized-service.js";
export { bodySha256, EMPTY_BODY_SHA256, isSecretFieldName } from "./body-digest.js";
export { canonicalJson } from "./canonical-json.js";
export { CHECKPOINT_KEY_CONTEXT } from "./checkpoint-keyring.js";
export { checkpointStatement, jwkThumbprint } from "./checkpoint-signature.js";
export { entryHash, GENESIS_HASH } from "./entry-hash.js";
export { AuditErrors } from "./errors.js";
export { type AuditHttpOptions, auditHttp } from "./http.js";
export {
  AUDIT_PAGE_DEFAULT,
  AUDIT_PAGE_MAX,
  type AuditExportOptions,
  AuditService,
  type AuditServiceOptions,
} from "./service.js";
export type {
  AuditBreak,
  AuditBreakReason,
  AuditCheckpoint,
  AuditEntry,
  AuditExportHeader,
  AuditExportLine,
  AuditPage,
  AuditPublicKey,
  AuditQuery,
  AuditVerifyReport,
  Ed25519PublicJwk,
} from "./types.js";
export { type VerifyAuditExportOptions, verifyAuditExport } from "./verify-audit-export.js";

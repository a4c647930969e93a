import { isAdmin, type Principal } from "../core/index.js";
import { AuditErrors } from "./errors.js";
import type { AuditExportOptions, AuditService } from "./service.js";
import type { AuditExportLine, AuditPage, AuditPublicKey, AuditQuery, AuditVerifyReport } from "./types.js";

/** The scope that lets its holder read the audit log (as does `charter.admin`). */
export const AUDIT_READ_SCOPE = "charter.audit";

/** Whether the principal may read the audit log. */
export function canReadAudit(principal: Principal): boolean {
  return principal.scopes.has(AUDIT_READ_SCOPE) || isAdmin(principal);
}

/**
 * The audit service as callers see it: the one place that decides who reads the log. Readers need
 * `charter.audit` or `charter.admin`. As everywhere in Charter, a denied read looks like absence
 * rather than a refusal: a denied list is an empty page, a denied export or verification is
 * `AUDIT_NOT_FOUND` (404). The public keys are public: they only let anyone check signatures.
 */
export class AuthorizedAuditService {
  readonly #service: AuditService;

  constructor(service: AuditService) {
    this.#service = service;
  }

  async list(principal: Principal, query: AuditQuery = {}): Promise<AuditPage> {
    if (!canReadAudit(principal)) return { items: [], next_cursor: null };
    return this.#service.list(query);
  }

  /** Throws before the first line when denied, so a refusal is a status, not a cut-off stream. */
  exportLines(principal: Principal, options: AuditExportOptions = {}): AsyncIterable<AuditExportLine> {
    this.#assertReader(principal);
    return this.#service.exportLines(options);
  }

  async verify(principal: Principal): Promise<AuditVerifyReport> {
    this.#assertReader(principal);
    return this.#service.verify();
  }

  async publicKeys(): Promise<AuditPublicKey[]> {
    return this.#service.publicKeys();
  }

  #assertReader(principal: Principal): void {
    if (!canReadAudit(principal)) throw AuditErrors.AUDIT_NOT_FOUND("the audit log is not found");
  }
}

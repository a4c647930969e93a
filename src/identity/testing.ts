// Test doubles for identity's ports, shared by its test files. Not part of the public surface.
import type { AuditRecord, AuditSink } from "../core/index.js";
import type { Database } from "../db/index.js";
import { PasswordHasher } from "./password-hasher.js";
import type { ScopeCatalog } from "./scope-catalog.js";

/** Keeps what it is given; `failNext` makes the next append throw, to test rollbacks. */
export class RecordingAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  failNext = false;

  async append(_tx: Database, record: AuditRecord): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("audit sink failed");
    }
    this.records.push(record);
  }

  actions(): string[] {
    return this.records.map((r) => `${r.action} ${r.target}`);
  }

  clear(): void {
    this.records.length = 0;
  }
}

/** A catalog that knows a fixed set of scopes. */
export class FixedScopeCatalog implements ScopeCatalog {
  readonly #known: Set<string>;
  constructor(known: Iterable<string>) {
    this.#known = new Set(known);
  }
  async unknownScopes(names: readonly string[]): Promise<string[]> {
    return names.filter((n) => !this.#known.has(n));
  }
}

export const TEST_SCOPES = ["charter.admin", "charter.audit", "apps.read", "apps.write"];

/** Cheap scrypt parameters: a hash takes about a millisecond instead of a fifth of a second. */
export const fastPasswords = (): PasswordHasher => new PasswordHasher({ N: 1024, r: 8, p: 1 });

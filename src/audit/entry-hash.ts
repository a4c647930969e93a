import { createHash } from "node:crypto";
import type { AuditEntry } from "./types.js";

/** The `prev_hash` of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** Bumped only with a new encoding; part of every hash, so encodings can never be confused. */
const ENTRY_DOMAIN = "charter.audit.entry/v1";

/**
 * Lower-case hex SHA-256 of an entry's fields. The encoding is a JSON array in a fixed order, so
 * field boundaries are unambiguous (strings are quoted and escaped) and no key order is involved:
 * `["charter.audit.entry/v1", seq, at, actor_sub, actor_realm, action, target, body_sha256, prev_hash]`.
 */
export function entryHash(entry: Omit<AuditEntry, "hash">): string {
  const encoded = JSON.stringify([
    ENTRY_DOMAIN,
    entry.seq,
    entry.at,
    entry.actor_sub,
    entry.actor_realm,
    entry.action,
    entry.target,
    entry.body_sha256,
    entry.prev_hash,
  ]);
  return createHash("sha256").update(encoded, "utf8").digest("hex");
}

/**
 * One link of the hash chain, as stored and as exported. `hash` is `entryHash` of the other fields;
 * `prev_hash` is the previous entry's `hash` (64 zeros for the first entry).
 */
export interface AuditEntry {
  /** 1, 2, 3, … without gaps: a missing number is a deleted entry. */
  readonly seq: number;
  /** ISO 8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  readonly at: string;
  readonly actor_sub: string;
  readonly actor_realm: string;
  readonly action: string;
  readonly target: string;
  /** Lower-case hex SHA-256 of the canonical request body without secret-named fields. */
  readonly body_sha256: string;
  readonly prev_hash: string;
  readonly hash: string;
}

/** A signed statement that the chain up to `seq` ended in `entry_hash`. */
export interface AuditCheckpoint {
  readonly id: number;
  /** The last entry the checkpoint covers. */
  readonly seq: number;
  readonly entry_hash: string;
  readonly at: string;
  readonly key_id: string;
  /** Ed25519 over `checkpointStatement(...)`, base64url. */
  readonly signature: string;
}

/** An Ed25519 public key as a JWK (RFC 8037). */
export interface Ed25519PublicJwk {
  readonly kty: "OKP";
  readonly crv: "Ed25519";
  readonly x: string;
}

/** A checkpoint signing key's public half; `key_id` is the RFC 7638 thumbprint of `jwk`. */
export interface AuditPublicKey {
  readonly key_id: string;
  readonly jwk: Ed25519PublicJwk;
  readonly created_at: string;
}

/** The first line of an export: what it covers. */
export interface AuditExportHeader {
  readonly format: 1;
  /** The first seq the export includes; entries before it are taken on trust. */
  readonly from_seq: number;
  readonly generated_at: string;
}

/**
 * One line of `GET /api/audit/export` (JSON lines). Order: the header, every key, then entries in
 * ascending `seq`, each checkpoint right after the entry it covers; checkpoints whose entry is gone
 * come last.
 */
export type AuditExportLine =
  | ({ readonly kind: "export" } & AuditExportHeader)
  | ({ readonly kind: "key" } & AuditPublicKey)
  | ({ readonly kind: "entry" } & AuditEntry)
  | ({ readonly kind: "checkpoint" } & AuditCheckpoint);

/** Filters of `GET /api/audit`. */
export interface AuditQuery {
  /** Exact `actor_sub`. */
  readonly actor?: string;
  /** Exact action, or a prefix when it ends with `*` (`team.*`). */
  readonly action?: string;
  /** Exact target, or a prefix when it ends with `*` (`team/platform*`). */
  readonly target?: string;
  /** Entries at or after this instant. */
  readonly from?: Date;
  /** Entries strictly before this instant. */
  readonly to?: Date;
  /** Cursor for ascending pages: entries with a larger seq. */
  readonly after_seq?: number;
  /** Cursor for descending pages: entries with a smaller seq. */
  readonly before_seq?: number;
  /** Default `asc` (oldest first). */
  readonly order?: "asc" | "desc";
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  /**
   * The seq of the last item when more may follow: pass it as `after_seq` (ascending) or
   * `before_seq` (descending). `null` on the last page.
   */
  readonly next_cursor: number | null;
}

/** Why verification stopped trusting the chain. */
export type AuditBreakReason =
  /** The entry's fields do not hash to its stored `hash`: the row was altered. */
  | "ENTRY_HASH_MISMATCH"
  /** The entry's `prev_hash` is not the previous entry's hash: an entry was replaced or reordered. */
  | "PREV_HASH_MISMATCH"
  /** A seq is missing: the entry was deleted. */
  | "SEQUENCE_GAP"
  /** A checkpoint's signature does not verify, or names a key that is absent or not trusted. */
  | "CHECKPOINT_SIGNATURE_INVALID"
  /** A validly signed checkpoint names another hash than the chain has at its seq: rewritten history. */
  | "CHECKPOINT_MISMATCH"
  /** A validly signed checkpoint covers entries after the last one present: the tail was cut off. */
  | "TAIL_TRUNCATED"
  /** A line is not JSON, has an unknown kind or shape, or is out of order. */
  | "MALFORMED_EXPORT";

export interface AuditBreak {
  /** The entry (or the checkpoint's covered entry) where the chain first breaks. */
  readonly seq: number;
  readonly reason: AuditBreakReason;
  readonly detail: string;
  /** 1-based line of the export that revealed it. */
  readonly line?: number;
}

export interface AuditVerifyReport {
  readonly ok: boolean;
  /** Entry lines read. */
  readonly entries: number;
  /** Checkpoint lines read. */
  readonly checkpoints: number;
  readonly from_seq: number;
  /** The last entry's seq, or `null` when there were none. */
  readonly last_seq: number | null;
  /** The highest seq a valid checkpoint covers, or `null`. */
  readonly last_checkpoint_seq: number | null;
  /**
   * Entries after the last valid checkpoint. They are chained but not yet signed, so deleting them
   * all would go unnoticed; a few minutes' worth is normal.
   */
  readonly uncovered_entries: number;
  /** Only the first break is reported; what follows it is checked but not listed. */
  readonly first_broken?: AuditBreak;
}

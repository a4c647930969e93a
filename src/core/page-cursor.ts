import type { ErrorFactory } from "./errors.js";

const MAX_KEY_LENGTH = 256;

export interface PageCursors {
  /** The opaque cursor that continues a page after `key`. */
  encodeCursor(key: string): string;
  /** The key a cursor continues after; throws the part's invalid-cursor error for anything not made here. */
  decodeCursor(cursor: string): string;
}

/**
 * Opaque keyset-page cursors (base64url of the last key), with the part's own error for a cursor
 * that was not made by `encodeCursor`.
 */
export function pageCursors(invalid: ErrorFactory): PageCursors {
  const encodeCursor = (key: string) => Buffer.from(key, "utf8").toString("base64url");
  return {
    encodeCursor,
    decodeCursor: (cursor) => {
      const key = Buffer.from(cursor, "base64url").toString("utf8");
      if (key.length === 0 || key.length > MAX_KEY_LENGTH || encodeCursor(key) !== cursor) {
        throw invalid("cursor was not returned by this list", { field: "cursor" });
      }
      return key;
    },
  };
}

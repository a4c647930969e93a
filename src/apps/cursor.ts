import { AppsErrors } from "./errors.js";

const MAX_KEY_LENGTH = 256;

/** The opaque cursor that continues a page after `key`. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

/** The key a cursor continues after; throws `APPS_INVALID_CURSOR` for anything not made here. */
export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, "base64url").toString("utf8");
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || encodeCursor(key) !== cursor) {
    throw AppsErrors.APPS_INVALID_CURSOR("cursor was not returned by this list", { field: "cursor" });
  }
  return key;
}

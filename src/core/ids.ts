/**
 * Identifier patterns shared by every part (JSON-schema `pattern` strings, anchored).
 * A slug is lower-case, starts with a letter and ends with a letter or digit: team, client and
 * application ids.
 */
export const SLUG_PATTERN = "^[a-z][a-z0-9-]*[a-z0-9]$";
export const SLUG_MAX = 64;

/** People's user ids may also contain dots and underscores (`jane.doe`). */
export const USER_ID_PATTERN = "^[a-z][a-z0-9._-]*[a-z0-9]$";

export function isSlug(value: string): boolean {
  return value.length <= SLUG_MAX && new RegExp(SLUG_PATTERN).test(value);
}

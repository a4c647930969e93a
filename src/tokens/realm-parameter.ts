import type { Realm } from "../core/index.js";
import { TokensErrors } from "./errors.js";

/**
 * Checks the optional `realm` parameter against the realm a grant issues into. Plan B clients send
 * realms with a leading slash (`/employees`), so that spelling is accepted too.
 */
export function realmParameter(given: string | undefined, expected: Realm): void {
  if (given === undefined || given === expected || given === `/${expected}`) return;
  throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST(`realm must be ${expected} for this grant type`);
}

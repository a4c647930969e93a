import { isSystemClientId } from "../identity/index.js";
import { TokensErrors } from "./errors.js";

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by spaces.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scope names in a `scope` parameter, without duplicates; undefined when none is requested.
 * Throws `TOKENS_OAUTH_INVALID_SCOPE` for a character RFC 6749 does not allow.
 */
export function parseScope(requested: string | undefined): string[] | undefined {
  if (requested === undefined) return undefined;
  const names = [...new Set(requested.split(" ").filter((name) => name !== ""))];
  if (names.length === 0) return undefined;
  if (!names.every((name) => SCOPE_TOKEN.test(name))) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_SCOPE("scope contains a character RFC 6749 does not allow");
  }
  return names;
}

/**
 * The scopes a token gets: those requested in the space-separated `scope` parameter, each of which
 * the subject must hold, or every scope it holds when none is requested. Sorted and without
 * duplicates, so equal requests give equal tokens.
 */
export function grantedScopes(requested: string | undefined, held: readonly string[]): string[] {
  const names = parseScope(requested);
  if (names === undefined) return [...new Set(held)].sort();
  const missing = names.filter((name) => !held.includes(name));
  if (missing.length > 0) {
    throw TokensErrors.TOKENS_OAUTH_INVALID_SCOPE(`scope not granted to the subject: ${missing.join(" ")}`);
  }
  return names.sort();
}

/**
 * The scopes a person may delegate to a client: all they hold through Charter's own clients
 * (`charter-cli`, `charter-console`), otherwise only those the client was granted too. Without
 * this cap, a client any team member can register would receive an admin's every scope the moment
 * the admin signs in through it.
 */
export function delegableScopes(
  client: { readonly id: string; readonly scopes: readonly string[] },
  held: readonly string[],
): string[] {
  return isSystemClientId(client.id) ? [...held] : held.filter((scope) => client.scopes.includes(scope));
}

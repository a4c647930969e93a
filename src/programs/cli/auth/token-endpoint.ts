import { decodeJwt } from "jose";
import type { Clock } from "../../../core/index.js";
import { fetchOrExplain } from "../api/api-client.js";
import { authError, CliError } from "../cli-error.js";
import type { CachedToken } from "./token-cache.js";

/** The public client the CLI logs in as; the server registers it on first start. */
export const CLI_CLIENT_ID = "charter-cli";

/** A successful answer of the token endpoint (RFC 6749 5.1); `scope` may be a list or a string. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type?: string;
  readonly expires_in?: number;
  readonly scope?: string | readonly string[];
  readonly [member: string]: unknown;
}

/** The grant a login sends to `POST /oauth2/access_token`. */
export type Grant =
  | {
      readonly grant_type: "authorization_code";
      readonly code: string;
      readonly redirect_uri: string;
      readonly code_verifier: string;
    }
  | { readonly grant_type: "password"; readonly username: string; readonly password: string };

// Errors that mean "these credentials do not work": the user must log in differently (exit 4).
const CREDENTIAL_ERRORS = new Set([
  "invalid_grant",
  "invalid_client",
  "unauthorized_client",
  "access_denied",
]);

/** Sends a grant as the public client `charter-cli` and returns the token endpoint's answer. */
export async function requestToken(
  server: string,
  grant: Grant,
  scopes: readonly string[],
  fetchImpl: typeof fetch = fetch,
): Promise<TokenResponse> {
  const form = new URLSearchParams({ ...grant, client_id: CLI_CLIENT_ID });
  if (scopes.length > 0) form.set("scope", scopes.join(" "));
  const response = await fetchOrExplain(fetchImpl, server, `${server}/oauth2/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: form,
  });
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok || typeof body?.access_token !== "string") {
    // OAuth2 answers { error, error_description }; Charter's own errors are problem documents.
    const code = String(body?.error ?? body?.code ?? response.status);
    const detail = String(body?.error_description ?? body?.detail ?? "the token endpoint gave no reason");
    const message = `login failed: ${detail} (${code})`;
    throw response.status === 401 || CREDENTIAL_ERRORS.has(code) ? authError(message) : new CliError(message);
  }
  return body as TokenResponse;
}

/**
 * What the cache keeps of a token response. The expiry comes from the token's own `exp` when it is
 * a JWT (the claim is only read here, never trusted for anything but this reminder), else from
 * `expires_in`.
 */
export function toCachedToken(response: TokenResponse, clock: Clock): CachedToken {
  const now = clock.now();
  const claims = readClaims(response.access_token);
  const expiresAt =
    typeof claims?.exp === "number"
      ? claims.exp * 1000
      : typeof response.expires_in === "number"
        ? now.getTime() + response.expires_in * 1000
        : undefined;
  if (expiresAt === undefined) throw new CliError("the token endpoint did not say when the token expires");
  const scope = response.scope ?? claims?.scope ?? [];
  return {
    access_token: response.access_token,
    token_type: response.token_type ?? "Bearer",
    expires_at: new Date(expiresAt).toISOString(),
    scope: typeof scope === "string" ? scope.split(" ").filter((s) => s !== "") : [...(scope as string[])],
    ...(typeof claims?.sub === "string" ? { sub: claims.sub } : {}),
    obtained_at: now.toISOString(),
  };
}

function readClaims(token: string): { exp?: unknown; sub?: unknown; scope?: unknown } | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

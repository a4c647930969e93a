import type { Clock, Duration } from "../../../core/index.js";
import type { CliConfig } from "../cli-config.js";
import { authError } from "../cli-error.js";
import { type CachedToken, isFresh, type TokenCache } from "./token-cache.js";

/**
 * The token to call the server with: `CHARTER_TOKEN` when set, else the cached token for this server
 * while it has more than `minimum` left. There are no refresh tokens, so anything else means logging
 * in again (exit 4).
 */
export async function accessTokenFor(
  config: CliConfig,
  cache: TokenCache,
  clock: Clock,
  minimum: Duration,
): Promise<{ readonly token: string; readonly cached?: CachedToken }> {
  if (config.token !== undefined) return { token: config.token };
  const cached = await cache.get(config.server);
  if (cached === undefined) {
    throw authError(`not logged in to ${config.server}; run "charter login"`);
  }
  if (!isFresh(cached, clock, minimum)) {
    const expired = Date.parse(cached.expires_at) <= clock.now().getTime();
    throw authError(
      `your token for ${config.server} ${expired ? "has expired" : `expires in less than ${minimum}`}; run "charter login"`,
    );
  }
  return { token: cached.access_token, cached };
}

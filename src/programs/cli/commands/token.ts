import { Command } from "commander";
import { accessTokenFor } from "../auth/access-token.js";
import { TOKEN_MINIMUM_VALIDITY } from "../auth/token-cache.js";
import type { CommandContext, RunCommand } from "../command-context.js";
import { jsonOption } from "../options.js";

export interface TokenOptions {
  readonly json: boolean;
}

export function tokenCommand(context: CommandContext, run: RunCommand<TokenOptions> = runToken): Command {
  return new Command("token")
    .description(
      'print an access token for this server, for `curl -H "Authorization: Bearer $(charter token)"`',
    )
    .addOption(jsonOption())
    .action((flags: { json?: boolean }) => run(context, { json: flags.json === true }));
}

/**
 * Prints the cached token while it has more than 5 minutes left, so that whatever it is handed to
 * has time to use it; otherwise asks for a new login (exit 4), as there are no refresh tokens.
 */
export async function runToken(context: CommandContext, options: TokenOptions): Promise<void> {
  const { token, cached } = await accessTokenFor(
    context.config(),
    context.tokenCache(),
    context.clock,
    TOKEN_MINIMUM_VALIDITY,
  );
  if (!options.json) return context.out.line(token);
  context.out.json(
    cached === undefined
      ? { access_token: token, source: "CHARTER_TOKEN" }
      : {
          access_token: cached.access_token,
          token_type: cached.token_type,
          expires_at: cached.expires_at,
          scope: cached.scope,
          sub: cached.sub ?? null,
        },
  );
}

import { Command } from "commander";
// Not core/index.js, which loads Fastify: every command would pay for it at start-up.
import { Duration } from "../../../core/duration.js";
import { browserLogin } from "../auth/browser-login.js";
import { openBrowser } from "../auth/open-browser.js";
import { requestToken, toCachedToken } from "../auth/token-endpoint.js";
import { usageError } from "../cli-error.js";
import type { CommandContext, RunCommand } from "../command-context.js";
import { readSecretFromStdin } from "../input.js";
import { jsonOption } from "../options.js";

/** How long `charter login` waits for the browser by default. */
export const LOGIN_TIMEOUT = Duration.minutes(5);

export interface LoginOptions {
  /** Log in as this user with a password from stdin; undefined means through the browser. */
  readonly passwordUser?: string;
  readonly scopes: readonly string[];
  readonly json: boolean;
}

export function loginCommand(context: CommandContext, run: RunCommand<LoginOptions> = runLogin): Command {
  return new Command("login")
    .description("log in through the browser (or with --password-stdin) and keep the token for this server")
    .option("--password-stdin", "read a password from standard input instead of using the browser")
    .option("--user <id>", "the user to log in as with --password-stdin (default: $CHARTER_USER)")
    .option("--scope <scopes>", "the scopes to ask for, separated by spaces or commas (default: all granted)")
    .addOption(jsonOption())
    .action((flags: { passwordStdin?: boolean; user?: string; scope?: string; json?: boolean }) => {
      const scopes = (flags.scope ?? "").split(/[\s,]+/).filter((s) => s !== "");
      if (flags.passwordStdin !== true) {
        if (flags.user !== undefined)
          throw usageError("--user goes with --password-stdin; in the browser you pick the user");
        return run(context, { scopes, json: flags.json === true });
      }
      const user = flags.user ?? context.config().user;
      if (user === undefined) throw usageError("--password-stdin needs --user <id> or CHARTER_USER");
      return run(context, { passwordUser: user, scopes, json: flags.json === true });
    });
}

export async function runLogin(context: CommandContext, options: LoginOptions): Promise<void> {
  const { server } = context.config();
  const response =
    options.passwordUser === undefined
      ? await browserLogin({
          server,
          scopes: options.scopes,
          timeout: context.io.loginTimeout ?? LOGIN_TIMEOUT,
          openBrowser: context.io.openBrowser ?? ((url) => openBrowser(url)),
          note: (text) => context.out.note(text),
        })
      : await requestToken(
          server,
          {
            grant_type: "password",
            username: options.passwordUser,
            password: await readSecretFromStdin(context.io, "--password-stdin"),
          },
          options.scopes,
        );
  const token = toCachedToken(response, context.clock);
  await context.tokenCache().put(server, token);
  // The token itself is printed only by `charter token`, so that login output is safe to log.
  if (options.json) {
    return context.out.json({
      server,
      sub: token.sub ?? null,
      scope: token.scope,
      expires_at: token.expires_at,
    });
  }
  context.out.note(
    `Logged in to ${server}${token.sub === undefined ? "" : ` as ${token.sub}`} until ${token.expires_at}.`,
  );
}

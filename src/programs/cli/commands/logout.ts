import { Command } from "commander";
import type { CommandContext, RunCommand } from "../command-context.js";
import { jsonOption } from "../options.js";

export interface LogoutOptions {
  readonly json: boolean;
}

export function logoutCommand(context: CommandContext, run: RunCommand<LogoutOptions> = runLogout): Command {
  return new Command("logout")
    .description("forget the token kept for this server")
    .addOption(jsonOption())
    .action((flags: { json?: boolean }) => run(context, { json: flags.json === true }));
}

export async function runLogout(context: CommandContext, options: LogoutOptions): Promise<void> {
  const { server } = context.config();
  const removed = await context.tokenCache().delete(server);
  if (options.json) return context.out.json({ server, logged_out: removed });
  context.out.note(removed ? `Logged out of ${server}.` : `Not logged in to ${server}.`);
}

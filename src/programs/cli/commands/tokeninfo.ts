import { Command } from "commander";
import { usageError } from "../cli-error.js";
import type { CommandContext, RunCommand } from "../command-context.js";
import { untilSignalled } from "./server.js";

export interface TokeninfoOptions {
  /** The sidecar's own flags (`--port`, `--host`, `--charter-url`, …), handed over untouched. */
  readonly args: readonly string[];
}

export function tokeninfoCommand(
  context: CommandContext,
  run: RunCommand<TokeninfoOptions> = runTokeninfo,
): Command {
  return new Command("tokeninfo")
    .description(
      "run the token verification sidecar next to an application (TOKENINFO_* variables or flags such as --port)",
    )
    .argument("[flags...]", "--host, --port, --charter-url, --issuer, --jwks-url, --algorithms, --log-level")
    .allowUnknownOption()
    .allowExcessArguments()
    .action((args: string[]) => run(context, { args }));
}

/**
 * Runs the tokeninfo sidecar until SIGINT or SIGTERM. `--server` (or `CHARTER_URL`) names the
 * Charter it fetches keys from, unless `--charter-url` says otherwise. Loaded only here, so that
 * other commands do not load Fastify.
 */
export async function runTokeninfo(context: CommandContext, options: TokeninfoOptions): Promise<void> {
  const { readTokeninfoConfig, TokeninfoConfigError } = await import("../../tokeninfo/config.js");
  const { startTokeninfo } = await import("../../tokeninfo/app.js");
  let config: ReturnType<typeof readTokeninfoConfig>;
  try {
    config = readTokeninfoConfig({ ...context.io.env, CHARTER_URL: context.config().server }, options.args);
  } catch (error) {
    if (error instanceof TokeninfoConfigError) throw usageError(error.message);
    throw error;
  }
  const sidecar = await startTokeninfo(config);
  context.out.note(`charter tokeninfo listening on ${sidecar.url}`);
  await untilSignalled();
  await sidecar.close();
}

import { Command, CommanderError } from "commander";
import { ExitCode } from "./cli-error.js";
import type { CliIo } from "./cli-io.js";
import { type CommandContext, createCommandContext } from "./command-context.js";
import { appCommand } from "./commands/app/app.js";
import { approveCommand } from "./commands/approve/approve.js";
import { auditCommand } from "./commands/audit/audit.js";
import { clientCommand } from "./commands/client/client.js";
import { imageCommand } from "./commands/image/image.js";
import { loginCommand } from "./commands/login.js";
import { logoutCommand } from "./commands/logout.js";
import { scopeCommand } from "./commands/scope/scope.js";
import { serverCommand } from "./commands/server.js";
import { teamCommand } from "./commands/team/team.js";
import { tokenCommand } from "./commands/token.js";
import { tokeninfoCommand } from "./commands/tokeninfo.js";
import { userCommand } from "./commands/user/user.js";
import { versionCommand } from "./commands/version/version.js";
import { describeError } from "./output/describe-error.js";
import { packageVersion } from "./version.js";

/**
 * Runs `charter` with the given arguments (without the program name) and returns the exit code.
 * Everything outside the process comes through `io`, so tests run the real CLI in-process.
 *
 * @example
 * const code = await runCli(["team", "list", "--json"], { stdin, stdout, stderr, env });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command("charter");
  const context = createCommandContext(io, () => program.opts<{ server?: string }>());
  buildProgram(program, context);
  for (const command of everyCommand(program)) {
    command
      .exitOverride()
      .showHelpAfterError("(run with --help for usage)")
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(text),
        outputError: (text, write) => write(text.replace(/^error: /, "charter: ")),
      });
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message or the help already.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const { message, exitCode } = describeError(error);
    io.stderr.write(`charter: ${message}\n`);
    return exitCode;
  }
}

function buildProgram(program: Command, context: CommandContext): void {
  program
    .description(
      "Charter: teams, service clients, OAuth2 tokens, applications, images and the audit log, from the command line",
    )
    .version(packageVersion(), "--version", "print the version")
    .option("--server <url>", "the Charter server (default: $CHARTER_URL or http://127.0.0.1:8080)")
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 1 error, 2 usage or cancelled, 4 log in needed." +
        "\nEnvironment: CHARTER_URL, CHARTER_TOKEN, CHARTER_USER, CHARTER_CONFIG_DIR, DOCKER_CONFIG.",
    )
    .addCommand(loginCommand(context))
    .addCommand(logoutCommand(context))
    .addCommand(tokenCommand(context))
    .addCommand(teamCommand(context))
    .addCommand(userCommand(context))
    .addCommand(clientCommand(context))
    .addCommand(appCommand(context))
    .addCommand(versionCommand(context))
    .addCommand(approveCommand(context))
    .addCommand(imageCommand(context))
    .addCommand(scopeCommand(context))
    .addCommand(auditCommand(context))
    .addCommand(serverCommand(context))
    .addCommand(tokeninfoCommand(context));
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap((sub) => everyCommand(sub))];
}

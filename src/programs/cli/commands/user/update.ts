import { Command, Option } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { User } from "../../api/resources.js";
import { usageError } from "../../cli-error.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { readSecretFromStdin } from "../../input.js";
import { jsonOption, parseList } from "../../options.js";
import { printUser } from "./show.js";

export interface UserUpdateOptions {
  readonly user: string;
  readonly name?: string;
  readonly email?: string;
  /** Replaces every scope the person holds. */
  readonly scopes?: readonly string[];
  readonly disabled?: boolean;
  /** Read a new password from standard input. */
  readonly passwordStdin: boolean;
  readonly json: boolean;
}

export function userUpdateCommand(
  context: CommandContext,
  run: RunCommand<UserUpdateOptions> = runUserUpdate,
): Command {
  return new Command("update")
    .description("change a person's name, e-mail, scopes, password or status")
    .argument("<user>", "user id")
    .option("--name <name>", "new full name")
    .option("--email <address>", "new e-mail address")
    .option(
      "--scopes <scopes>",
      'comma-separated scopes; replaces the granted set ("" removes all)',
      parseList,
    )
    .addOption(new Option("--disable", "disable the person: no new tokens").conflicts("enable"))
    .option("--enable", "enable the person again")
    .option("--password-stdin", "read a new password from standard input")
    .addOption(jsonOption())
    .action(
      (
        user: string,
        flags: {
          name?: string;
          email?: string;
          scopes?: string[];
          disable?: boolean;
          enable?: boolean;
          passwordStdin?: boolean;
          json?: boolean;
        },
      ) => {
        const disabled = flags.disable === true ? true : flags.enable === true ? false : undefined;
        const options: UserUpdateOptions = {
          user,
          ...(flags.name === undefined ? {} : { name: flags.name }),
          ...(flags.email === undefined ? {} : { email: flags.email }),
          ...(flags.scopes === undefined ? {} : { scopes: flags.scopes }),
          ...(disabled === undefined ? {} : { disabled }),
          passwordStdin: flags.passwordStdin === true,
          json: flags.json === true,
        };
        const nothing =
          flags.name === undefined &&
          flags.email === undefined &&
          flags.scopes === undefined &&
          disabled === undefined &&
          !options.passwordStdin;
        if (nothing) {
          throw usageError(
            "nothing to update: give --name, --email, --scopes, --disable, --enable or --password-stdin",
          );
        }
        return run(context, options);
      },
    );
}

export async function runUserUpdate(context: CommandContext, options: UserUpdateOptions): Promise<void> {
  const password = options.passwordStdin
    ? await readSecretFromStdin(context.io, "--password-stdin")
    : undefined;
  const api = await context.api();
  const user = await api.patch<User>(pathOf`/api/users/${options.user}`, {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.email === undefined ? {} : { email: options.email }),
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    ...(options.disabled === undefined ? {} : { disabled: options.disabled }),
    ...(password === undefined ? {} : { password }),
  });
  if (options.json) return context.out.json(user);
  context.out.note(`Updated user ${options.user}.`);
  printUser(context, user);
}

import { Command } from "commander";
import type { User } from "../../api/resources.js";
import { usageError } from "../../cli-error.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { readSecretFromStdin } from "../../input.js";
import { jsonOption, parseList } from "../../options.js";
import { printUser } from "./show.js";

export interface UserCreateOptions {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly scopes?: readonly string[];
  readonly disabled: boolean;
  readonly json: boolean;
}

export function userCreateCommand(
  context: CommandContext,
  run: RunCommand<UserCreateOptions> = runUserCreate,
): Command {
  return new Command("create")
    .description("create a person; the password is read from standard input")
    .argument("<id>", "user id, such as jane.doe")
    .requiredOption("--name <name>", "full name")
    .requiredOption("--email <address>", "e-mail address")
    .option("--scopes <scopes>", "comma-separated scopes to grant", parseList)
    .option("--disabled", "create the person disabled")
    .option("--password-stdin", "read the password from standard input (required)")
    .addOption(jsonOption())
    .action((id: string, flags: Omit<UserCreateOptions, "id"> & { passwordStdin?: boolean }) => {
      // A password on the command line would end up in shell history and in `ps`.
      if (flags.passwordStdin !== true) {
        throw usageError(
          'user create needs --password-stdin: pipe the password in, e.g. `printf %s "$PW" | charter user create ...`',
        );
      }
      return run(context, {
        id,
        name: flags.name,
        email: flags.email,
        ...(flags.scopes === undefined ? {} : { scopes: flags.scopes }),
        disabled: flags.disabled === true,
        json: flags.json === true,
      });
    });
}

export async function runUserCreate(context: CommandContext, options: UserCreateOptions): Promise<void> {
  const password = await readSecretFromStdin(context.io, "--password-stdin");
  const api = await context.api();
  const user = await api.post<User>("/api/users", {
    id: options.id,
    name: options.name,
    email: options.email,
    password,
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    ...(options.disabled ? { disabled: true } : {}),
  });
  if (options.json) return context.out.json(user);
  context.out.note(`Created user ${user.id}.`);
  printUser(context, user);
}

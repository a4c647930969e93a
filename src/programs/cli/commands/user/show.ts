import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { User } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";

export interface UserShowOptions {
  readonly user: string;
  readonly json: boolean;
}

export function userShowCommand(
  context: CommandContext,
  run: RunCommand<UserShowOptions> = runUserShow,
): Command {
  return new Command("show")
    .description("show a person")
    .argument("<user>", "user id")
    .addOption(jsonOption())
    .action((user: string, flags: { json?: boolean }) => run(context, { user, json: flags.json === true }));
}

export async function runUserShow(context: CommandContext, options: UserShowOptions): Promise<void> {
  const api = await context.api();
  const user = await api.get<User>(pathOf`/api/users/${options.user}`);
  if (options.json) return context.out.json(user);
  printUser(context, user);
}

export function printUser(context: CommandContext, user: User): void {
  context.out.details([
    ["id", user.id],
    ["name", user.name],
    ["email", user.email],
    ["teams", user.teams],
    ["scopes", user.scopes],
    ["disabled", user.disabled],
  ]);
}

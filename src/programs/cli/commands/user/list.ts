import { Command } from "commander";
import type { Page, User } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { cursorOption, jsonOption, limitOption } from "../../options.js";
import { printPage } from "../print-page.js";

export interface UserListOptions {
  readonly limit?: number;
  readonly cursor?: string;
  readonly json: boolean;
}

export function userListCommand(
  context: CommandContext,
  run: RunCommand<UserListOptions> = runUserList,
): Command {
  return new Command("list")
    .description("list people")
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(jsonOption())
    .action((flags: UserListOptions) => run(context, { ...flags, json: flags.json === true }));
}

export async function runUserList(context: CommandContext, options: UserListOptions): Promise<void> {
  const api = await context.api();
  const page = await api.get<Page<User>>("/api/users", { limit: options.limit, cursor: options.cursor });
  printPage(context, options.json, page, "users", [
    { header: "id", value: (u) => u.id },
    { header: "name", value: (u) => u.name },
    { header: "email", value: (u) => u.email },
    { header: "teams", value: (u) => u.teams },
    { header: "scopes", value: (u) => u.scopes },
    { header: "disabled", value: (u) => u.disabled },
  ]);
}

import { Command } from "commander";
import type { Page, Team } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { cursorOption, jsonOption, limitOption } from "../../options.js";
import { printPage } from "../print-page.js";

export interface TeamListOptions {
  readonly member?: string;
  readonly limit?: number;
  readonly cursor?: string;
  readonly json: boolean;
}

export function teamListCommand(
  context: CommandContext,
  run: RunCommand<TeamListOptions> = runTeamList,
): Command {
  return new Command("list")
    .description("list teams")
    .option("--member <user>", "only the teams this user belongs to")
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(jsonOption())
    .action((flags: TeamListOptions) => run(context, { ...flags, json: flags.json === true }));
}

export async function runTeamList(context: CommandContext, options: TeamListOptions): Promise<void> {
  const api = await context.api();
  const page = await api.get<Page<Team>>("/api/teams", {
    member: options.member,
    limit: options.limit,
    cursor: options.cursor,
  });
  printPage(context, options.json, page, "teams", [
    { header: "id", value: (t) => t.id },
    { header: "name", value: (t) => t.name },
    { header: "aws accounts", value: (t) => t.aws_accounts },
    { header: "description", value: (t) => t.description },
  ]);
}

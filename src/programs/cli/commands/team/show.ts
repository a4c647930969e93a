import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { Team } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";

export interface TeamShowOptions {
  readonly team: string;
  readonly json: boolean;
}

export function teamShowCommand(
  context: CommandContext,
  run: RunCommand<TeamShowOptions> = runTeamShow,
): Command {
  return new Command("show")
    .description("show a team and its members")
    .argument("<team>", "team id")
    .addOption(jsonOption())
    .action((team: string, flags: { json?: boolean }) => run(context, { team, json: flags.json === true }));
}

export async function runTeamShow(context: CommandContext, options: TeamShowOptions): Promise<void> {
  const api = await context.api();
  const team = await api.get<Team>(pathOf`/api/teams/${options.team}`);
  if (options.json) return context.out.json(team);
  printTeam(context, team);
}

export function printTeam(context: CommandContext, team: Team): void {
  context.out.details([
    ["id", team.id],
    ["name", team.name],
    ["description", team.description],
    ["aws accounts", team.aws_accounts],
    ...(team.members === undefined ? [] : [["members", team.members] as const]),
  ]);
}

import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { confirm } from "../../input.js";
import { jsonOption, yesOption } from "../../options.js";

export interface TeamDeleteOptions {
  readonly team: string;
  readonly yes: boolean;
  readonly json: boolean;
}

export function teamDeleteCommand(
  context: CommandContext,
  run: RunCommand<TeamDeleteOptions> = runTeamDelete,
): Command {
  return new Command("delete")
    .description("delete a team")
    .argument("<team>", "team id")
    .addOption(yesOption())
    .addOption(jsonOption())
    .action((team: string, flags: { yes?: boolean; json?: boolean }) =>
      run(context, { team, yes: flags.yes === true, json: flags.json === true }),
    );
}

export async function runTeamDelete(context: CommandContext, options: TeamDeleteOptions): Promise<void> {
  await confirm(context.io, `Delete team ${options.team}?`, options.yes);
  const api = await context.api();
  const answer = await api.delete(pathOf`/api/teams/${options.team}`);
  if (options.json) return context.out.json(answer);
  context.out.note(`Deleted team ${options.team}.`);
}

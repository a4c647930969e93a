import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { Team } from "../../api/resources.js";
import { usageError } from "../../cli-error.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption, parseList } from "../../options.js";
import { printTeam } from "./show.js";

export interface TeamUpdateOptions {
  readonly team: string;
  readonly name?: string;
  /** The empty string removes the description. */
  readonly description?: string;
  readonly awsAccounts?: readonly string[];
  readonly json: boolean;
}

export function teamUpdateCommand(
  context: CommandContext,
  run: RunCommand<TeamUpdateOptions> = runTeamUpdate,
): Command {
  return new Command("update")
    .description("change a team's name, description or AWS accounts")
    .argument("<team>", "team id")
    .option("--name <name>", "new display name")
    .option("--description <text>", 'new description ("" removes it)')
    .option("--aws-accounts <ids>", "comma-separated AWS account ids; replaces the list", parseList)
    .addOption(jsonOption())
    .action((team: string, flags: Omit<TeamUpdateOptions, "team">) => {
      if (flags.name === undefined && flags.description === undefined && flags.awsAccounts === undefined) {
        throw usageError("nothing to update: give --name, --description or --aws-accounts");
      }
      return run(context, { ...flags, team, json: flags.json === true });
    });
}

export async function runTeamUpdate(context: CommandContext, options: TeamUpdateOptions): Promise<void> {
  const api = await context.api();
  const team = await api.patch<Team>(pathOf`/api/teams/${options.team}`, {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.description === undefined
      ? {}
      : { description: options.description === "" ? null : options.description }),
    ...(options.awsAccounts === undefined ? {} : { aws_accounts: options.awsAccounts }),
  });
  if (options.json) return context.out.json(team);
  context.out.note(`Updated team ${options.team}.`);
  printTeam(context, team);
}

import { Command } from "commander";
import type { Team } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption, parseList } from "../../options.js";
import { printTeam } from "./show.js";

export interface TeamCreateOptions {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly awsAccounts?: readonly string[];
  readonly json: boolean;
}

export function teamCreateCommand(
  context: CommandContext,
  run: RunCommand<TeamCreateOptions> = runTeamCreate,
): Command {
  return new Command("create")
    .description("create a team")
    .argument("<id>", "team id: lower-case letters, digits and dashes")
    .requiredOption("--name <name>", "display name")
    .option("--description <text>", "what the team does")
    .option("--aws-accounts <ids>", "comma-separated 12-digit AWS account ids", parseList)
    .addOption(jsonOption())
    .action((id: string, flags: Omit<TeamCreateOptions, "id">) =>
      run(context, { ...flags, id, json: flags.json === true }),
    );
}

export async function runTeamCreate(context: CommandContext, options: TeamCreateOptions): Promise<void> {
  const api = await context.api();
  const team = await api.post<Team>("/api/teams", {
    id: options.id,
    name: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.awsAccounts === undefined ? {} : { aws_accounts: options.awsAccounts }),
  });
  if (options.json) return context.out.json(team);
  context.out.note(`Created team ${team.id}.`);
  printTeam(context, team);
}

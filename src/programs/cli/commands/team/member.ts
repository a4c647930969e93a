import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";

export interface TeamMemberOptions {
  readonly change: "add" | "remove";
  readonly team: string;
  readonly user: string;
  readonly json: boolean;
}

/** `charter team member add|remove <team> <user>`. */
export function teamMemberCommand(
  context: CommandContext,
  run: RunCommand<TeamMemberOptions> = runTeamMember,
): Command {
  const verb = (change: TeamMemberOptions["change"], description: string) =>
    new Command(change)
      .description(description)
      .argument("<team>", "team id")
      .argument("<user>", "user id")
      .addOption(jsonOption())
      .action((team: string, user: string, flags: { json?: boolean }) =>
        run(context, { change, team, user, json: flags.json === true }),
      );
  return new Command("member")
    .description("manage a team's members")
    .addCommand(verb("add", "add a person to a team"))
    .addCommand(verb("remove", "remove a person from a team"));
}

export async function runTeamMember(context: CommandContext, options: TeamMemberOptions): Promise<void> {
  const api = await context.api();
  const path = pathOf`/api/teams/${options.team}/members/${options.user}`;
  const answer = options.change === "add" ? await api.put(path) : await api.delete(path);
  if (options.json) return context.out.json(answer);
  context.out.note(
    options.change === "add"
      ? `Added ${options.user} to team ${options.team}.`
      : `Removed ${options.user} from team ${options.team}.`,
  );
}

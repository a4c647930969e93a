import { Command } from "commander";
import type { CommandContext } from "../../command-context.js";
import { teamCreateCommand } from "./create.js";
import { teamDeleteCommand } from "./delete.js";
import { teamListCommand } from "./list.js";
import { teamMemberCommand } from "./member.js";
import { teamShowCommand } from "./show.js";
import { teamUpdateCommand } from "./update.js";

/** `charter team ...`: teams and their members. */
export function teamCommand(context: CommandContext): Command {
  return new Command("team")
    .description("manage teams and their members")
    .addCommand(teamListCommand(context))
    .addCommand(teamShowCommand(context))
    .addCommand(teamCreateCommand(context))
    .addCommand(teamUpdateCommand(context))
    .addCommand(teamDeleteCommand(context))
    .addCommand(teamMemberCommand(context));
}

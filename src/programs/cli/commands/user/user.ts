import { Command } from "commander";
import type { CommandContext } from "../../command-context.js";
import { userCreateCommand } from "./create.js";
import { userListCommand } from "./list.js";
import { userShowCommand } from "./show.js";
import { userUpdateCommand } from "./update.js";

/** `charter user ...`: people, their passwords and the scopes granted to them. */
export function userCommand(context: CommandContext): Command {
  return new Command("user")
    .description("manage people and the scopes granted to them")
    .addCommand(userListCommand(context))
    .addCommand(userShowCommand(context))
    .addCommand(userCreateCommand(context))
    .addCommand(userUpdateCommand(context));
}

import { Command } from "commander";
import type { CommandContext } from "../../command-context.js";
import { appCreateCommand } from "./create.js";
import { appListCommand } from "./list.js";
import { appShowCommand } from "./show.js";
import { appUpdateCommand } from "./update.js";

/** `charter app ...`: the application registry. */
export function appCommand(context: CommandContext): Command {
  return new Command("app")
    .description("register and find applications")
    .addCommand(appListCommand(context))
    .addCommand(appShowCommand(context))
    .addCommand(appCreateCommand(context))
    .addCommand(appUpdateCommand(context));
}

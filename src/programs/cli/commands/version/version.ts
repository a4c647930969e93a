import { Command } from "commander";
import type { CommandContext } from "../../command-context.js";
import { versionCreateCommand } from "./create.js";
import { versionListCommand } from "./list.js";
import { versionShowCommand } from "./show.js";
import { versionStatusCommand } from "./status.js";

/** `charter version ...`: an application's immutable versions and their approval status. */
export function versionCommand(context: CommandContext): Command {
  return new Command("version")
    .description("register versions of an application and check their approvals")
    .addCommand(versionListCommand(context))
    .addCommand(versionShowCommand(context))
    .addCommand(versionCreateCommand(context))
    .addCommand(versionStatusCommand(context));
}

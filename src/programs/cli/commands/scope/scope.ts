import { Command } from "commander";
import type { CommandContext } from "../../command-context.js";
import { scopeCreateCommand } from "./create.js";
import { scopeDeleteCommand } from "./delete.js";
import { scopeListCommand } from "./list.js";
import { scopeTypeCommand } from "./type.js";

/**
 * `charter scope ...`: the registry of resource types and scopes. Granting is done on the holder:
 * `charter user update <id> --scopes a,b` and `charter client update <id> --scopes a,b`.
 */
export function scopeCommand(context: CommandContext): Command {
  return new Command("scope")
    .description(
      "manage resource types and scopes (grant them with `user update` or `client update --scopes`)",
    )
    .addCommand(scopeListCommand(context))
    .addCommand(scopeCreateCommand(context))
    .addCommand(scopeDeleteCommand(context))
    .addCommand(scopeTypeCommand(context));
}

import { Command } from "commander";
import type { CommandContext } from "../../command-context.js";
import { clientCreateCommand } from "./create.js";
import { clientDeleteCommand } from "./delete.js";
import { clientListCommand } from "./list.js";
import { clientRotateSecretCommand } from "./rotate-secret.js";
import { clientShowCommand } from "./show.js";
import { clientUpdateCommand } from "./update.js";

/** `charter client ...`: service clients, their secrets and scopes. */
export function clientCommand(context: CommandContext): Command {
  return new Command("client")
    .description("manage service clients, their secrets and the scopes granted to them")
    .addCommand(clientListCommand(context))
    .addCommand(clientShowCommand(context))
    .addCommand(clientCreateCommand(context))
    .addCommand(clientUpdateCommand(context))
    .addCommand(clientDeleteCommand(context))
    .addCommand(clientRotateSecretCommand(context));
}

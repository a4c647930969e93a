import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { Client } from "../../api/resources.js";
import { usageError } from "../../cli-error.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption, parseList } from "../../options.js";
import { printClient } from "./show.js";

export interface ClientUpdateOptions {
  readonly client: string;
  readonly name?: string;
  readonly description?: string;
  /** Replaces the list. */
  readonly redirectUris?: readonly string[];
  /** Replaces every scope granted to the client. */
  readonly scopes?: readonly string[];
  readonly json: boolean;
}

export function clientUpdateCommand(
  context: CommandContext,
  run: RunCommand<ClientUpdateOptions> = runClientUpdate,
): Command {
  return new Command("update")
    .description("change a client's name, description, redirect URIs or scopes")
    .argument("<client>", "client id")
    .option("--name <name>", "new display name")
    .option("--description <text>", "new description")
    .option("--redirect-uris <uris>", "comma-separated redirect URIs; replaces the list", parseList)
    .option(
      "--scopes <scopes>",
      'comma-separated scopes; replaces the granted set ("" removes all)',
      parseList,
    )
    .addOption(jsonOption())
    .action((client: string, flags: Omit<ClientUpdateOptions, "client">) => {
      if (
        flags.name === undefined &&
        flags.description === undefined &&
        flags.redirectUris === undefined &&
        flags.scopes === undefined
      ) {
        throw usageError("nothing to update: give --name, --description, --redirect-uris or --scopes");
      }
      return run(context, { ...flags, client, json: flags.json === true });
    });
}

export async function runClientUpdate(context: CommandContext, options: ClientUpdateOptions): Promise<void> {
  const api = await context.api();
  const client = await api.patch<Client>(pathOf`/api/clients/${options.client}`, {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.redirectUris === undefined ? {} : { redirect_uris: options.redirectUris }),
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
  });
  if (options.json) return context.out.json(client);
  context.out.note(`Updated client ${options.client}.`);
  printClient(context, client);
}

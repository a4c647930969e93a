import { Command } from "commander";
import type { Client } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { collect, jsonOption, parseList } from "../../options.js";
import { printClient, printSecretOnce, warnSecretShownOnce } from "./show.js";

export interface ClientCreateOptions {
  readonly id: string;
  readonly team: string;
  readonly name: string;
  readonly description?: string;
  readonly confidential: boolean;
  readonly redirectUris?: readonly string[];
  readonly scopes?: readonly string[];
  readonly json: boolean;
}

export function clientCreateCommand(
  context: CommandContext,
  run: RunCommand<ClientCreateOptions> = runClientCreate,
): Command {
  return new Command("create")
    .description("create a service client; a confidential client's secret is printed once")
    .argument("<id>", "client id: lower-case letters, digits and dashes")
    .requiredOption("--team <team>", "the team that owns the client")
    .requiredOption("--name <name>", "display name")
    .option("--description <text>", "what the client is for")
    .option("--public", "a public client (no secret; authenticates by redirect URI only)")
    .option("--redirect-uri <uri>", "an allowed redirect URI (repeatable)", collect)
    .option("--scopes <scopes>", "comma-separated scopes to grant", parseList)
    .addOption(jsonOption())
    .action(
      (
        id: string,
        flags: {
          team: string;
          name: string;
          description?: string;
          public?: boolean;
          redirectUri?: string[];
          scopes?: string[];
          json?: boolean;
        },
      ) =>
        run(context, {
          id,
          team: flags.team,
          name: flags.name,
          ...(flags.description === undefined ? {} : { description: flags.description }),
          confidential: flags.public !== true,
          ...(flags.redirectUri === undefined ? {} : { redirectUris: flags.redirectUri }),
          ...(flags.scopes === undefined ? {} : { scopes: flags.scopes }),
          json: flags.json === true,
        }),
    );
}

export async function runClientCreate(context: CommandContext, options: ClientCreateOptions): Promise<void> {
  const api = await context.api();
  const client = await api.post<Client>("/api/clients", {
    id: options.id,
    team_id: options.team,
    name: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    confidential: options.confidential,
    ...(options.redirectUris === undefined ? {} : { redirect_uris: options.redirectUris }),
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
  });
  if (options.json) {
    context.out.json(client);
    if (client.client_secret !== undefined) warnSecretShownOnce(context, client.id);
    return;
  }
  context.out.note(`Created client ${client.id}.`);
  printClient(context, client);
  if (client.client_secret !== undefined) printSecretOnce(context, client.id, client.client_secret);
}

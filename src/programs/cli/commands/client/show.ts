import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { Client } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";

export interface ClientShowOptions {
  readonly client: string;
  readonly json: boolean;
}

export function clientShowCommand(
  context: CommandContext,
  run: RunCommand<ClientShowOptions> = runClientShow,
): Command {
  return new Command("show")
    .description("show a service client")
    .argument("<client>", "client id")
    .addOption(jsonOption())
    .action((client: string, flags: { json?: boolean }) =>
      run(context, { client, json: flags.json === true }),
    );
}

export async function runClientShow(context: CommandContext, options: ClientShowOptions): Promise<void> {
  const api = await context.api();
  const client = await api.get<Client>(pathOf`/api/clients/${options.client}`);
  if (options.json) return context.out.json(client);
  printClient(context, client);
}

/** A client's details; never its secret, which `printSecretOnce` shows. */
export function printClient(context: CommandContext, client: Client): void {
  context.out.details([
    ["id", client.id],
    ["team", client.team_id],
    ["name", client.name],
    ["description", client.description],
    ["confidential", client.confidential],
    ["redirect uris", client.redirect_uris],
    ["scopes", client.scopes],
  ]);
}

/**
 * Shows a freshly issued client secret: the value on stdout (it is the command's result), the
 * warning on stderr (so it never lands in a pipe or a file).
 */
export function printSecretOnce(context: CommandContext, clientId: string, secret: string): void {
  context.out.line(`client_secret: ${secret}`);
  warnSecretShownOnce(context, clientId);
}

export function warnSecretShownOnce(context: CommandContext, clientId: string): void {
  context.out.note(
    `! Store the secret of ${clientId} now: it is shown only once and cannot be read again (rotate it to get a new one).`,
  );
}

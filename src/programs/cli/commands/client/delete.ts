import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { confirm } from "../../input.js";
import { jsonOption, yesOption } from "../../options.js";

export interface ClientDeleteOptions {
  readonly client: string;
  readonly yes: boolean;
  readonly json: boolean;
}

export function clientDeleteCommand(
  context: CommandContext,
  run: RunCommand<ClientDeleteOptions> = runClientDelete,
): Command {
  return new Command("delete")
    .description("delete a service client; its tokens can no longer be obtained")
    .argument("<client>", "client id")
    .addOption(yesOption())
    .addOption(jsonOption())
    .action((client: string, flags: { yes?: boolean; json?: boolean }) =>
      run(context, { client, yes: flags.yes === true, json: flags.json === true }),
    );
}

export async function runClientDelete(context: CommandContext, options: ClientDeleteOptions): Promise<void> {
  await confirm(context.io, `Delete client ${options.client}?`, options.yes);
  const api = await context.api();
  const answer = await api.delete(pathOf`/api/clients/${options.client}`);
  if (options.json) return context.out.json(answer);
  context.out.note(`Deleted client ${options.client}.`);
}

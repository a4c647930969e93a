import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { confirm } from "../../input.js";
import { jsonOption, yesOption } from "../../options.js";
import { printSecretOnce, warnSecretShownOnce } from "./show.js";

export interface ClientRotateSecretOptions {
  readonly client: string;
  readonly yes: boolean;
  readonly json: boolean;
}

export function clientRotateSecretCommand(
  context: CommandContext,
  run: RunCommand<ClientRotateSecretOptions> = runClientRotateSecret,
): Command {
  return new Command("rotate-secret")
    .description("issue a new client secret, replacing the current one; the new secret is printed once")
    .argument("<client>", "client id")
    .addOption(yesOption())
    .addOption(jsonOption())
    .action((client: string, flags: { yes?: boolean; json?: boolean }) =>
      run(context, { client, yes: flags.yes === true, json: flags.json === true }),
    );
}

export async function runClientRotateSecret(
  context: CommandContext,
  options: ClientRotateSecretOptions,
): Promise<void> {
  await confirm(
    context.io,
    `Replace the secret of ${options.client}? Services still using the old one will fail to get tokens.`,
    options.yes,
  );
  const api = await context.api();
  const answer = await api.post<{ client_secret: string }>(pathOf`/api/clients/${options.client}/secret`);
  if (options.json) {
    context.out.json(answer);
    warnSecretShownOnce(context, options.client);
    return;
  }
  printSecretOnce(context, options.client, answer.client_secret);
}

import { Command } from "commander";
import type { Client, Page } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { cursorOption, jsonOption, limitOption } from "../../options.js";
import { printPage } from "../print-page.js";

export interface ClientListOptions {
  readonly team?: string;
  readonly limit?: number;
  readonly cursor?: string;
  readonly json: boolean;
}

export function clientListCommand(
  context: CommandContext,
  run: RunCommand<ClientListOptions> = runClientList,
): Command {
  return new Command("list")
    .description("list service clients")
    .option("--team <team>", "only this team's clients")
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(jsonOption())
    .action((flags: ClientListOptions) => run(context, { ...flags, json: flags.json === true }));
}

export async function runClientList(context: CommandContext, options: ClientListOptions): Promise<void> {
  const api = await context.api();
  const page = await api.get<Page<Client>>("/api/clients", {
    team: options.team,
    limit: options.limit,
    cursor: options.cursor,
  });
  printPage(context, options.json, page, "clients", [
    { header: "id", value: (c) => c.id },
    { header: "team", value: (c) => c.team_id },
    { header: "name", value: (c) => c.name },
    { header: "confidential", value: (c) => c.confidential },
    { header: "scopes", value: (c) => c.scopes },
  ]);
}

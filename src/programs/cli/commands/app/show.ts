import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import type { App } from "./app-resource.js";

export interface AppShowOptions {
  readonly app: string;
  readonly json: boolean;
}

export function appShowCommand(
  context: CommandContext,
  run: RunCommand<AppShowOptions> = runAppShow,
): Command {
  return new Command("show")
    .description("show an application")
    .argument("<app>", "application id")
    .addOption(jsonOption())
    .action((app: string, flags: { json?: boolean }) => run(context, { app, json: flags.json === true }));
}

export async function runAppShow(context: CommandContext, options: AppShowOptions): Promise<void> {
  const api = await context.api();
  const app = await api.get<App>(pathOf`/api/apps/${options.app}`);
  if (options.json) return context.out.json(app);
  printApp(context, app);
}

export function printApp(context: CommandContext, app: App): void {
  context.out.details([
    ["id", app.id],
    ["team", app.team_id],
    ["name", app.name],
    ["subtitle", app.subtitle],
    ["criticality", app.criticality_level],
    ["active", app.active],
    ["public", app.publicly_accessible],
    ["service url", app.service_url],
    ["scm url", app.scm_url],
    ["documentation", app.documentation_url],
    ["specification", app.specification_url],
    ["support", app.support_url],
    ["incident contact", app.incident_contact],
    ["modified", app.modified_at === undefined ? undefined : `${app.modified_at} by ${app.modified_by}`],
    ["description", app.description],
  ]);
}

import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import { usageError } from "../../cli-error.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import { type AppFieldFlags, appBody, withAppFieldOptions, writableFields } from "./app-fields.js";
import type { App } from "./app-resource.js";
import { printApp } from "./show.js";

export interface AppUpdateOptions extends AppFieldFlags {
  readonly app: string;
  readonly json: boolean;
}

export function appUpdateCommand(
  context: CommandContext,
  run: RunCommand<AppUpdateOptions> = runAppUpdate,
): Command {
  return withAppFieldOptions(
    new Command("update").description("change an application's fields").argument("<app>", "application id"),
    true,
  )
    .addOption(jsonOption())
    .action((app: string, flags: Omit<AppUpdateOptions, "app" | "json"> & { json?: boolean }) => {
      const { json, ...fields } = flags;
      if (Object.values(fields).every((v) => v === undefined)) {
        throw usageError("nothing to update: give at least one field flag (see --help)");
      }
      return run(context, { ...fields, app, json: json === true });
    });
}

/** Reads the application and writes it back with the given fields changed (the API replaces whole). */
export async function runAppUpdate(context: CommandContext, options: AppUpdateOptions): Promise<void> {
  const api = await context.api();
  const path = pathOf`/api/apps/${options.app}`;
  const current = await api.get<Record<string, unknown>>(path);
  const app = await api.put<App>(path, appBody(writableFields(current), options));
  if (options.json) return context.out.json(app);
  context.out.note(`Updated application ${app.id}.`);
  printApp(context, app);
}

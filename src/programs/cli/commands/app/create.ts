import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import { ApiError } from "../../api/api-error.js";
import { CliError, usageError } from "../../cli-error.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import { type AppFieldFlags, appBody, withAppFieldOptions } from "./app-fields.js";
import type { App } from "./app-resource.js";
import { printApp } from "./show.js";

export interface AppCreateOptions extends AppFieldFlags {
  readonly app: string;
  readonly json: boolean;
}

export function appCreateCommand(
  context: CommandContext,
  run: RunCommand<AppCreateOptions> = runAppCreate,
): Command {
  return withAppFieldOptions(
    new Command("create")
      .description("register an application")
      .argument("<app>", "application id: lower-case letters, digits and dashes"),
    false,
  )
    .addOption(jsonOption())
    .action((app: string, flags: Omit<AppCreateOptions, "app" | "json"> & { json?: boolean }) => {
      if (flags.team === undefined || flags.name === undefined) {
        throw usageError("app create needs --team and --name");
      }
      return run(context, { ...flags, app, json: flags.json === true });
    });
}

export async function runAppCreate(context: CommandContext, options: AppCreateOptions): Promise<void> {
  const api = await context.api();
  const path = pathOf`/api/apps/${options.app}`;
  // PUT would replace an existing application; create must not.
  const existing = await api.get<App>(path).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  });
  if (existing !== undefined) {
    throw new CliError(`application ${options.app} already exists; use charter app update`);
  }
  const app = await api.put<App>(path, appBody({}, options));
  if (options.json) return context.out.json(app);
  context.out.note(`Registered application ${app.id}.`);
  printApp(context, app);
}

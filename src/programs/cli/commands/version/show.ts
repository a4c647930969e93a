import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import type { Version } from "../app/app-resource.js";

export interface VersionShowOptions {
  readonly app: string;
  readonly version: string;
  readonly json: boolean;
}

export function versionShowCommand(
  context: CommandContext,
  run: RunCommand<VersionShowOptions> = runVersionShow,
): Command {
  return new Command("show")
    .description("show a version")
    .argument("<app>", "application id")
    .argument("<version>", "version id")
    .addOption(jsonOption())
    .action((app: string, version: string, flags: { json?: boolean }) =>
      run(context, { app, version, json: flags.json === true }),
    );
}

export async function runVersionShow(context: CommandContext, options: VersionShowOptions): Promise<void> {
  const api = await context.api();
  const version = await api.get<Version>(pathOf`/api/apps/${options.app}/versions/${options.version}`);
  if (options.json) return context.out.json(version);
  printVersion(context, version);
}

export function printVersion(context: CommandContext, version: Version): void {
  context.out.details([
    ["application", version.app_id],
    ["version", version.id],
    ["artifact", version.artifact],
    [
      "created",
      version.created_at === undefined ? undefined : `${version.created_at} by ${version.created_by}`,
    ],
    ["notes", version.notes],
  ]);
}

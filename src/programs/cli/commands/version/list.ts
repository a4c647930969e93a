import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { Page } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { cursorOption, jsonOption, limitOption } from "../../options.js";
import type { Version } from "../app/app-resource.js";
import { printPage } from "../print-page.js";

export interface VersionListOptions {
  readonly app: string;
  readonly limit?: number;
  readonly cursor?: string;
  readonly json: boolean;
}

export function versionListCommand(
  context: CommandContext,
  run: RunCommand<VersionListOptions> = runVersionList,
): Command {
  return new Command("list")
    .description("list an application's versions")
    .argument("<app>", "application id")
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(jsonOption())
    .action((app: string, flags: Omit<VersionListOptions, "app" | "json"> & { json?: boolean }) =>
      run(context, { ...flags, app, json: flags.json === true }),
    );
}

export async function runVersionList(context: CommandContext, options: VersionListOptions): Promise<void> {
  const api = await context.api();
  const page = await api.get<Page<Version>>(pathOf`/api/apps/${options.app}/versions`, {
    limit: options.limit,
    cursor: options.cursor,
  });
  printPage(context, options.json, page, "versions", [
    { header: "version", value: (v) => v.id },
    { header: "artifact", value: (v) => v.artifact },
    { header: "created", value: (v) => v.created_at },
    { header: "by", value: (v) => v.created_by },
  ]);
}

import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import type { Version } from "../app/app-resource.js";
import { printVersion } from "./show.js";

export interface VersionCreateOptions {
  readonly app: string;
  readonly version: string;
  readonly artifact: string;
  readonly notes?: string;
  readonly json: boolean;
}

export function versionCreateCommand(
  context: CommandContext,
  run: RunCommand<VersionCreateOptions> = runVersionCreate,
): Command {
  return new Command("create")
    .description("register a version; it cannot change its artifact afterwards")
    .argument("<app>", "application id")
    .argument("<version>", "version id, such as 1.4.2")
    .requiredOption("--artifact <ref>", "image pinned by digest: registry/team/name:tag@sha256:<digest>")
    .option("--notes <markdown>", "release notes")
    .addOption(jsonOption())
    .action(
      (
        app: string,
        version: string,
        flags: Omit<VersionCreateOptions, "app" | "version" | "json"> & { json?: boolean },
      ) => run(context, { ...flags, app, version, json: flags.json === true }),
    );
}

export async function runVersionCreate(
  context: CommandContext,
  options: VersionCreateOptions,
): Promise<void> {
  const api = await context.api();
  const version = await api.put<Version>(pathOf`/api/apps/${options.app}/versions/${options.version}`, {
    artifact: options.artifact,
    ...(options.notes === undefined ? {} : { notes: options.notes }),
  });
  if (options.json) return context.out.json(version);
  context.out.note(`Registered version ${version.id} of ${version.app_id}.`);
  printVersion(context, version);
}

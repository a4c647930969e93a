import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import { CliError } from "../../cli-error.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import type { ApprovalStatus } from "../app/app-resource.js";

export interface VersionStatusOptions {
  readonly app: string;
  readonly version: string;
  readonly json: boolean;
}

export function versionStatusCommand(
  context: CommandContext,
  run: RunCommand<VersionStatusOptions> = runVersionStatus,
): Command {
  return new Command("status")
    .description("whether a version has the approvals it needs to be deployed (exit 1 if not)")
    .argument("<app>", "application id")
    .argument("<version>", "version id")
    .addOption(jsonOption())
    .action((app: string, version: string, flags: { json?: boolean }) =>
      run(context, { app, version, json: flags.json === true }),
    );
}

/** Prints the status; a version that is not deployable exits 1, so scripts can gate on it. */
export async function runVersionStatus(
  context: CommandContext,
  options: VersionStatusOptions,
): Promise<void> {
  const api = await context.api();
  const status = await api.get<ApprovalStatus>(
    pathOf`/api/apps/${options.app}/versions/${options.version}/approval-status`,
  );
  if (options.json) context.out.json(status);
  else if (status.missing.length > 0) {
    context.out.table(
      [
        { header: "missing approval", value: (m: ApprovalStatus["missing"][number]) => m.type },
        { header: "needed", value: (m) => m.needed },
        { header: "have", value: (m) => m.have },
      ],
      status.missing,
    );
  }
  if (!status.deployable) {
    throw new CliError(`version ${options.version} of ${options.app} is not deployable yet`);
  }
  if (!options.json) context.out.note(`Version ${options.version} of ${options.app} is deployable.`);
}

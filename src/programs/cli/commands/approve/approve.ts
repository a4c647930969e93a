import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { confirm } from "../../input.js";
import { jsonOption, yesOption } from "../../options.js";
import type { Approval, ApprovalType } from "../app/app-resource.js";

export interface ApproveOptions {
  readonly app: string;
  readonly version: string;
  readonly type: string;
  readonly notes?: string;
  readonly yes: boolean;
  readonly json: boolean;
}

/** `charter approve <app> <version> --type <t>`: confirm a type's declaration for a version. */
export function approveCommand(
  context: CommandContext,
  run: RunCommand<ApproveOptions> = runApprove,
): Command {
  return new Command("approve")
    .description("approve a version: shows the declaration you confirm, then records your approval")
    .argument("<app>", "application id")
    .argument("<version>", "version id")
    .requiredOption(
      "--type <type>",
      "approval type: SPECIFICATION, CODE_CHANGE, TEST, DEPLOY or a custom one",
    )
    .option("--notes <text>", "a remark stored with the approval")
    .addOption(yesOption())
    .addOption(jsonOption())
    .action(
      (
        app: string,
        version: string,
        flags: { type: string; notes?: string; yes?: boolean; json?: boolean },
      ) =>
        run(context, {
          app,
          version,
          type: flags.type.toUpperCase(),
          ...(flags.notes === undefined ? {} : { notes: flags.notes }),
          yes: flags.yes === true,
          json: flags.json === true,
        }),
    );
}

export async function runApprove(context: CommandContext, options: ApproveOptions): Promise<void> {
  const api = await context.api();
  const type = await api.get<ApprovalType>(pathOf`/api/approval-types/${options.type}`);
  context.out.note(
    `${type.id} approval of ${options.app} ${options.version}. You declare:\n\n  ${type.declaration}\n`,
  );
  await confirm(context.io, `Approve ${options.app} ${options.version} (${type.id})?`, options.yes);
  const approval = await api.post<Approval>(
    pathOf`/api/apps/${options.app}/versions/${options.version}/approvals`,
    {
      type: type.id,
      ...(options.notes === undefined ? {} : { notes: options.notes }),
    },
  );
  if (options.json) return context.out.json(approval);
  context.out.note(
    `Recorded ${approval.type} approval of ${options.app} ${options.version} by ${approval.user}.`,
  );
}

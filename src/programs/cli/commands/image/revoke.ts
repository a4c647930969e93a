import { Command, InvalidArgumentError, Option } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { confirm } from "../../input.js";
import { jsonOption, yesOption } from "../../options.js";
import { parseTagName, type TagName, tagNameText } from "./image-name.js";
import type { ImageTag } from "./image-resource.js";

/** The API's limit on a revocation reason. */
export const MAX_REASON_LENGTH = 1000;

export interface ImageRevokeOptions {
  readonly name: TagName;
  readonly reason: string;
  readonly yes: boolean;
  readonly json: boolean;
}

function parseReason(value: string): string {
  const reason = value.trim();
  if (reason === "") throw new InvalidArgumentError("must say why the tag must not be used");
  if (reason.length > MAX_REASON_LENGTH)
    throw new InvalidArgumentError(`must be at most ${MAX_REASON_LENGTH} characters`);
  return reason;
}

export function imageRevokeCommand(
  context: CommandContext,
  run: RunCommand<ImageRevokeOptions> = runImageRevoke,
): Command {
  return new Command("revoke")
    .description("revoke a tag: it stays, marked revoked, and must not be deployed")
    .argument("<team/artifact:tag>", "the tag, for example platform/shop:1.0.0")
    .addOption(
      new Option("--reason <text>", "why the tag must not be used (audited)")
        .makeOptionMandatory()
        .argParser(parseReason),
    )
    .addOption(yesOption())
    .addOption(jsonOption())
    .action((name: string, flags: { reason: string; yes?: boolean; json?: boolean }) =>
      run(context, {
        name: parseTagName(name),
        reason: flags.reason,
        yes: flags.yes === true,
        json: flags.json === true,
      }),
    );
}

/** Asks first (revocation cannot be undone), then revokes and prints the revoked tag. */
export async function runImageRevoke(context: CommandContext, options: ImageRevokeOptions): Promise<void> {
  const { team, artifact, tag } = options.name;
  const name = tagNameText(options.name);
  await confirm(context.io, `Revoke ${name} (this cannot be undone)?`, options.yes);
  const api = await context.api();
  const revoked = await api.post<ImageTag>(pathOf`/api/images/${team}/${artifact}/tags/${tag}/revoke`, {
    reason: options.reason,
  });
  if (options.json) return context.out.json(revoked);
  context.out.note(`Revoked ${name} (${revoked.digest}).`);
}

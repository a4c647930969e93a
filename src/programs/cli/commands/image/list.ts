import { Command } from "commander";
import type { Page } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { cursorOption, jsonOption, limitOption } from "../../options.js";
import { printPage } from "../print-page.js";
import type { Artifact } from "./image-resource.js";

export interface ImageListOptions {
  readonly team?: string;
  readonly limit?: number;
  readonly cursor?: string;
  readonly json: boolean;
}

export function imageListCommand(
  context: CommandContext,
  run: RunCommand<ImageListOptions> = runImageList,
): Command {
  return new Command("list")
    .description("list artifacts (repositories), of one team or all")
    .argument("[team]", "only this team's artifacts")
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(jsonOption())
    .action((team: string | undefined, flags: { limit?: number; cursor?: string; json?: boolean }) =>
      run(context, {
        ...(team === undefined ? {} : { team }),
        ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
        json: flags.json === true,
      }),
    );
}

export async function runImageList(context: CommandContext, options: ImageListOptions): Promise<void> {
  const api = await context.api();
  const page = await api.get<Page<Artifact>>("/api/images", {
    team: options.team,
    limit: options.limit,
    cursor: options.cursor,
  });
  printPage(context, options.json, page, "artifacts", [
    { header: "repository", value: (a) => a.repository },
    { header: "tags", value: (a) => a.tag_count },
    { header: "last pushed", value: (a) => a.last_pushed_at ?? "never" },
  ]);
}

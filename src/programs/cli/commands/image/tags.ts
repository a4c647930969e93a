import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { Page } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { cursorOption, jsonOption, limitOption } from "../../options.js";
import { printPage } from "../print-page.js";
import { parseRepositoryName, type RepositoryName } from "./image-name.js";
import type { ImageTag } from "./image-resource.js";
import { provenanceCell, shortDigest } from "./image-text.js";

export interface ImageTagsOptions {
  readonly repository: RepositoryName;
  readonly limit?: number;
  readonly cursor?: string;
  readonly json: boolean;
}

export function imageTagsCommand(
  context: CommandContext,
  run: RunCommand<ImageTagsOptions> = runImageTags,
): Command {
  return new Command("tags")
    .description("list an artifact's tags, newest first, with provenance and revoked state")
    .argument("<team/artifact>", "the repository, for example platform/shop")
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(jsonOption())
    .action((repository: string, flags: { limit?: number; cursor?: string; json?: boolean }) =>
      run(context, {
        repository: parseRepositoryName(repository),
        ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
        json: flags.json === true,
      }),
    );
}

export async function runImageTags(context: CommandContext, options: ImageTagsOptions): Promise<void> {
  const { team, artifact } = options.repository;
  const api = await context.api();
  const page = await api.get<Page<ImageTag>>(pathOf`/api/images/${team}/${artifact}/tags`, {
    limit: options.limit,
    cursor: options.cursor,
  });
  printPage(context, options.json, page, "tags", [
    { header: "tag", value: (t) => t.tag },
    { header: "digest", value: (t) => shortDigest(t.digest) },
    { header: "pushed at", value: (t) => t.pushed_at },
    { header: "pushed by", value: (t) => t.pushed_by },
    { header: "provenance", value: (t) => provenanceCell(t.provenance) },
    { header: "revoked", value: (t) => (t.revoked === null ? "no" : "REVOKED") },
  ]);
}

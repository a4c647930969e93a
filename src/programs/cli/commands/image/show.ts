import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import { parseTagName, type TagName, tagNameText } from "./image-name.js";
import type { ImageProvenance, ImageTag } from "./image-resource.js";
import { sizeText } from "./image-text.js";

export interface ImageShowOptions {
  readonly name: TagName;
  readonly json: boolean;
}

export function imageShowCommand(
  context: CommandContext,
  run: RunCommand<ImageShowOptions> = runImageShow,
): Command {
  return new Command("show")
    .description("show a tag: reference, digest, size, pusher, provenance, revoked state")
    .argument("<team/artifact:tag>", "the tag, for example platform/shop:1.0.0")
    .addOption(jsonOption())
    .action((name: string, flags: { json?: boolean }) =>
      run(context, { name: parseTagName(name), json: flags.json === true }),
    );
}

export async function runImageShow(context: CommandContext, options: ImageShowOptions): Promise<void> {
  const { team, artifact, tag: tagName } = options.name;
  const api = await context.api();
  const tag = await api.get<ImageTag>(pathOf`/api/images/${team}/${artifact}/tags/${tagName}`);
  if (options.json) return context.out.json(tag);
  printImageTag(context, tag);
}

/**
 * A tag's fields, one per line. A revoked tag and a tag of unknown source must not be mistaken for
 * a good one: both are written in capitals in the details and repeated as warnings on stderr.
 */
export function printImageTag(context: CommandContext, tag: ImageTag): void {
  context.out.details([
    ["reference", tag.reference],
    ["repository", tag.repository],
    ["tag", tag.tag],
    ["digest", tag.digest],
    ["media type", tag.media_type],
    ["size", sizeText(tag.size)],
    ["platforms", tag.platforms.length === 0 ? "unknown" : tag.platforms],
    ["created", tag.created ?? "unknown"],
    ["pushed", `${tag.pushed_at} by ${tag.pushed_by}`],
    ...provenanceDetails(tag.provenance),
    ["revoked", tag.revoked === null ? "no" : `REVOKED at ${tag.revoked.at} by ${tag.revoked.by}`],
    ...(tag.revoked === null ? [] : [["revoke reason", tag.revoked.reason] as const]),
  ]);
  const name = tagNameText(tag);
  if (tag.revoked !== null) {
    context.out.note(`warning: ${name} is REVOKED: ${tag.revoked.reason}`);
  }
  if (tag.provenance.status === "missing") {
    const why = tag.provenance.note === undefined ? "" : `: ${tag.provenance.note}`;
    context.out.note(`warning: ${name} has NO KNOWN SOURCE${why}`);
  }
}

function provenanceDetails(provenance: ImageProvenance): (readonly [string, unknown])[] {
  switch (provenance.status) {
    case "known":
      return [
        ["source", provenance.url],
        ["revision", provenance.revision],
        ["author", provenance.author ?? "unknown"],
        [
          "working tree",
          provenance.clean === null || provenance.clean === undefined
            ? "unknown"
            : provenance.clean
              ? "clean"
              : "MODIFIED",
        ],
        ["provenance from", provenance.origin],
      ];
    case "pending":
      return [["source", "pending (the image's layers are still being searched for scm-source.json)"]];
    default:
      return [
        ["source", "MISSING"],
        ...(provenance.note === undefined ? [] : [["why missing", provenance.note] as const]),
      ];
  }
}

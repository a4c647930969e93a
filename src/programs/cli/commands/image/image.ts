import { Command } from "commander";
import type { CommandContext } from "../../command-context.js";
import { imageListCommand } from "./list.js";
import { imageLoginCommand } from "./login.js";
import { imageRevokeCommand } from "./revoke.js";
import { imageShowCommand } from "./show.js";
import { imageTagsCommand } from "./tags.js";

/** `charter image ...`: the image registry. */
export function imageCommand(context: CommandContext): Command {
  return new Command("image")
    .description("the image registry: docker login, artifacts, tags, provenance, revocation")
    .addCommand(imageLoginCommand(context))
    .addCommand(imageListCommand(context))
    .addCommand(imageTagsCommand(context))
    .addCommand(imageShowCommand(context))
    .addCommand(imageRevokeCommand(context));
}

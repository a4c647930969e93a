import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { Page, ResourceType } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { confirm } from "../../input.js";
import { jsonOption, yesOption } from "../../options.js";
import { asPage, printPage } from "../print-page.js";

export type ScopeTypeOptions =
  | { readonly verb: "list"; readonly json: boolean }
  | {
      readonly verb: "create";
      readonly type: string;
      readonly name: string;
      readonly description?: string;
      readonly json: boolean;
    }
  | { readonly verb: "delete"; readonly type: string; readonly yes: boolean; readonly json: boolean };

/** `charter scope type list|create|delete`: the resource types scopes belong to. */
export function scopeTypeCommand(
  context: CommandContext,
  run: RunCommand<ScopeTypeOptions> = runScopeType,
): Command {
  return new Command("type")
    .description("manage resource types, the namespaces of scopes")
    .addCommand(
      new Command("list")
        .description("list resource types")
        .addOption(jsonOption())
        .action((flags: { json?: boolean }) => run(context, { verb: "list", json: flags.json === true })),
    )
    .addCommand(
      new Command("create")
        .description("create a resource type")
        .argument("<type>", "resource type id, such as sales-order")
        .requiredOption("--name <name>", "display name")
        .option("--description <text>", "what the resource is")
        .addOption(jsonOption())
        .action((type: string, flags: { name: string; description?: string; json?: boolean }) =>
          run(context, {
            verb: "create",
            type,
            name: flags.name,
            ...(flags.description === undefined ? {} : { description: flags.description }),
            json: flags.json === true,
          }),
        ),
    )
    .addCommand(
      new Command("delete")
        .description("delete a resource type")
        .argument("<type>", "resource type id")
        .addOption(yesOption())
        .addOption(jsonOption())
        .action((type: string, flags: { yes?: boolean; json?: boolean }) =>
          run(context, { verb: "delete", type, yes: flags.yes === true, json: flags.json === true }),
        ),
    );
}

export async function runScopeType(context: CommandContext, options: ScopeTypeOptions): Promise<void> {
  switch (options.verb) {
    case "list": {
      const api = await context.api();
      const answer = await api.get<Page<ResourceType> | ResourceType[]>("/api/resource-types");
      if (options.json) return context.out.json(answer);
      return printPage(context, false, asPage(answer), "resource types", [
        { header: "id", value: (t) => t.id },
        { header: "name", value: (t) => t.name },
        { header: "description", value: (t) => t.description },
      ]);
    }
    case "create": {
      const api = await context.api();
      const answer = await api.post<ResourceType>("/api/resource-types", {
        id: options.type,
        name: options.name,
        ...(options.description === undefined ? {} : { description: options.description }),
      });
      if (options.json) return context.out.json(answer);
      return context.out.note(`Created resource type ${options.type}.`);
    }
    case "delete": {
      await confirm(context.io, `Delete resource type ${options.type}?`, options.yes);
      const api = await context.api();
      const answer = await api.delete(pathOf`/api/resource-types/${options.type}`);
      if (options.json) return context.out.json(answer);
      return context.out.note(`Deleted resource type ${options.type}.`);
    }
  }
}

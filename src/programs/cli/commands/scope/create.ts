import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { Scope } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import { parseScopeName, type ScopeName } from "./scope-name.js";

export interface ScopeCreateOptions {
  readonly name: ScopeName;
  readonly description: string;
  readonly json: boolean;
}

export function scopeCreateCommand(
  context: CommandContext,
  run: RunCommand<ScopeCreateOptions> = runScopeCreate,
): Command {
  return new Command("create")
    .description("create (or change) a scope of a resource type")
    .argument("<type.scope>", "full scope name, such as sales-order.read", parseScopeName)
    .requiredOption("--description <text>", "what the scope allows")
    .addOption(jsonOption())
    .action((name: ScopeName, flags: { description: string; json?: boolean }) =>
      run(context, { name, description: flags.description, json: flags.json === true }),
    );
}

export async function runScopeCreate(context: CommandContext, options: ScopeCreateOptions): Promise<void> {
  const api = await context.api();
  const { type, scope } = options.name;
  const answer = await api.put<Scope>(pathOf`/api/resource-types/${type}/scopes/${scope}`, {
    description: options.description,
  });
  if (options.json) return context.out.json(answer);
  context.out.note(`Created scope ${type}.${scope}.`);
}

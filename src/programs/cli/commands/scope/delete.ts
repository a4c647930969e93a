import { Command } from "commander";
import { pathOf } from "../../api/api-client.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { confirm } from "../../input.js";
import { jsonOption, yesOption } from "../../options.js";
import { parseScopeName, type ScopeName } from "./scope-name.js";

export interface ScopeDeleteOptions {
  readonly name: ScopeName;
  readonly yes: boolean;
  readonly json: boolean;
}

export function scopeDeleteCommand(
  context: CommandContext,
  run: RunCommand<ScopeDeleteOptions> = runScopeDelete,
): Command {
  return new Command("delete")
    .description("delete a scope")
    .argument("<type.scope>", "full scope name, such as sales-order.read", parseScopeName)
    .addOption(yesOption())
    .addOption(jsonOption())
    .action((name: ScopeName, flags: { yes?: boolean; json?: boolean }) =>
      run(context, { name, yes: flags.yes === true, json: flags.json === true }),
    );
}

export async function runScopeDelete(context: CommandContext, options: ScopeDeleteOptions): Promise<void> {
  const { type, scope } = options.name;
  await confirm(context.io, `Delete scope ${type}.${scope}?`, options.yes);
  const api = await context.api();
  const answer = await api.delete(pathOf`/api/resource-types/${type}/scopes/${scope}`);
  if (options.json) return context.out.json(answer);
  context.out.note(`Deleted scope ${type}.${scope}.`);
}

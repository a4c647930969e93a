import { Command } from "commander";
import type { Page, Scope } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import { asPage, printPage } from "../print-page.js";

export interface ScopeListOptions {
  readonly json: boolean;
}

export function scopeListCommand(
  context: CommandContext,
  run: RunCommand<ScopeListOptions> = runScopeList,
): Command {
  return new Command("list")
    .description("list every scope that may be granted")
    .addOption(jsonOption())
    .action((flags: { json?: boolean }) => run(context, { json: flags.json === true }));
}

export async function runScopeList(context: CommandContext, options: ScopeListOptions): Promise<void> {
  const api = await context.api();
  // The API lists full names; richer entries (with descriptions) read the same.
  const answer = await api.get<Page<string | Scope> | (string | Scope)[]>("/api/scopes");
  if (options.json) return context.out.json(answer);
  const page = asPage(answer);
  const scopes = page.items.map((s) => (typeof s === "string" ? { name: s } : s));
  const described = scopes.some((s) => typeof s.description === "string" && s.description !== "");
  printPage(context, false, { ...page, items: scopes }, "scopes", [
    { header: "scope", value: (s) => s.name ?? `${s.resource_type}.${s.id}` },
    ...(described ? [{ header: "description", value: (s: Scope) => s.description }] : []),
  ]);
}

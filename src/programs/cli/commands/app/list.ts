import { Command } from "commander";
import type { Page } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { cursorOption, jsonOption, limitOption } from "../../options.js";
import { printPage } from "../print-page.js";
import type { App } from "./app-resource.js";

export interface AppListOptions {
  readonly team?: string;
  readonly active?: boolean;
  readonly since?: string;
  readonly search?: string;
  readonly limit?: number;
  readonly cursor?: string;
  readonly json: boolean;
}

export function appListCommand(
  context: CommandContext,
  run: RunCommand<AppListOptions> = runAppList,
): Command {
  return new Command("list")
    .description("list applications, or search them with --search")
    .option("--team <team>", "only this team's applications")
    .option("--active", "only active applications")
    .option("--inactive", "only inactive applications")
    .option("--since <time>", "only applications changed since this ISO 8601 time")
    .option("--search <words>", "full-text search over id, name, subtitle and description")
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(jsonOption())
    .action(
      (
        flags: Omit<AppListOptions, "active" | "json"> & {
          active?: boolean;
          inactive?: boolean;
          json?: boolean;
        },
      ) => {
        const { inactive, active, ...rest } = flags;
        return run(context, {
          ...rest,
          ...(active === true ? { active: true } : inactive === true ? { active: false } : {}),
          json: flags.json === true,
        });
      },
    );
}

export async function runAppList(context: CommandContext, options: AppListOptions): Promise<void> {
  const api = await context.api();
  const page = await api.get<Page<App>>("/api/apps", {
    team: options.team,
    active: options.active,
    modified_since: options.since,
    search: options.search,
    limit: options.limit,
    cursor: options.cursor,
  });
  printPage(context, options.json, page, "applications", [
    { header: "id", value: (a) => a.id },
    { header: "team", value: (a) => a.team_id },
    { header: "name", value: (a) => a.name },
    { header: "crit", value: (a) => a.criticality_level },
    { header: "active", value: (a) => (a.active ? "yes" : "no") },
    options.search === undefined
      ? { header: "subtitle", value: (a) => a.subtitle }
      : { header: "match", value: (a) => a.matched_description?.replace(/<\/?b>/g, "") },
  ]);
}

import { Command, InvalidArgumentError, Option } from "commander";
import type { AuditEntry, Page } from "../../api/resources.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { jsonOption } from "../../options.js";
import { printPage } from "../print-page.js";

export interface AuditListOptions {
  readonly actor?: string;
  readonly action?: string;
  readonly target?: string;
  /** ISO 8601 instants: entries at or after `from`, strictly before `to`. */
  readonly from?: string;
  readonly to?: string;
  readonly order?: "asc" | "desc";
  readonly limit?: number;
  readonly afterSeq?: number;
  readonly beforeSeq?: number;
  readonly json: boolean;
}

export function auditListCommand(
  context: CommandContext,
  run: RunCommand<AuditListOptions> = runAuditList,
): Command {
  return new Command("list")
    .description("list audit log entries, oldest first unless --order desc")
    .option("--actor <sub>", "only changes made by this user or client")
    .option("--action <action>", "only this action, or a prefix ending in * (team.*)")
    .option("--target <target>", "only this target, or a prefix ending in * (team/platform*)")
    .option("--from <time>", "only entries at or after this ISO 8601 time", isoTime)
    .option("--to <time>", "only entries before this ISO 8601 time", isoTime)
    .addOption(new Option("--order <order>", "oldest (asc) or newest (desc) first").choices(["asc", "desc"]))
    .option("--limit <n>", "how many entries to fetch (1-1000)", (v) => positiveInteger(v, 1000))
    .option("--after-seq <seq>", "continue an ascending list after this sequence number", (v) =>
      positiveInteger(v),
    )
    .option("--before-seq <seq>", "continue a descending list before this sequence number", (v) =>
      positiveInteger(v),
    )
    .addOption(jsonOption())
    .action((flags: AuditListOptions) => run(context, { ...flags, json: flags.json === true }));
}

export async function runAuditList(context: CommandContext, options: AuditListOptions): Promise<void> {
  const api = await context.api();
  const page = await api.get<Page<AuditEntry>>("/api/audit", {
    actor: options.actor,
    action: options.action,
    target: options.target,
    from: options.from,
    to: options.to,
    order: options.order,
    limit: options.limit,
    after_seq: options.afterSeq,
    before_seq: options.beforeSeq,
  });
  printPage(
    context,
    options.json,
    page,
    "audit entries",
    [
      { header: "seq", value: (e) => e.seq },
      { header: "at", value: (e) => e.at },
      { header: "actor", value: (e) => e.actor_sub },
      { header: "action", value: (e) => e.action },
      { header: "target", value: (e) => e.target },
    ],
    options.order === "desc" ? "--order desc --before-seq" : "--after-seq",
  );
}

function positiveInteger(value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new InvalidArgumentError(`must be an integer from 1 to ${max}`);
  }
  return n;
}

function isoTime(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError("must be an ISO 8601 time, such as 2026-01-31T12:00:00Z");
  return new Date(ms).toISOString();
}

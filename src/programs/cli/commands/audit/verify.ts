import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { Command } from "commander";
import type { AuditVerifyReport } from "../../../../audit/index.js";
import { CliError } from "../../cli-error.js";
import type { CommandContext, RunCommand } from "../../command-context.js";
import { collect, jsonOption } from "../../options.js";

export interface AuditVerifyOptions {
  /** An export saved earlier; default: download `GET /api/audit/export`. */
  readonly file?: string;
  /** Key ids whose checkpoints count; default every key the export lists. */
  readonly trustedKeys?: readonly string[];
  readonly json: boolean;
}

export function auditVerifyCommand(
  context: CommandContext,
  run: RunCommand<AuditVerifyOptions> = runAuditVerify,
): Command {
  return new Command("verify")
    .description("check the audit log's hash chain and signed checkpoints; exit 1 when broken")
    .option("--file <path>", "verify a saved export instead of downloading one")
    .option("--trusted-key <key id>", "count only checkpoints signed by this key (repeatable)", collect)
    .addOption(jsonOption())
    .action((flags: { file?: string; trustedKey?: string[]; json?: boolean }) =>
      run(context, {
        ...(flags.file === undefined ? {} : { file: flags.file }),
        ...(flags.trustedKey === undefined ? {} : { trustedKeys: flags.trustedKey }),
        json: flags.json === true,
      }),
    );
}

export async function runAuditVerify(context: CommandContext, options: AuditVerifyOptions): Promise<void> {
  // Loaded here only: the audit part brings its HTTP and database code along.
  const { verifyAuditExport } = await import("../../../../audit/index.js");
  const source = options.file ?? `${context.config().server}/api/audit/export`;
  const input = options.file === undefined ? await download(context) : await openFile(options.file);
  if (context.out.interactive) context.out.note(`Verifying ${source}…`);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  // readline drops the lines it reads while nobody iterates; start iterating at once.
  const iterator = lines[Symbol.asyncIterator]();
  let report: AuditVerifyReport;
  try {
    report = await verifyAuditExport(
      { [Symbol.asyncIterator]: () => iterator },
      {
        ...(options.trustedKeys === undefined ? {} : { trustedKeyIds: options.trustedKeys }),
      },
    );
  } finally {
    lines.close();
    input.destroy();
  }
  if (options.json) context.out.json(report);
  else context.out.line(summary(report));
  const broken = report.first_broken;
  if (broken !== undefined) {
    throw new CliError(`the audit log is broken at seq ${broken.seq} (${broken.reason}): ${broken.detail}`);
  }
}

/** One line for a person: what was checked, or where it broke. */
export function summary(report: AuditVerifyReport): string {
  const broken = report.first_broken;
  if (broken !== undefined) {
    const where = broken.line === undefined ? "" : ` (line ${broken.line})`;
    return `broken: seq ${broken.seq}: ${broken.reason}: ${broken.detail}${where}`;
  }
  const range =
    report.last_seq === null
      ? "no entries"
      : `${report.entries} entries (seq ${report.from_seq}-${report.last_seq})`;
  if (report.last_checkpoint_seq === null) {
    return `ok: ${range}${report.last_seq === null ? "" : ", none signed by a checkpoint yet"}`;
  }
  const unsigned = report.uncovered_entries > 0 ? `; ${report.uncovered_entries} newer not yet signed` : "";
  return `ok: ${range}, signed up to seq ${report.last_checkpoint_seq} (${report.checkpoints} checkpoints)${unsigned}`;
}

async function download(context: CommandContext): Promise<Readable> {
  const api = await context.api();
  const body = await api.stream("/api/audit/export");
  return Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
}

async function openFile(file: string): Promise<Readable> {
  const stream = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (error: NodeJS.ErrnoException) =>
      reject(new CliError(`cannot read ${file}: ${error.code ?? error.message}`)),
    );
  });
  return stream;
}

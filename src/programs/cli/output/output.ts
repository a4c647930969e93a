import type { CliIo } from "../cli-io.js";
import { type Column, formatDetails, formatTable } from "./table.js";

/**
 * Where a command's results go: data on stdout (JSON or tables), notes and progress on stderr, so
 * that `charter ... | jq` and `charter ... > file` get only the data.
 */
export class Output {
  constructor(private readonly io: CliIo) {}

  /** Machine-readable output: the value as the API returned it, pretty-printed. */
  json(value: unknown): void {
    if (value === undefined) return;
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  line(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  table<T>(columns: readonly Column<T>[], rows: readonly T[]): void {
    this.io.stdout.write(formatTable(columns, rows));
  }

  details(pairs: readonly (readonly [string, unknown])[]): void {
    this.io.stdout.write(formatDetails(pairs));
  }

  /** A message for the person, not for a pipe: confirmations, hints, progress. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** Whether a person is likely watching stderr (progress is shown only then). */
  get interactive(): boolean {
    return this.io.stderr.isTTY === true;
  }
}

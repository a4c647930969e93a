import { InvalidArgumentError, Option } from "commander";

/** `--json` on every command: print what the API answered, as JSON, instead of a table. */
export function jsonOption(): Option {
  return new Option("--json", "print the API's answer as JSON");
}

/** `--yes` on every destructive command: needed when nobody can answer the question. */
export function yesOption(): Option {
  return new Option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)");
}

/** `--limit` of a list, 1 to 500. */
export function limitOption(): Option {
  return new Option("--limit <n>", "how many items to fetch (1-500)").argParser(parseLimit);
}

/** `--cursor` of a list: continue where the previous page ended. */
export function cursorOption(): Option {
  return new Option("--cursor <cursor>", "continue after a previous page (its next_cursor)");
}

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw new InvalidArgumentError("must be an integer from 1 to 500");
  return n;
}

/**
 * A comma-separated list (`--scopes a,b`); blanks around items are dropped, and an empty string is
 * the empty list (so `--scopes ""` takes every scope away).
 */
export function parseList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** Collects a repeatable option's values (`--redirect-uri a --redirect-uri b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Common flags of a list command, as commander hands them over. */
export interface PageFlags {
  readonly limit?: number;
  readonly cursor?: string;
}

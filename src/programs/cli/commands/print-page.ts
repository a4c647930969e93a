import type { Page } from "../api/resources.js";
import type { CommandContext } from "../command-context.js";
import type { Column } from "../output/table.js";

/**
 * Prints one page of a list: the API's answer as is with `--json`, else a table, and on stderr how
 * to get the next page when there is one (`cursorFlag`, default `--cursor`).
 */
export function printPage<T>(
  context: CommandContext,
  json: boolean,
  page: Page<T>,
  noun: string,
  columns: readonly Column<T>[],
  cursorFlag = "--cursor",
): void {
  if (json) {
    context.out.json(page);
    return;
  }
  if (page.items.length === 0) {
    context.out.note(`no ${noun} found`);
    return;
  }
  context.out.table(columns, page.items);
  if (page.next_cursor !== undefined && page.next_cursor !== null && page.next_cursor !== "") {
    context.out.note(`more ${noun}: add ${cursorFlag} ${page.next_cursor}`);
  }
}

/** Lists that are not paged answer with a bare array; both read the same. */
export function asPage<T>(answer: Page<T> | readonly T[]): Page<T> {
  return Array.isArray(answer) ? { items: answer } : (answer as Page<T>);
}

/** One column of a table: its header and how to read a cell from a row. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => unknown;
}

/**
 * Rows as aligned columns under upper-case headers, two spaces apart; the last column is not padded,
 * so lines carry no trailing blanks.
 *
 * @example
 * formatTable([{ header: "id", value: (t) => t.id }], [{ id: "platform" }]) // "ID\nplatform\n"
 */
export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = [
    columns.map((c) => c.header.toUpperCase()),
    ...rows.map((row) => columns.map((c) => cellText(c.value(row)))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => displayWidth(line[i]!))));
  return cells
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell + " ".repeat(widths[i]! - displayWidth(cell))))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/**
 * Label and value pairs, one per line, values aligned after the longest label.
 *
 * @example
 * formatDetails([["id", "platform"], ["name", "Platform"]]) // "id:    platform\nname:  Platform\n"
 */
export function formatDetails(pairs: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(0, ...pairs.map(([label]) => label.length));
  return pairs
    .map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${cellText(value)}`.trimEnd())
    .map((l) => `${l}\n`)
    .join("");
}

/** How a value reads in a table cell: lists comma-separated, booleans as yes/no, absent as empty. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(cellText).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  // Control characters from the server must not move the cursor or colour the terminal.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
}

function displayWidth(text: string): number {
  return [...text].length;
}

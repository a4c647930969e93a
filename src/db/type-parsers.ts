import pg from "pg";

/** PostgreSQL's type id of `timestamptz`. */
export const TIMESTAMPTZ_OID = 1184;

const nodePostgres = pg.types.getTypeParser(TIMESTAMPTZ_OID, "text") as (
  text: string,
) => Date | number | null;

/**
 * Parses a `timestamptz` as PostgreSQL prints it, to what node-postgres would make of it. The form
 * every session in UTC prints (`2026-11-24 23:05:54.725123+00`) goes through the engine's ISO
 * parser, a third cheaper than node-postgres's regular expressions (a page of applications has a
 * hundred); anything else (another zone, BC, infinity) is left to node-postgres.
 */
export function parseTimestamptz(text: string): Date | number | null {
  const length = text.length;
  if (
    (length === 22 || (length >= 24 && length <= 29)) &&
    text.charCodeAt(10) === 32 && // the space between date and time
    text.endsWith("+00")
  ) {
    const ms = Date.parse(`${text.slice(0, 10)}T${text.slice(11, length - 3)}Z`);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  return nodePostgres(text);
}

/** node-postgres's parsers of text results, with `parseTimestamptz` for `timestamptz`. */
export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMPTZ_OID && format !== "binary"
      ? parseTimestamptz
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

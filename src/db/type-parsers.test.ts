import pg from "pg";
import { describe, expect, it } from "vitest";
import { parseTimestamptz, TIMESTAMPTZ_OID } from "./type-parsers.js";

const nodePostgres = pg.types.getTypeParser(TIMESTAMPTZ_OID, "text") as (text: string) => unknown;

describe("parseTimestamptz", () => {
  it("reads every form PostgreSQL prints as node-postgres does", () => {
    const texts = [
      "2026-11-24 23:05:54+00",
      "2026-11-24 23:05:54.7+00",
      "2026-11-24 23:05:54.725+00",
      "2026-11-24 23:05:54.725123+00",
      "2026-11-24 23:05:54.999999+00",
      "1970-01-01 00:00:00+00",
      "0042-03-04 05:06:07.08+00",
      "2026-11-24 23:05:54.725+05:30",
      "2026-11-24 23:05:54-08",
      "0001-01-01 00:00:00+00 BC",
      "12026-11-24 23:05:54+00",
      "infinity",
      "-infinity",
    ];
    for (const text of texts) expect(parseTimestamptz(text), text).toEqual(nodePostgres(text));
    for (let i = 0; i < 1000; i++) {
      const text = new Date(Date.UTC(2000, 0, 1) + i * 86_400_123.457)
        .toISOString()
        .replace("T", " ")
        .replace("Z", "+00");
      expect(parseTimestamptz(text), text).toEqual(nodePostgres(text));
    }
  });
});

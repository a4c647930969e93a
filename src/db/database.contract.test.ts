import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { testEngines } from "../../test/support/database.js";

describe.each(testEngines())("database contract: $name", (engine) => {
  it("applies every migration and answers queries", async () => {
    const handle = await engine.create();
    try {
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
      expect(rows[0]?.one).toBe(1);
      const applied = await handle.db.selectFrom("kysely_migration").select("name").execute();
      expect(applied.map((r) => r.name)).toContain("0001_identity");
    } finally {
      await handle.close();
    }
  });

  it("rolls back every statement of a failed transaction", async () => {
    const handle = await engine.create();
    try {
      await sql`create table t_rollback (v int)`.execute(handle.db);
      await expect(
        handle.db.transaction().execute(async (tx) => {
          await sql`insert into t_rollback values (1)`.execute(tx);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from t_rollback`.execute(handle.db);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await handle.close();
    }
  });

  it("serialises concurrent transactions that take the same advisory lock", async () => {
    const handle = await engine.create();
    try {
      await sql`create table t_counter (v int)`.execute(handle.db);
      await sql`insert into t_counter values (0)`.execute(handle.db);
      await Promise.all(
        Array.from({ length: 8 }, () =>
          handle.db.transaction().execute(async (tx) => {
            await sql`select pg_advisory_xact_lock(42)`.execute(tx);
            const { rows } = await sql<{ v: number }>`select v from t_counter`.execute(tx);
            await sql`update t_counter set v = ${rows[0]!.v + 1}`.execute(tx);
          }),
        ),
      );
      const { rows } = await sql<{ v: number }>`select v from t_counter`.execute(handle.db);
      expect(rows[0]?.v).toBe(8);
    } finally {
      await handle.close();
    }
  });
});

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEngines } from "../../test/support/database.js";
import type { DatabaseHandle } from "../db/index.js";
import { AppsStore } from "./store.js";
import type { App } from "./types.js";

const AT = new Date("2026-01-01T00:00:00Z");

function app(id: string, overrides: Partial<App> = {}): App {
  return {
    id,
    teamId: "alpha",
    name: id,
    criticalityLevel: 2,
    publiclyAccessible: false,
    active: true,
    createdAt: AT,
    createdBy: "ann",
    modifiedAt: AT,
    modifiedBy: "ann",
    ...overrides,
  };
}

describe.each(testEngines())("apps store contract: $name", (engine) => {
  let handle: DatabaseHandle;
  let store: AppsStore;

  beforeAll(async () => {
    handle = await engine.create();
    store = new AppsStore(handle.db);
    const now = new Date();
    for (const team of ["alpha", "beta"]) {
      await sql`insert into teams (id, name, created_at, created_by, modified_at) values (${team}, ${team}, ${now}, 'test', ${now})`.execute(
        handle.db,
      );
    }
    await store.upsertApp(app("billing-api", { description: "Computes invoices for customers." }));
    await store.upsertApp(app("shop", { teamId: "beta", subtitle: "Sells invoices too", active: false }));
    await store.upsertApp(app("zebra", { modifiedAt: new Date("2026-06-01T00:00:00Z") }));
  });
  afterAll(async () => handle?.close());

  it("tells an insert from a replacement and keeps the creation stamp", async () => {
    expect(await store.upsertApp(app("temp"))).toBe(true);
    expect(await store.upsertApp(app("temp", { name: "Temp", createdBy: "someone-else" }))).toBe(false);
    expect(await store.findApp("temp")).toMatchObject({ name: "Temp", createdBy: "ann" });
  });

  it("pages by id in byte order and filters by team, active and modification time", async () => {
    const all = await store.listApps({ limit: 100 });
    const ids = all.map((a) => a.id);
    expect(ids).toEqual([...ids].sort());
    expect((await store.listApps({ limit: 100, after: "shop" })).map((a) => a.id)).not.toContain("shop");
    expect((await store.listApps({ limit: 100, team: "beta" })).map((a) => a.id)).toEqual(["shop"]);
    expect((await store.listApps({ limit: 100, active: false })).map((a) => a.id)).toEqual(["shop"]);
    const since = await store.listApps({ limit: 100, modifiedSince: new Date("2026-03-01T00:00:00Z") });
    expect(since.map((a) => a.id)).toEqual(["zebra"]);
  });

  it("feeds changes oldest first, continuing after a change time and an id", async () => {
    const since = new Date("2025-12-31T00:00:00Z");
    const first = await store.listChangedApps({ since, limit: 2 });
    expect(first.map((a) => a.modifiedAt.getTime())).toEqual([AT.getTime(), AT.getTime()]);
    const last = first[1]!;
    const rest = await store.listChangedApps({
      since,
      limit: 100,
      after: { at: last.modifiedAt, id: last.id },
    });
    expect(rest.at(-1)?.id).toBe("zebra");
    expect([...first, ...rest].map((a) => a.id)).toHaveLength(
      new Set([...first, ...rest].map((a) => a.id)).size,
    );
  });

  it("searches the generated text vector, stemmed, ranked, with a snippet", async () => {
    const found = await store.searchApps({ search: "invoice", limit: 10, offset: 0 });
    expect(found.map((a) => a.id).sort()).toEqual(["billing-api", "shop"]);
    expect(found[0]!.matchedRank).toBeGreaterThanOrEqual(found[1]!.matchedRank);
    expect(found.find((a) => a.id === "billing-api")!.matchedDescription).toContain("<b>invoices</b>");
    expect((await store.searchApps({ search: "billing", limit: 10, offset: 0 })).map((a) => a.id)).toEqual([
      "billing-api",
    ]);
    expect(
      (await store.searchApps({ search: "invoice", team: "beta", limit: 10, offset: 0 })).map((a) => a.id),
    ).toEqual(["shop"]);
  });

  it("answers a one-word search from stored ranks exactly as from ranking every match", async () => {
    const now = new Date();
    for (const team of ["gamma", "delta"]) {
      await sql`insert into teams (id, name, created_at, created_by, modified_at) values (${team}, ${team}, ${now}, 'test', ${now})`.execute(
        handle.db,
      );
    }
    // The word in 14 names or subtitles (weights A, B), some also in the description, and in 5
    // descriptions only (weight C): ranks tie and differ, across two teams, some inactive.
    for (let i = 0; i < 14; i++) {
      const extra = " kestrel".repeat(i % 4);
      await store.upsertApp(
        app(`k-${String(i).padStart(2, "0")}`, {
          teamId: i % 3 === 0 ? "delta" : "gamma",
          ...(i % 5 === 0 ? { name: "Kestrel watch" } : { subtitle: `A kestrel${extra} hovering` }),
          description: `Birds${extra} and more birds.`,
          active: i % 4 !== 1,
          modifiedAt: new Date(AT.getTime() + i * 60_000),
        }),
      );
    }
    for (let i = 0; i < 5; i++) {
      await store.upsertApp(
        app(`kd-${i}`, { teamId: "gamma", description: `A kestrel${" kestrel".repeat(i)}.` }),
      );
    }
    // Then one leaves the top tier and one moves team: the stored ranks follow the application.
    await store.upsertApp(
      app("k-02", { teamId: "gamma", subtitle: "Now about owls", description: "A kestrel." }),
    );
    await store.upsertApp(app("k-04", { teamId: "delta", subtitle: "A kestrel kestrel hovering" }));

    const filters = [
      {},
      { team: "delta" },
      { active: true },
      { modifiedSince: new Date(AT.getTime() + 300_000) },
    ];
    let pages = 0;
    for (const filter of filters) {
      for (const limit of [3, 6]) {
        for (let offset = 0; offset <= 18; offset += limit) {
          const page = { ...filter, limit, offset };
          // "kestrel!" is the same query to PostgreSQL, but not one word: ranked from the GIN index.
          const ranked = await store.searchApps({ ...page, search: "kestrel!" });
          expect(await store.searchApps({ ...page, search: "kestrel" })).toEqual(ranked);
          if (ranked.length > 0) pages++;
        }
      }
    }
    expect(pages).toBeGreaterThan(10);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from app_search_terms where term = ${"'kestrel'"}`.execute(handle.db);
    expect(rows[0]!.n).toBe(13);
  });

  it("stores versions once per id and approvals once per person and type", async () => {
    const version = {
      appId: "shop",
      id: "1.0",
      artifact: "r.example/beta/shop:1@sha256:00",
      createdAt: AT,
      createdBy: "ann",
      modifiedAt: AT,
      modifiedBy: "ann",
    };
    expect(await store.insertVersion(version)).toBe(true);
    expect(await store.insertVersion({ ...version, artifact: "other" })).toBe(false);
    expect((await store.findVersion("shop", "1.0"))?.artifact).toBe(version.artifact);
    const approval = { appId: "shop", versionId: "1.0", type: "TEST", user: "bob", at: AT, declaration: "d" };
    expect(await store.insertApproval(approval)).toBe(true);
    expect(await store.insertApproval({ ...approval, declaration: "changed" })).toBe(false);
    expect(await store.listApprovals("shop", "1.0")).toEqual([approval]);
  });

  it("seeds the built-in types and the default policy, and replaces one level", async () => {
    const types = await store.listApprovalTypes();
    expect(types.filter((t) => t.builtIn).map((t) => t.id)).toEqual([
      "CODE_CHANGE",
      "DEPLOY",
      "SPECIFICATION",
      "TEST",
    ]);
    expect(await store.requirementsOf(1)).toEqual([
      { type: "CODE_CHANGE", approvers: 2 },
      { type: "DEPLOY", approvers: 2 },
      { type: "SPECIFICATION", approvers: 1 },
      { type: "TEST", approvers: 2 },
    ]);
    await store.replacePolicyLevel(3, [{ type: "DEPLOY", approvers: 3 }]);
    expect((await store.policy())[2]).toEqual({ level: 3, requirements: [{ type: "DEPLOY", approvers: 3 }] });
  });
});

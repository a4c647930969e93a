import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase, testEngines } from "../../test/support/database.js";
import {
  CoreErrors,
  createHttpApp,
  createLogger,
  type HttpApp,
  ManualClock,
  type Principal,
  SYSTEM_ACTOR,
} from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { AuthorizedScopeRegistry } from "./authorized-scope-registry.js";
import { scopesHttp } from "./scope-http.js";
import { bootstrapScopes, ScopeRegistry } from "./scope-registry.js";
import { FakeCredentials, RecordingAuditSink } from "./testing.js";

const PRINCIPALS: Record<string, Principal> = {
  admin: { sub: "admin", realm: "employees", scopes: new Set(["charter.admin"]) },
  reader: { sub: "jane", realm: "employees", scopes: new Set() },
};

// The store relies on PostgreSQL upserts and row locks, so the suite runs on every engine.
describe.each(testEngines())("scope registry on $name", (engine) => {
  let handle: DatabaseHandle;
  let registry: ScopeRegistry;
  let app: HttpApp;
  const audit = new RecordingAuditSink();
  const grants = new FakeCredentials();
  const clock = new ManualClock();

  beforeAll(async () => {
    handle = await engine.create();
    registry = new ScopeRegistry({ db: handle.db, audit, grants, clock });
    app = await createHttpApp({
      logger: createLogger({ level: "silent" }),
      authenticate: async (token) => {
        const principal = PRINCIPALS[token];
        if (principal === undefined) throw CoreErrors.CORE_UNAUTHENTICATED("unknown test token");
        return principal;
      },
    });
    await app.register(scopesHttp({ registry: new AuthorizedScopeRegistry(registry) }));
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await handle.close();
  });

  beforeEach(async () => {
    await resetDatabase(handle.db);
    audit.clear();
    grants.grants.clear();
  });

  function call(method: "GET" | "POST" | "PUT" | "DELETE", url: string, as: string, payload?: object) {
    return app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${as}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  describe("ScopeRegistry over HTTP", () => {
    it("creates a resource type and its scopes, readable by anyone, and audits each change", async () => {
      const created = await call("POST", "/api/resource-types", "admin", {
        id: "sales-order",
        name: "Sales order",
        description: "Orders customers place",
      });
      expect(created.statusCode).toBe(201);
      expect(created.headers.location).toBe("/api/resource-types/sales-order");
      expect(created.json()).toMatchObject({
        id: "sales-order",
        name: "Sales order",
        description: "Orders customers place",
      });

      const put = await call("PUT", "/api/resource-types/sales-order/scopes/read", "admin", {
        description: "read orders",
      });
      expect(put.statusCode).toBe(201);
      expect(put.json()).toMatchObject({
        resource_type: "sales-order",
        id: "read",
        name: "sales-order.read",
      });
      expect(
        (
          await call("PUT", "/api/resource-types/sales-order/scopes/read", "admin", {
            description: "read all orders",
          })
        ).statusCode,
      ).toBe(200);

      expect(
        (await call("GET", "/api/resource-types", "reader")).json().map((t: { id: string }) => t.id),
      ).toEqual(["sales-order"]);
      expect((await call("GET", "/api/resource-types/sales-order", "reader")).statusCode).toBe(200);
      const scope = await call("GET", "/api/resource-types/sales-order/scopes/read", "reader");
      expect(scope.json().description).toBe("read all orders");
      expect((await call("GET", "/api/resource-types/sales-order/scopes", "reader")).json()).toHaveLength(1);
      expect((await call("GET", "/api/scopes", "reader")).json()).toEqual(["sales-order.read"]);

      expect(audit.records.map((r) => [r.action, r.target, r.actor.sub])).toEqual([
        ["resource-type.create", "resource-type/sales-order", "admin"],
        ["scope.create", "scope/sales-order.read", "admin"],
        ["scope.update", "scope/sales-order.read", "admin"],
      ]);
    });

    it("lets only admins change the registry", async () => {
      const denied = await call("POST", "/api/resource-types", "reader", { id: "x-y", name: "X" });
      expect(denied.statusCode).toBe(403);
      expect(denied.json().code).toBe("TOKENS_ADMIN_REQUIRED");
      await call("PUT", "/api/resource-types/apps", "admin", { name: "Apps" });
      for (const [method, url, body] of [
        ["PUT", "/api/resource-types/apps", { name: "Apps!" }],
        ["DELETE", "/api/resource-types/apps", undefined],
        ["PUT", "/api/resource-types/apps/scopes/read", { description: "r" }],
        ["DELETE", "/api/resource-types/apps/scopes/read", undefined],
      ] as const) {
        expect((await call(method, url, "reader", body)).statusCode).toBe(403);
      }
      expect((await call("GET", "/api/resource-types", "nobody")).statusCode).toBe(401);
    });

    it("answers 404 for unknown resource types and scopes, and 409 for a taken id", async () => {
      expect((await call("GET", "/api/resource-types/nope", "reader")).json().code).toBe(
        "TOKENS_RESOURCE_TYPE_NOT_FOUND",
      );
      expect((await call("GET", "/api/resource-types/nope/scopes", "reader")).statusCode).toBe(404);
      expect(
        (await call("PUT", "/api/resource-types/nope/scopes/read", "admin", { description: "r" })).statusCode,
      ).toBe(404);
      await call("PUT", "/api/resource-types/apps", "admin", { name: "Apps" });
      expect((await call("GET", "/api/resource-types/apps/scopes/read", "reader")).json().code).toBe(
        "TOKENS_SCOPE_NOT_FOUND",
      );
      const taken = await call("POST", "/api/resource-types", "admin", { id: "apps", name: "Again" });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().code).toBe("TOKENS_RESOURCE_TYPE_EXISTS");
    });

    it("refuses ids that are not slugs", async () => {
      expect(
        (await call("POST", "/api/resource-types", "admin", { id: "Sales_Order", name: "X" })).statusCode,
      ).toBe(400);
      expect(
        (await call("PUT", "/api/resource-types/apps/scopes/Read.All", "admin", { description: "r" }))
          .statusCode,
      ).toBe(400);
    });

    it("refuses to delete a scope that is still granted, and deletes it once it is not", async () => {
      await call("PUT", "/api/resource-types/apps", "admin", { name: "Apps" });
      await call("PUT", "/api/resource-types/apps/scopes/read", "admin", { description: "read apps" });
      grants.grants.set("apps.read", 2);
      const refused = await call("DELETE", "/api/resource-types/apps/scopes/read", "admin");
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: "TOKENS_SCOPE_GRANTED", grants: 2 });

      grants.grants.delete("apps.read");
      expect((await call("DELETE", "/api/resource-types/apps/scopes/read", "admin")).statusCode).toBe(204);
      expect((await call("GET", "/api/resource-types/apps/scopes/read", "reader")).statusCode).toBe(404);
      expect(audit.actions()).toContain("scope.delete scope/apps.read");
    });

    it("documents every route in the OpenAPI document", () => {
      const document = app.swagger() as { paths: Record<string, object> };
      expect(Object.keys(document.paths).sort()).toEqual([
        "/api/resource-types",
        "/api/resource-types/{type}",
        "/api/resource-types/{type}/scopes",
        "/api/resource-types/{type}/scopes/{scope}",
        "/api/scopes",
      ]);
    });

    it("refuses to delete a resource type that still has scopes", async () => {
      await call("PUT", "/api/resource-types/apps", "admin", { name: "Apps" });
      await call("PUT", "/api/resource-types/apps/scopes/read", "admin", { description: "read apps" });
      const refused = await call("DELETE", "/api/resource-types/apps", "admin");
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe("TOKENS_RESOURCE_TYPE_NOT_EMPTY");
      await call("DELETE", "/api/resource-types/apps/scopes/read", "admin");
      expect((await call("DELETE", "/api/resource-types/apps", "admin")).statusCode).toBe(204);
      expect((await call("DELETE", "/api/resource-types/apps", "admin")).statusCode).toBe(404);
    });
  });

  describe("ScopeRegistry", () => {
    it("bootstraps charter.admin and charter.audit once, audited as the system", async () => {
      expect(await bootstrapScopes(registry)).toEqual({
        created: ["charter", "charter.admin", "charter.audit"],
      });
      expect(await bootstrapScopes(registry)).toEqual({ created: [] });
      expect(await registry.listScopeNames()).toEqual(["charter.admin", "charter.audit"]);
      expect((await registry.getScope("charter", "admin")).description).toBe(
        "administer every team's objects",
      );
      expect(audit.records.every((r) => r.actor === SYSTEM_ACTOR)).toBe(true);
      expect(audit.records).toHaveLength(3);
    });

    it("tells identity which scope names are not registered, in the order given", async () => {
      await bootstrapScopes(registry);
      expect(
        await registry.unknownScopes(["apps.read", "charter.admin", "charter", "charter.audit.x"]),
      ).toEqual(["apps.read", "charter", "charter.audit.x"]);
      expect(await registry.unknownScopes([])).toEqual([]);
    });

    it("keeps the change and its audit record together: nothing is written when auditing fails", async () => {
      const failing = new ScopeRegistry({
        db: handle.db,
        audit: {
          append: async () => {
            throw new Error("audit down");
          },
        },
        grants,
        clock,
      });
      await expect(
        failing.putResourceType({ actor: SYSTEM_ACTOR }, "apps", { name: "Apps" }),
      ).rejects.toThrow("audit down");
      expect(await registry.listResourceTypes()).toEqual([]);
    });
  });
});

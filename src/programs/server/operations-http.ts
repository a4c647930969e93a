import { sql } from "kysely";
import { Type } from "typebox";
import type { HttpApp } from "../../core/index.js";
import type { Database } from "../../db/index.js";
import type { HttpMetrics } from "./http-metrics.js";

/** `/health` and `/metrics`: public, cheap, and never about a particular caller. */
export function installOperations(app: HttpApp, db: Database, metrics: HttpMetrics): void {
  // Installed on the root instance, not registered as a plugin, so the hook measures every route.
  app.addHook("onResponse", async (request, reply) => {
    metrics.observe(
      request.method,
      request.routeOptions.url ?? "unmatched",
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  app.get(
    "/health",
    {
      config: { public: true },
      schema: {
        tags: ["operations"],
        summary: "Liveness and database reachability",
        operationId: "health",
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal("ok") }),
          503: Type.Object({ status: Type.Literal("unavailable"), reason: Type.String() }),
        },
      },
      logLevel: "warn",
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(db);
        return { status: "ok" as const };
      } catch {
        return reply.status(503).send({ status: "unavailable" as const, reason: "database unreachable" });
      }
    },
  );

  app.get(
    "/metrics",
    {
      config: { public: true },
      schema: { tags: ["operations"], summary: "Prometheus metrics", operationId: "metrics", security: [] },
      logLevel: "warn",
    },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}

import { sql } from "kysely";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { Type } from "typebox";
import type { HttpApp } from "../../core/index.js";
import type { Database } from "../../db/index.js";

/**
 * The server's request metrics, in a registry of its own, so two servers in one process (tests) do
 * not share counters. Fastify routes are observed by a hook; fast paths beneath Fastify report
 * their answers through `observe`.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<"method" | "route" | "status">;
  readonly #duration: Histogram<"method" | "route">;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: "charter_http_requests_total",
      help: "HTTP requests by method, route and status",
      labelNames: ["method", "route", "status"],
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: "charter_http_request_duration_seconds",
      help: "HTTP request duration by method and route",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.#requests.inc({ method, route, status });
    this.#duration.observe({ method, route }, seconds);
  }
}

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

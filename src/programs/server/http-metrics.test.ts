import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { HttpMetrics } from "./http-metrics.js";

const OBSERVATIONS: [string, string, number, number][] = [
  ["POST", "/oauth2/access_token", 200, 0.0004],
  ["POST", "/oauth2/access_token", 200, 0.001],
  ["POST", "/oauth2/access_token", 401, 0.003],
  ["GET", "/api/teams", 200, 0.02],
  ["GET", "/api/teams", 404, 7],
  ["GET", "unmatched", 404, 0.0001],
];

/** The text prom-client's own Counter and Histogram give for the same requests. */
async function promClientText(): Promise<string> {
  const registry = new Registry();
  const requests = new Counter({
    name: "charter_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "charter_http_request_duration_seconds",
    help: "HTTP request duration by method and route",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  for (const [method, route, status, seconds] of OBSERVATIONS) {
    requests.inc({ method, route, status });
    duration.observe({ method, route }, seconds);
  }
  return registry.metrics();
}

/** The lines of one metric family, in a stable order. */
function family(text: string, name: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith(name) || line.includes(` ${name} `))
    .sort();
}

describe("HttpMetrics", () => {
  it("exposes the same text as prom-client's Counter and Histogram would", async () => {
    const metrics = new HttpMetrics();
    for (const observation of OBSERVATIONS) metrics.observe(...observation);
    const ours = await metrics.registry.metrics();
    const theirs = await promClientText();
    for (const name of ["charter_http_requests_total", "charter_http_request_duration_seconds"]) {
      expect(family(ours, name)).toEqual(family(theirs, name));
    }
    expect(ours).toContain(
      'charter_http_requests_total{method="POST",route="/oauth2/access_token",status="200"} 2',
    );
    expect(ours).toContain(
      'charter_http_request_duration_seconds_bucket{le="0.001",method="POST",route="/oauth2/access_token"} 2',
    );
    expect(ours).toContain(
      'charter_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/teams"} 2',
    );
    // prom-client's default process metrics are still there.
    expect(ours).toContain("process_cpu_user_seconds_total");
  });

  it("counts a request whose duration is not a finite number without spoiling the sum", async () => {
    const metrics = new HttpMetrics();
    metrics.observe("GET", "/x", 200, 0.002);
    metrics.observe("GET", "/x", 200, Number.NaN);
    const text = await metrics.registry.metrics();
    expect(text).toContain('charter_http_requests_total{method="GET",route="/x",status="200"} 2');
    expect(text).toContain('charter_http_request_duration_seconds_sum{method="GET",route="/x"} 0.002');
    expect(text).toContain('charter_http_request_duration_seconds_count{method="GET",route="/x"} 1');
  });

  it("names the counter as prom-client does in OpenMetrics", async () => {
    const metrics = new HttpMetrics();
    metrics.observe("GET", "/x", 200, 0.002);
    const registry = metrics.registry as unknown as Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>;
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const text = await registry.metrics();
    expect(text).toContain("# TYPE charter_http_requests counter");
    expect(text).toContain('charter_http_requests_total{method="GET",route="/x",status="200"} 1');
    expect(text).not.toContain("_total_total");
  });

  it("keeps two servers' counts apart", async () => {
    const [a, b] = [new HttpMetrics(), new HttpMetrics()];
    a.observe("GET", "/health", 200, 0.001);
    expect(await b.registry.metrics()).not.toContain('route="/health"');
  });
});

import { collectDefaultMetrics, Registry } from "prom-client";

/** Upper bounds of the request duration histogram, in seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

const REQUESTS = "charter_http_requests_total";
const DURATION = "charter_http_request_duration_seconds";

/** The counts of one method on one route. */
interface Series {
  readonly labels: { readonly method: string; readonly route: string };
  readonly byStatus: Map<number, number>;
  /** Requests per bucket, each counted once (made cumulative when scraped); the last is +Inf. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** One value of a metric as prom-client's registry formats it. */
interface MetricValue {
  readonly metricName?: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

/*
 * Why not prom-client's Counter and Histogram for these two: every `inc` and `observe` hashes its
 * label object into a string and validates it, about 2.5 µs per request together, which was 3 % of
 * a client_credentials token's whole cost (measured with a CPU profile of the server under wrk).
 * Here a request costs two map lookups and a few additions; the text at `/metrics` is the same
 * (prom-client's registry still formats it, beside its default process metrics).
 */

/**
 * The server's request metrics, in a registry of its own, so two servers in one process (tests) do
 * not share counters: `charter_http_requests_total{method,route,status}` and the histogram
 * `charter_http_request_duration_seconds{method,route}`. Fastify routes are observed by a hook;
 * fast paths beneath Fastify report their answers through `observe`.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  /** route → method → series */
  readonly #routes = new Map<string, Map<string, Series>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.#register(REQUESTS, "HTTP requests by method, route and status", "counter", () =>
      this.#requestValues(),
    );
    this.#register(DURATION, "HTTP request duration by method and route", "histogram", () =>
      this.#durationValues(),
    );
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let methods = this.#routes.get(route);
    if (methods === undefined) {
      methods = new Map();
      this.#routes.set(route, methods);
    }
    let series = methods.get(method);
    if (series === undefined) {
      series = {
        labels: { method, route },
        byStatus: new Map(),
        buckets: new Float64Array(BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      methods.set(method, series);
    }
    series.byStatus.set(status, (series.byStatus.get(status) ?? 0) + 1);
    // As prom-client refuses them: one NaN would make the sum NaN for good.
    if (!Number.isFinite(seconds)) return;
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
    series.buckets[bucket]!++;
    series.sum += seconds;
    series.count++;
  }

  *#series(): Generator<Series> {
    for (const methods of this.#routes.values()) yield* methods.values();
  }

  #requestValues(): MetricValue[] {
    const values: MetricValue[] = [];
    for (const { labels, byStatus } of this.#series()) {
      for (const [status, count] of byStatus) values.push({ labels: { ...labels, status }, value: count });
    }
    return values;
  }

  #durationValues(): MetricValue[] {
    const values: MetricValue[] = [];
    for (const { labels, buckets, sum, count } of this.#series()) {
      let cumulative = 0;
      for (const [i, le] of [...BUCKETS, "+Inf" as const].entries()) {
        cumulative += buckets[i]!;
        values.push({ metricName: `${DURATION}_bucket`, labels: { le, ...labels }, value: cumulative });
      }
      values.push({ metricName: `${DURATION}_sum`, labels, value: sum });
      values.push({ metricName: `${DURATION}_count`, labels, value: count });
    }
    return values;
  }

  /** Registers a metric whose values are read at scrape time, in the shape prom-client's own take. */
  #register(name: string, help: string, type: "counter" | "histogram", values: () => MetricValue[]): void {
    const metric = {
      name,
      help,
      type,
      aggregator: "sum",
      // The registry renames a counter for OpenMetrics (drops `_total`): read the name when asked.
      get: async () => ({ name: metric.name, help, type, aggregator: "sum", values: values() }),
      reset: () => this.#routes.clear(),
    };
    // prom-client's registry reads only these members; its TypeScript type names its own classes.
    this.registry.registerMetric(metric as unknown as Parameters<Registry["registerMetric"]>[0]);
  }
}

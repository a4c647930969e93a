import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";

/**
 * The load generator, run in its own process pinned to core 1: `connections` clients, each sending
 * its next request as soon as the previous answer has arrived (closed loop), over keep-alive
 * connections, for `seconds`. Prints one JSON line: every latency's percentiles, not a histogram's
 * estimate, and the count of answers that were not 200.
 */
export interface ClientSpec {
  readonly base: string;
  readonly token: string;
  /** A file of request paths, one a line; clients take them in turn. */
  readonly pathsFile: string;
  readonly connections: number;
  readonly seconds: number;
}

export interface ClientResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

const spec = JSON.parse(process.argv[2]!) as ClientSpec;
const paths = readFileSync(spec.pathsFile, "utf8").trim().split("\n");
const { hostname, port } = new URL(spec.base);
const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
const headers = { authorization: `Bearer ${spec.token}`, accept: "application/json" };

function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: "GET", agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const latencies: number[] = [];
let errors = 0;
let next = Math.floor(Math.random() * paths.length);
const deadline = performance.now() + spec.seconds * 1000;

async function client(): Promise<void> {
  while (performance.now() < deadline) {
    const path = paths[next++ % paths.length]!;
    const started = performance.now();
    try {
      if ((await get(path)) !== 200) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - started);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: spec.connections }, () => client()));
const elapsed = (performance.now() - started) / 1000;
agent.destroy();

latencies.sort((a, b) => a - b);
const at = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
const result: ClientResult = {
  requests: latencies.length,
  rps: latencies.length / elapsed,
  p50Ms: at(0.5),
  p95Ms: at(0.95),
  p99Ms: at(0.99),
  errors,
};
process.stdout.write(`${JSON.stringify(result)}\n`);

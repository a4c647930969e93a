import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import type { LoadResult, LoadSpec } from "./load.js";

/** The load generator when wrk is missing: runs in its own (pinned) process and prints a LoadResult. */
const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const tokens = spec.tokensFile === undefined ? [] : readFileSync(spec.tokensFile, "utf8").trim().split("\n");
let next = 0;

const result = await autocannon({
  url: spec.url,
  method: spec.method,
  connections: spec.connections,
  duration: spec.durationSeconds,
  headers: { ...spec.headers },
  ...(spec.body === undefined ? {} : { body: spec.body }),
  ...(tokens.length === 0
    ? {}
    : {
        requests: [
          {
            setupRequest: (request: { headers?: Record<string, string> }) => {
              const token = tokens[next++ % tokens.length]!;
              return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
            },
          },
        ],
      }),
});

const out: LoadResult = {
  requests: result.requests.total,
  rps: result.requests.total / (result.duration || spec.durationSeconds),
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  errors: result.non2xx + result.errors + result.timeouts,
};
process.stdout.write(`${JSON.stringify(out)}\n`);

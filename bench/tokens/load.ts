import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runPinned } from "./processes.js";

/** Whether wrk is on PATH; it costs far less CPU per request than autocannon. */
export const hasWrk = spawnSync("wrk", ["--version"]).error === undefined;

export interface LoadSpec {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A file of tokens, one a line: each request carries the next as `Authorization: Bearer`. */
  readonly tokensFile?: string;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers outside 2xx/3xx plus socket errors: a measurement with errors is suspect. */
  readonly errors: number;
}

const LOAD_CORE = 1;

/** Runs one load measurement from core 1 with wrk, or autocannon when wrk is missing. */
export async function runLoad(spec: LoadSpec, workDir: string): Promise<LoadResult> {
  return hasWrk ? runWrk(spec, workDir) : runAutocannon(spec);
}

async function runWrk(spec: LoadSpec, workDir: string): Promise<LoadResult> {
  const script = join(workDir, `wrk-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(script, wrkScript(spec));
  const args = [
    "-t1",
    `-c${spec.connections}`,
    `-d${spec.durationSeconds}s`,
    "--timeout",
    "5s",
    "-s",
    script,
    spec.url,
  ];
  if (spec.tokensFile !== undefined) args.push("--", spec.tokensFile);
  const stdout = await runPinned(LOAD_CORE, "wrk", args);
  const line = stdout.split("\n").find((l) => l.startsWith("WRKJSON "));
  if (line === undefined) throw new Error(`wrk printed no result:\n${stdout}`);
  const r = JSON.parse(line.slice(8)) as Record<string, number>;
  const seconds = r.duration_us! / 1e6;
  return {
    requests: r.requests!,
    rps: r.requests! / seconds,
    p50Ms: r.p50_us! / 1000,
    p99Ms: r.p99_us! / 1000,
    errors: r.status! + r.connect! + r.read! + r.write! + r.timeout!,
  };
}

function wrkScript(spec: LoadSpec): string {
  const path = new URL(spec.url).pathname;
  const headers = Object.entries(spec.headers ?? {})
    .map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`)
    .join("\n");
  const perRequest =
    spec.tokensFile === undefined
      ? ""
      : `
local tokens = {}
local n = 0
local i = 0
init = function(args)
  for line in io.lines(args[1]) do n = n + 1; tokens[n] = "Bearer " .. line end
end
request = function()
  i = i + 1
  if i > n then i = 1 end
  wrk.headers["Authorization"] = tokens[i]
  return wrk.format(nil, ${lua(path)})
end`;
  return `wrk.method = ${lua(spec.method)}
${spec.body === undefined ? "" : `wrk.body = ${lua(spec.body)}`}
${headers}
${perRequest}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
`;
}

function lua(value: string): string {
  return JSON.stringify(value);
}

async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const child = fileURLToPath(new URL("./autocannon-load.js", import.meta.url));
  const stdout = await runPinned(LOAD_CORE, process.execPath, [child, JSON.stringify(spec)]);
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as LoadResult;
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  type Child,
  canPin,
  cpuMillis,
  freePort,
  runPinned,
  startPinned,
  waitForOk,
} from "../tokens/processes.js";
import { appIdOf, ensureDataset, versionIdOf } from "./dataset.js";
import type { ClientResult, ClientSpec } from "./load-client.js";
import { vocabulary } from "./vocabulary.js";

/**
 * `npm run bench:apps`: the application registry at the scale Charter is designed for (100,000
 * applications, 1,000,000 versions in PostgreSQL). The real server runs pinned to core 0 and the
 * load generator to core 1, with 20 concurrent clients; every figure is the median of several runs
 * after a warm-up. Target: p95 at or under 50 ms for list, search and show.
 *
 * Flags: --runs (3), --seconds (5), --warmup (3), --connections (20), --fresh (drop and reload
 * everything, including the server's data directory), --only (comma-separated endpoint names; the
 * result file is then left alone), --profile (a directory: the server writes a V8 CPU profile there
 * when it stops).
 */

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    seconds: { type: "string", default: "5" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "20" },
    fresh: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "string" },
  },
});
const RUNS = positive("runs");
const SECONDS = positive("seconds");
const WARMUP = positive("warmup");
const CONNECTIONS = positive("connections");
const TARGET_P95_MS = 50;
const SIZE = { teams: 1_000, apps: 100_000, versionsPerApp: 10 };
const VOCABULARY = vocabulary(20_200);
const WORDS = { common: VOCABULARY.slice(0, 200), rare: VOCABULARY.slice(200) };
const ONLY = flags.only?.split(",").map((name) => name.trim());

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const SERVER_MAIN = join(root, "dist/src/programs/server/main.js");
const RESULT_FILE = join(root, "bench/apps/last-result.json");
const DATABASE_URL =
  process.env.CHARTER_BENCH_DATABASE_URL ?? "postgres://charter:charter-ci@127.0.0.1:5432/charter_bench";
// Kept between runs with the database: the signing keys in the database are sealed with its master key.
const DATA_DIR = join(tmpdir(), "charter-bench-apps-data");
const ADMIN_PASSWORD = "bench-apps-admin-password";
const NODE = process.execPath;

interface Endpoint {
  readonly name: string;
  /** Whether the 50 ms target applies (list, search, show). */
  readonly targeted: boolean;
  readonly paths: readonly string[];
}

interface Row extends ClientResult {
  readonly endpoint: string;
  /**
   * CPU time per request of the server process and of PostgreSQL's backends serving it (µs): unlike
   * latency, barely moved by other work on the machine.
   */
  readonly cpuUs: { readonly server: number | undefined; readonly postgres: number | undefined };
  readonly example: string;
  readonly target: string;
  readonly pass: boolean | undefined;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  log(
    `Charter apps benchmark: ${RUNS} runs × ${SECONDS} s per endpoint, ${WARMUP} s warm-up, node ${process.version}`,
  );
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}); database ${redact(DATABASE_URL)}`);
  if (!canPin) log("warning: taskset is missing; server and load generator are NOT pinned and compete");
  else log("pinning: server on core 0, load generator on core 1 (PostgreSQL unpinned)");

  await checkDatabase();
  if (flags.fresh) await fresh();
  mkdirSync(DATA_DIR, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const profile =
    flags.profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${resolve(flags.profile)}`];
  const server = startPinned(0, NODE, [...profile, SERVER_MAIN], {
    DATABASE_URL,
    CHARTER_DATA_DIR: DATA_DIR,
    CHARTER_PORT: String(port),
    CHARTER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CHARTER_REVOCATION_SALT: "bench-apps-revocation-salt",
    CHARTER_LOG_LEVEL: "warn",
  });
  const base = `http://127.0.0.1:${port}`;
  const work = mkdtempSync(join(tmpdir(), "charter-bench-apps-"));
  try {
    await waitForOk(`${base}/health`, server, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n(if the signing keys cannot be opened, run again with --fresh)`);
    });
    await ensureDataset(DATABASE_URL, SIZE, WORDS, log);
    const token = await adminToken(base);
    const rows: Row[] = [];
    const chosen = endpoints().filter((e) => ONLY === undefined || ONLY.includes(e.name));
    if (chosen.length === 0) throw new Error(`--only names no endpoint: ${flags.only}`);
    for (const endpoint of chosen) rows.push(await measure(endpoint, base, token, work, server));
    report(rows, (Date.now() - started) / 1000);
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Request paths per endpoint, drawn at random (seeded) across the whole dataset. */
function endpoints(): Endpoint[] {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const app = () => appIdOf(1 + random(SIZE.apps), WORDS);
  const word = () => WORDS.rare[random(WORDS.rare.length)]!;
  const common = () => WORDS.common[random(WORDS.common.length)]!;
  const cursor = (id: string) => Buffer.from(id, "utf8").toString("base64url");
  const many = (make: () => string) => Array.from({ length: 5_000 }, make);
  // Applications were changed a minute apart going back from the load; ask for the last 1 to 70 days.
  const recentish = () => new Date(Date.now() - (1 + random(70)) * 24 * 3600 * 1000).toISOString();
  return [
    { name: "list", targeted: true, paths: many(() => `/api/apps?limit=50&cursor=${cursor(app())}`) },
    {
      name: "list ?team",
      targeted: true,
      paths: many(() => `/api/apps?limit=50&team=bench-${1 + random(SIZE.teams)}`),
    },
    {
      name: "list ?active&modified_since",
      targeted: true,
      paths: many(() => `/api/apps?limit=50&active=true&modified_since=${recentish()}`),
    },
    {
      name: "search",
      targeted: true,
      paths: many(() => {
        const q = random(2) === 0 ? word() : `${word()} ${word()}`;
        return `/api/apps?limit=20&search=${encodeURIComponent(q)}`;
      }),
    },
    {
      name: "search (broad word)",
      targeted: true,
      paths: many(() => `/api/apps?limit=20&search=${common()}`),
    },
    { name: "show app", targeted: true, paths: many(() => `/api/apps/${app()}`) },
    {
      name: "show version",
      targeted: true,
      paths: many(() => `/api/apps/${app()}/versions/${versionIdOf(1 + random(SIZE.versionsPerApp))}`),
    },
    { name: "list versions", targeted: false, paths: many(() => `/api/apps/${app()}/versions`) },
  ];
}

async function measure(
  endpoint: Endpoint,
  base: string,
  token: string,
  work: string,
  server: Child,
): Promise<Row> {
  const pathsFile = join(work, `${endpoint.name.replace(/\W+/g, "-")}.txt`);
  writeFileSync(pathsFile, `${endpoint.paths.join("\n")}\n`);
  const run = async (seconds: number): Promise<ClientResult> => {
    const spec: ClientSpec = { base, token, pathsFile, connections: CONNECTIONS, seconds };
    const stdout = await runPinned(1, NODE, [join(here, "load-client.js"), JSON.stringify(spec)]);
    if (server.process.exitCode !== null) throw new Error(`the server exited:\n${server.output()}`);
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as ClientResult;
  };
  await run(WARMUP);
  const backends = await postgresBackends();
  const cpu = () => ({
    server: cpuMillis(server.process.pid),
    postgres: sum(backends.map((pid) => cpuMillis(pid))),
  });
  const before = cpu();
  const runs: ClientResult[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await run(SECONDS));
  const after = cpu();
  const requests = runs.reduce((total, r) => total + r.requests, 0);
  const perRequest = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || requests === 0
      ? undefined
      : Math.round(((b - a) * 1000) / requests);
  const median = (pick: (r: ClientResult) => number) => {
    const values = runs.map(pick).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)]!;
  };
  const p95Ms = median((r) => r.p95Ms);
  const row: Row = {
    endpoint: endpoint.name,
    example: endpoint.paths[0]!,
    cpuUs: {
      server: perRequest(before.server, after.server),
      postgres: perRequest(before.postgres, after.postgres),
    },
    requests,
    rps: median((r) => r.rps),
    p50Ms: median((r) => r.p50Ms),
    p95Ms,
    p99Ms: median((r) => r.p99Ms),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    target: endpoint.targeted ? `p95 <= ${TARGET_P95_MS} ms` : "none",
    pass: endpoint.targeted ? p95Ms <= TARGET_P95_MS && runs.every((r) => r.errors === 0) : undefined,
  };
  log(
    `  ${row.endpoint.padEnd(28)} p50 ${fmt(row.p50Ms)} ms  p95 ${fmt(row.p95Ms)} ms  p99 ${fmt(row.p99Ms)} ms  ` +
      `${Math.round(row.rps)} req/s  cpu/req server ${row.cpuUs.server ?? "?"} µs, postgres ${row.cpuUs.postgres ?? "?"} µs  ` +
      `errors ${row.errors}${row.pass === undefined ? "" : row.pass ? "  PASS" : "  FAIL"}`,
  );
  return row;
}

function report(rows: readonly Row[], seconds: number): void {
  log(
    `\n${"endpoint".padEnd(28)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"req/s".padStart(8)}  target`,
  );
  for (const r of rows) {
    log(
      `${r.endpoint.padEnd(28)} ${fmt(r.p50Ms).padStart(8)} ${fmt(r.p95Ms).padStart(8)} ${fmt(r.p99Ms).padStart(8)} ` +
        `${String(Math.round(r.rps)).padStart(8)} ${`${r.cpuUs.server ?? "?"}+${r.cpuUs.postgres ?? "?"}`.padStart(12)}  ${r.target}${r.pass === undefined ? "" : r.pass ? " ✓" : " ✗"}`,
    );
  }
  const pass = rows.every((r) => r.pass !== false);
  log("(cpu µs: CPU time per request of the server process + of the PostgreSQL backends serving it)");
  const load = loadavg()[0]!;
  log(
    `\n${pass ? "all targets met" : "TARGET MISSED"} (${seconds.toFixed(0)} s; load average ${load.toFixed(1)})`,
  );
  if (load > cpus().length)
    log("note: the machine was busy with other work; latencies are inflated, CPU per request is not");
  if (ONLY !== undefined) {
    log(`--only: ${RESULT_FILE} left unchanged`);
    if (!pass) process.exitCode = 1;
    return;
  }
  writeFileSync(
    RESULT_FILE,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        pinned: canPin,
        loadAverage: loadavg()[0],
        dataset: {
          ...SIZE,
          versions: SIZE.apps * SIZE.versionsPerApp,
          rareWords: WORDS.rare.length,
          commonWords: WORDS.common.length,
          search:
            "search: one or two words of the rare vocabulary (about 130 or 1 matching applications); " +
            "broad word: one of the common vocabulary (about 1,000 matching applications)",
        },
        connections: CONNECTIONS,
        runs: RUNS,
        secondsPerRun: SECONDS,
        pass,
        endpoints: rows.map((r) => ({
          ...r,
          p50Ms: round(r.p50Ms),
          p95Ms: round(r.p95Ms),
          p99Ms: round(r.p99Ms),
          rps: Math.round(r.rps),
        })),
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${RESULT_FILE}`);
  if (!pass) process.exitCode = 1;
}

/** The process ids of the PostgreSQL backends serving the server's pool (from pg_stat_activity). */
async function postgresBackends(): Promise<number[]> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  try {
    const { rows } = await pool.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    return rows.map((r) => r.pid);
  } finally {
    await pool.end();
  }
}

function sum(values: readonly (number | undefined)[]): number | undefined {
  return values.some((v) => v === undefined) ? undefined : values.reduce<number>((a, b) => a + b!, 0);
}

async function adminToken(base: string): Promise<string> {
  const response = await fetch(`${base}/oauth2/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "password",
      username: "admin",
      password: ADMIN_PASSWORD,
      client_id: "charter-cli",
    }).toString(),
  });
  if (!response.ok) throw new Error(`token request failed (${response.status}): ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Fails with what to do when the bench database cannot be used, before anything starts. */
async function checkDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
  const url = URL.canParse(DATABASE_URL) ? new URL(DATABASE_URL) : undefined;
  const username = decodeURIComponent(url?.username || "<role>");
  const database = decodeURIComponent(url?.pathname.slice(1) || "<database>");
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint =
      code === "3D000"
        ? `the database does not exist; create it with: sudo -u postgres createdb -O ${username} ${database}`
        : code === "28P01"
          ? `PostgreSQL refused the password of role ${username}`
          : code === "28000"
            ? `the role ${username} may not log in; create it with: sudo -u postgres psql -c "CREATE ROLE ${username} LOGIN PASSWORD '…'"`
            : code === "ECONNREFUSED"
              ? `nothing listens at ${url?.host || "the database's address"}; start PostgreSQL (Debian: sudo pg_ctlcluster <version> main start)`
              : (error as Error).message;
    throw new Error(
      `cannot use the bench database ${redact(DATABASE_URL)}: ${hint} (or point CHARTER_BENCH_DATABASE_URL elsewhere)`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops every table of the bench database and the server's data directory. */
async function fresh(): Promise<void> {
  log("--fresh: dropping the bench database's tables and the server's data directory");
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  try {
    await pool.query("drop schema public cascade");
    await pool.query("create schema public");
  } finally {
    await pool.end();
  }
  rmSync(DATA_DIR, { recursive: true, force: true });
}

function positive(name: keyof typeof flags): number {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const fmt = (ms: number) => ms.toFixed(1);
const round = (ms: number) => Math.round(ms * 100) / 100;
const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");

main().catch((error: Error) => {
  process.stderr.write(`bench:apps failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});

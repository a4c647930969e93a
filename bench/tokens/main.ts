import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BENCH_SALT, startCharterStub } from "./charter-stub.js";
import { hasWrk, type LoadResult, type LoadSpec, runLoad } from "./load.js";
import { type Child, canPin, cpuMillis, freePort, runPinned, startPinned, waitForOk } from "./processes.js";
import { createBenchSigner, mintTokenFile } from "./token-pool.js";

/**
 * `npm run bench:tokens`: the tokens part's figures, each beside a peer measured in the same run.
 * Servers run pinned to core 0 and the load generator to core 1; every figure is the median of
 * several runs after a warm-up, and every ratio the median of the ratios of neighbouring runs.
 *
 *   (a) sidecar, tokens seen before      vs a bare Fastify route returning a constant
 *   (b) sidecar, tokens never seen       vs raw node:crypto ES256 verification on one core,
 *       and the ceiling of Charter's HTTP layer there: its tokeninfo fast lane doing one raw
 *       verification per request and nothing else
 *   (c) Charter client_credentials       vs panva oidc-provider 8 issuing ES256 JWTs
 */

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    seconds: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    only: { type: "string", default: "a,b,c" },
    connections: { type: "string", default: "16" },
  },
});
const RUNS = positive("runs");
const SECONDS = positive("seconds");
const WARMUP = positive("warmup");
const CONNECTIONS = positive("connections");
const ONLY = new Set(flags.only!.split(","));

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const SIDECAR_MAIN = join(root, "dist/src/programs/tokeninfo/main.js");
const SERVER_MAIN = join(root, "dist/src/programs/server/main.js");
const RESULT_FILE = join(root, "bench/tokens/last-result.json");
const NODE = process.execPath;
const SERVER_CORE = 0;
const ISSUER = "https://charter.bench";

interface Row {
  readonly measurement: string;
  readonly unit: string;
  readonly charter: number | undefined;
  readonly peer: number | undefined;
  readonly peerName: string;
  readonly ratio: number | undefined;
  readonly target: string;
  readonly pass: boolean | undefined;
  /** CPU µs per request (per verification for the raw peer): a check that other load cannot skew. */
  readonly cpuUs?: { readonly charter: number | undefined; readonly peer: number | undefined };
  readonly extra?: Record<string, unknown>;
}

const rows: Row[] = [];
const notes: string[] = [];
const children: Child[] = [];
const workDir = mkdtempSync(join(tmpdir(), "charter-bench-tokens-"));

async function main(): Promise<void> {
  const started = Date.now();
  log(
    `Charter tokens benchmark: ${RUNS} runs × ${SECONDS} s per figure, ${WARMUP} s warm-up, node ${process.version}`,
  );
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown"})`);
  log(
    `load generator: ${hasWrk ? "wrk" : "autocannon (wrk not on PATH; install it for figures less bound by the load generator)"}`,
  );
  if (!canPin)
    note("taskset is missing: processes are NOT pinned to cores, so server and load generator compete");
  else log(`pinning: servers on core ${SERVER_CORE}, load generator on core 1 (taskset)`);

  const signer = createBenchSigner(ISSUER);
  const stub = await startCharterStub(signer.jwk, ISSUER);
  try {
    if (ONLY.has("a")) await seenTokens(signer, stub.url);
    if (ONLY.has("b")) await unseenTokens(signer, stub.url);
    if (ONLY.has("c")) {
      await issuance().catch((error: Error) => note(`(c) failed: ${error.message.split("\n")[0]}`));
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await stub.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  report((Date.now() - started) / 1000);
}

/** (a) tokeninfo for tokens already verified (cache hits) against a constant Fastify route. */
async function seenTokens(signer: ReturnType<typeof createBenchSigner>, stubUrl: string): Promise<void> {
  log("\n(a) sidecar with tokens seen before vs bare Fastify");
  const tokens = join(workDir, "seen.txt");
  mintTokenFile(signer, tokens, 1_000, "seen");
  const barePort = await freePort();
  const bare = track(startPinned(SERVER_CORE, NODE, [join(here, "bare-server.js"), String(barePort)]));
  const sidecar = await startSidecar(stubUrl);
  await waitForOk(`http://127.0.0.1:${barePort}/oauth2/tokeninfo`, bare);
  const spec = (base: string): LoadSpec => ({
    url: `${base}/oauth2/tokeninfo`,
    method: "GET",
    tokensFile: tokens,
    connections: CONNECTIONS,
    durationSeconds: SECONDS,
  });
  const bareSpec = spec(`http://127.0.0.1:${barePort}`);
  const sidecarSpec = spec(sidecar.url);
  await runLoad({ ...bareSpec, durationSeconds: WARMUP }, workDir);
  await runLoad({ ...sidecarSpec, durationSeconds: WARMUP }, workDir);
  const bareRuns: Measured[] = [];
  const sidecarRuns: Measured[] = [];
  for (let r = 0; r < RUNS; r++) {
    bareRuns.push(await measure(bare, bareSpec, "bare Fastify"));
    sidecarRuns.push(await measure(sidecar.child, sidecarSpec, "sidecar (seen)"));
    progress(
      `run ${r + 1}: bare ${fmt(bareRuns.at(-1)!.rps)} req/s, sidecar ${fmt(sidecarRuns.at(-1)!.rps)} req/s`,
    );
  }
  await bare.stop();
  await sidecar.child.stop();
  const [charter, peer] = [median(sidecarRuns.map((x) => x.rps)), median(bareRuns.map((x) => x.rps))];
  const ratio = pairedRatio(sidecarRuns, bareRuns, (m) => m.rps);
  const [p99, peerP99] = [median(sidecarRuns.map((x) => x.p99Ms)), median(bareRuns.map((x) => x.p99Ms))];
  rows.push({
    measurement: "(a) tokeninfo, seen tokens",
    unit: "req/s",
    charter,
    peer,
    peerName: "bare Fastify constant",
    ratio,
    target: ">= 0.8",
    pass: ratio >= 0.8,
    cpuUs: { charter: medianOf(sidecarRuns, (m) => m.cpuUs), peer: medianOf(bareRuns, (m) => m.cpuUs) },
  });
  rows.push({
    measurement: "(a) tokeninfo, seen tokens, p99",
    unit: "ms",
    charter: p99,
    peer: peerP99,
    peerName: "bare Fastify constant",
    ratio: p99 / peerP99,
    target: "p99 <= 2 ms",
    pass: p99 <= 2,
    extra: { connections: CONNECTIONS },
  });
}

/** (b) tokeninfo for tokens never seen before (every request verifies a signature) against raw node:crypto. */
async function unseenTokens(signer: ReturnType<typeof createBenchSigner>, stubUrl: string): Promise<void> {
  log("\n(b) sidecar with never-seen tokens vs raw node:crypto ES256 verify on one core");
  const rawTokens = join(workDir, "raw.txt");
  mintTokenFile(signer, rawTokens, 20_000, "raw");
  const rawRate = async (): Promise<{ rate: number; cpuUsPerVerify: number }> => {
    const out = await runPinned(SERVER_CORE, NODE, [
      join(here, "raw-verify.js"),
      rawTokens,
      JSON.stringify(signer.jwk),
      String(SECONDS),
    ]);
    return JSON.parse(out.trim().split("\n").at(-1)!) as { rate: number; cpuUsPerVerify: number };
  };
  const firstRaw = (await rawRate()).rate;

  // More distinct tokens than one run can send, so every request in a run is a first sight.
  const poolSize = Math.max(20_000, Math.ceil(firstRaw * SECONDS * 1.5));
  const pool = join(workDir, "unseen.txt");
  const warm = join(workDir, "warm.txt");
  mintTokenFile(signer, pool, poolSize, "unseen");
  mintTokenFile(signer, warm, 20_000, "warm");
  progress(`minted ${fmt(poolSize)} distinct tokens`);

  // The ceiling: Charter's HTTP layer only verifying each token raw, under the same requests.
  const ceilingPort = await freePort();
  const ceiling = track(
    startPinned(SERVER_CORE, NODE, [
      join(here, "ceiling-server.js"),
      String(ceilingPort),
      JSON.stringify(signer.jwk),
    ]),
  );
  await waitForOk(`http://127.0.0.1:${ceilingPort}/health`, ceiling);
  const ceilingSpec: LoadSpec = {
    url: `http://127.0.0.1:${ceilingPort}/oauth2/tokeninfo`,
    method: "GET",
    tokensFile: pool,
    connections: CONNECTIONS,
    durationSeconds: SECONDS,
  };
  await runLoad({ ...ceilingSpec, durationSeconds: WARMUP }, workDir);

  const rawRuns: { rate: number; cpuUsPerVerify: number }[] = [];
  const ceilingRuns: Measured[] = [];
  const runs: Measured[] = [];
  for (let r = 0; r < RUNS; r++) {
    // A fresh sidecar per run: an empty cache, so the pool is unseen again.
    const sidecar = await startSidecar(stubUrl);
    const spec: LoadSpec = {
      url: `${sidecar.url}/oauth2/tokeninfo`,
      method: "GET",
      connections: CONNECTIONS,
      durationSeconds: SECONDS,
    };
    await runLoad({ ...spec, tokensFile: warm, durationSeconds: WARMUP }, workDir);
    const result = await measure(sidecar.child, { ...spec, tokensFile: pool }, "sidecar (unseen)");
    if (result.requests > poolSize)
      note(`(b) run ${r + 1} sent more requests than distinct tokens; some were cache hits`);
    runs.push(result);
    await sidecar.child.stop();
    // The peers run right after, so all three see the same machine (other work on it comes and goes).
    rawRuns.push(await rawRate());
    ceilingRuns.push(await measure(ceiling, ceilingSpec, "HTTP layer + raw verify"));
    progress(
      `run ${r + 1}: sidecar ${fmt(result.rps)} req/s (p99 ${result.p99Ms.toFixed(2)} ms), raw ${fmt(rawRuns.at(-1)!.rate)} verifications/s, HTTP layer + raw verify ${fmt(ceilingRuns.at(-1)!.rps)} req/s`,
    );
  }
  await ceiling.stop();
  const charter = median(runs.map((x) => x.rps));
  const raw = median(rawRuns.map((x) => x.rate));
  const rawCpuUs = median(rawRuns.map((x) => x.cpuUsPerVerify));
  const best = median(ceilingRuns.map((x) => x.rps));
  const rawRates = rawRuns.map((x) => ({ rps: x.rate }));
  const ratio = pairedRatio(runs, rawRates, (m) => m.rps);
  rows.push({
    measurement: "(b) tokeninfo, never-seen tokens",
    unit: "req/s",
    charter,
    peer: raw,
    peerName: "raw node:crypto ES256 verify",
    ratio,
    target: ">= 0.7",
    pass: ratio >= 0.7,
    cpuUs: { charter: medianOf(runs, (m) => m.cpuUs), peer: rawCpuUs },
    extra: { p99Ms: median(runs.map((x) => x.p99Ms)), poolSize, ofCeiling: charter / best },
  });
  rows.push({
    measurement: "(b) ceiling: HTTP layer + raw verify",
    unit: "req/s",
    charter: best,
    peer: raw,
    peerName: "raw node:crypto ES256 verify",
    ratio: pairedRatio(ceilingRuns, rawRates, (m) => m.rps),
    target: "(the most the sidecar can reach)",
    pass: undefined,
    cpuUs: { charter: medianOf(ceilingRuns, (m) => m.cpuUs), peer: rawCpuUs },
    extra: { p99Ms: median(ceilingRuns.map((x) => x.p99Ms)) },
  });
  rows.push({
    measurement: "(b) sidecar vs that ceiling",
    unit: "req/s",
    charter,
    peer: best,
    peerName: "HTTP layer + raw verify",
    ratio: pairedRatio(runs, ceilingRuns, (m) => m.rps),
    target: "(what verifying fully costs)",
    pass: undefined,
    cpuUs: { charter: medianOf(runs, (m) => m.cpuUs), peer: medianOf(ceilingRuns, (m) => m.cpuUs) },
  });
}

/** (c) client_credentials issuance through the real server against oidc-provider. */
async function issuance(): Promise<void> {
  log("\n(c) client_credentials issuance: Charter server vs oidc-provider 8");
  const peerSecret = "bench-peer-secret-0123456789abcdef";
  const peerPort = await freePort();
  const peer = track(
    startPinned(SERVER_CORE, NODE, [join(here, "oidc-peer.js"), String(peerPort), "bench-peer", peerSecret], {
      NODE_ENV: "production",
    }),
  );
  await waitForOk(`http://127.0.0.1:${peerPort}/.well-known/openid-configuration`, peer);
  const peerSpec = tokenRequest(`http://127.0.0.1:${peerPort}/token`, "bench-peer", peerSecret);
  await expectJwt(peerSpec, "oidc-provider");

  let charterSpec: LoadSpec | undefined;
  let charterChild: Child | undefined;
  if (!existsSync(SERVER_MAIN)) {
    note(`(c) ${SERVER_MAIN} does not exist yet: Charter's issuance was not measured`);
  } else {
    try {
      ({ spec: charterSpec, child: charterChild } = await startCharterServer());
      await expectJwt(charterSpec, "Charter");
    } catch (error) {
      note(`(c) the Charter server could not be prepared: ${(error as Error).message.split("\n")[0]}`);
      charterSpec = undefined;
    }
  }

  await runLoad({ ...peerSpec, durationSeconds: WARMUP }, workDir);
  if (charterSpec !== undefined) await runLoad({ ...charterSpec, durationSeconds: WARMUP }, workDir);
  const peerRuns: Measured[] = [];
  const charterRuns: Measured[] = [];
  for (let r = 0; r < RUNS; r++) {
    peerRuns.push(await measure(peer, peerSpec, "oidc-provider"));
    if (charterSpec !== undefined && charterChild !== undefined) {
      charterRuns.push(await measure(charterChild, charterSpec, "Charter issuance"));
    }
    progress(
      `run ${r + 1}: oidc-provider ${fmt(peerRuns.at(-1)!.rps)} tokens/s` +
        (charterSpec === undefined ? "" : `, Charter ${fmt(charterRuns.at(-1)!.rps)} tokens/s`),
    );
  }
  await peer.stop();
  await charterChild?.stop();
  const peerRate = median(peerRuns.map((x) => x.rps));
  const charter = charterRuns.length === 0 ? undefined : median(charterRuns.map((x) => x.rps));
  const ratio = charterRuns.length === 0 ? undefined : pairedRatio(charterRuns, peerRuns, (m) => m.rps);
  rows.push({
    measurement: "(c) client_credentials issuance",
    unit: "tokens/s",
    charter,
    peer: peerRate,
    peerName: "oidc-provider 8 (ES256 JWT)",
    ratio,
    target: ">= 5000/s and >= 3x",
    pass: charter === undefined || ratio === undefined ? undefined : charter >= 5_000 && ratio >= 3,
    cpuUs: { charter: medianOf(charterRuns, (m) => m.cpuUs), peer: medianOf(peerRuns, (m) => m.cpuUs) },
  });
}

async function startSidecar(stubUrl: string): Promise<{ url: string; child: Child }> {
  const port = await freePort();
  const child = track(
    startPinned(SERVER_CORE, NODE, [SIDECAR_MAIN], {
      CHARTER_URL: stubUrl,
      TOKENINFO_HOST: "127.0.0.1",
      TOKENINFO_PORT: String(port),
      TOKENINFO_CLIENT_ID: "bench-sidecar",
      TOKENINFO_CLIENT_SECRET: "bench-sidecar-secret",
      TOKENINFO_REVOCATION_SALT: BENCH_SALT,
      TOKENINFO_LOG_LEVEL: "warn",
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/health`, child);
  return { url, child };
}

/** Starts `charter server` on a fresh data directory and creates a confidential client through the API. */
async function startCharterServer(): Promise<{ spec: LoadSpec; child: Child }> {
  const port = await freePort();
  const password = `bench-${Math.random().toString(36).slice(2)}-admin-password`;
  const base = `http://127.0.0.1:${port}`;
  const child = track(
    startPinned(SERVER_CORE, NODE, [SERVER_MAIN], {
      CHARTER_DATA_DIR: join(workDir, "charter-data"),
      CHARTER_HOST: "127.0.0.1",
      CHARTER_PORT: String(port),
      CHARTER_ADMIN_PASSWORD: password,
      CHARTER_LOG_LEVEL: "warn",
    }),
  );
  await waitForOk(`${base}/health`, child, 60_000);
  const admin = await postForm(`${base}/oauth2/access_token`, {
    grant_type: "password",
    username: "admin",
    password,
    client_id: "charter-cli",
  });
  if (typeof admin.access_token !== "string") throw new Error(`admin login failed: ${JSON.stringify(admin)}`);
  const created = await fetch(`${base}/api/clients`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({
      id: "bench-issuance",
      team_id: "platform",
      name: "Benchmark client",
      confidential: true,
    }),
  });
  const client = (await created.json()) as { client_secret?: string };
  if (!created.ok || client.client_secret === undefined) {
    throw new Error(`creating the client failed: ${created.status} ${JSON.stringify(client)}`);
  }
  return { spec: tokenRequest(`${base}/oauth2/access_token`, "bench-issuance", client.client_secret), child };
}

function tokenRequest(url: string, clientId: string, secret: string): LoadSpec {
  return {
    url,
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
    connections: CONNECTIONS,
    durationSeconds: SECONDS,
  };
}

/** One request first, to be sure the load measures successful ES256 JWT issuance. */
async function expectJwt(spec: LoadSpec, name: string): Promise<void> {
  const response = await fetch(spec.url, {
    method: "POST",
    headers: { ...spec.headers },
    body: spec.body ?? null,
  });
  const body = (await response.json()) as { access_token?: string };
  const header = body.access_token?.split(".")[0];
  const alg = header === undefined ? undefined : JSON.parse(Buffer.from(header, "base64url").toString()).alg;
  if (!response.ok || alg !== "ES256") {
    throw new Error(
      `${name} did not issue an ES256 JWT: ${response.status} ${JSON.stringify(body).slice(0, 200)}`,
    );
  }
}

async function postForm(url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: "POST", body: new URLSearchParams(form) });
  return (await response.json()) as Record<string, unknown>;
}

function report(seconds: number): void {
  const table = [
    ["measurement", "Charter", "peer", "peer is", "ratio", "target", "pass", "CPU µs/req Charter : peer"],
    ...rows.map((r) => [
      r.measurement,
      r.charter === undefined ? "n/a" : `${fmt(r.charter)} ${r.unit}`,
      r.peer === undefined ? "n/a" : `${fmt(r.peer)} ${r.unit}`,
      r.peerName,
      r.ratio === undefined ? "n/a" : r.ratio.toFixed(2),
      r.target,
      r.pass === undefined ? "n/a" : r.pass ? "yes" : "NO",
      r.cpuUs === undefined ? "" : `${cpuText(r.cpuUs.charter)} : ${cpuText(r.cpuUs.peer)}`,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  log("");
  for (const [i, row] of table.entries()) {
    log(row.map((cell, j) => cell.padEnd(widths[j]!)).join("  "));
    if (i === 0) log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  for (const text of notes) log(`note: ${text}`);
  log(`\ntotal ${seconds.toFixed(0)} s; results written to ${RESULT_FILE}`);
  writeFileSync(
    RESULT_FILE,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        pinned: canPin,
        loadGenerator: hasWrk ? "wrk" : "autocannon",
        runs: RUNS,
        secondsPerRun: SECONDS,
        connections: CONNECTIONS,
        rows,
        notes,
      },
      null,
      2,
    )}\n`,
  );
}

interface Measured extends LoadResult {
  /** CPU time the server process spent per request (user + system), when /proc exists. */
  readonly cpuUs: number | undefined;
}

/** One load run, with the server's CPU time per request. */
async function measure(server: Child, spec: LoadSpec, name: string): Promise<Measured> {
  const before = cpuMillis(server.process.pid);
  const result = checked(await runLoad(spec, workDir), name);
  const after = cpuMillis(server.process.pid);
  const cpuUs =
    before === undefined || after === undefined || result.requests === 0
      ? undefined
      : ((after - before) * 1000) / result.requests;
  return { ...result, cpuUs };
}

function medianOf(runs: readonly Measured[], pick: (m: Measured) => number | undefined): number | undefined {
  const values = runs.map(pick).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : median(values);
}

function cpuText(us: number | undefined): string {
  return us === undefined ? "n/a" : us.toFixed(1);
}

function checked(result: LoadResult, name: string): LoadResult {
  if (result.errors > 0) note(`${name}: ${result.errors} failed requests in a run of ${result.requests}`);
  return result;
}

function track(child: Child): Child {
  children.push(child);
  return child;
}

/**
 * The median of the ratios of runs taken one right after the other (run i of each). The machine's
 * speed drifts by more than the differences measured, so a pair of neighbouring runs shares it
 * better than two medians taken over the whole series do.
 */
function pairedRatio<T>(charter: readonly T[], peer: readonly T[], pick: (run: T) => number): number {
  return median(charter.map((run, i) => pick(run) / pick(peer[i]!)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function positive(name: "runs" | "seconds" | "warmup" | "connections"): number {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--${name} must be a positive integer, got ${flags[name]}`);
  return n;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function progress(line: string): void {
  log(`  ${line}`);
}

function note(text: string): void {
  notes.push(text);
  log(`  note: ${text}`);
}

process.once("SIGINT", () => {
  void Promise.all(children.map((c) => c.stop())).then(() => process.exit(130));
});
await main();

import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Child, canPin, cpuMillis, freePort, startPinned, waitForOk } from "../tokens/processes.js";
import { summarizeCpuProfile, type TimeWindow } from "./cpu-profile.js";
import { DISTRIBUTION_BINARY, startDistribution } from "./distribution.js";
import { type BenchImage, buildBenchImage } from "./oci-layout.js";

/**
 * `npm run bench:images`: push and pull of an image with one 200 MB layer with skopeo, against
 * Charter (the real server program, embedded mode: PGlite and files in a temporary data directory)
 * and against CNCF Distribution (the Debian package `docker-registry`, filesystem storage, no auth)
 * in the same run. Both servers run pinned to core 0 and skopeo to core 1. Every round pushes a
 * freshly built image (new random bytes, so neither registry nor skopeo's blob-info cache can skip
 * or mount the layer) into a new repository under a new tag, then pulls it into an empty OCI layout
 * (image and pull on tmpfs, the registries' storage on disk). A round runs twice, the registries in
 * one order and then in the other, and counts each registry's mean of the two; figures are medians
 * of wall-clock skopeo times over the rounds after the warm-up.
 * Goal: Distribution's time / Charter's time at least 1.0 in both directions.
 *
 * Flags: --runs (5), --warmup (1), --size-mb (200), --profile (write a CPU profile of the Charter
 * server and print where its time went), --keep (leave the temporary directory behind).
 */

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    "size-mb": { type: "string", default: "200" },
    profile: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const RUNS = count("runs", 1);
const WARMUP = count("warmup", 0);
const LAYER_BYTES = count("size-mb", 1) * 1_000_000;
const TARGET_RATIO = 1.0;
const SERVER_CORE = 0;
const CLIENT_CORE = 1;

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const SERVER_MAIN = join(root, "dist/src/programs/server/main.js");
const RESULT_FILE = join(root, "bench/images/last-result.json");
const SKOPEO = "/usr/bin/skopeo";
const ADMIN_PASSWORD = "bench-images-admin-password";
const TEAM = "platform";
const NODE = process.execPath;

type Operation = "push" | "pull";

interface Registry {
  readonly name: "Charter" | "Distribution";
  /** host:port as skopeo names the registry. */
  readonly host: string;
  readonly server: Child;
  /** skopeo's credential flags for a push (`dest`) or a pull (`src`). */
  credentials(side: "dest" | "src"): string[];
}

interface Sample {
  readonly seconds: number;
  /** When it ran, on the clock CPU profiles use. */
  readonly windows: readonly TimeWindow[];
  /** CPU seconds the registry's process used for the operation (user + system, 10 ms ticks). */
  readonly serverCpuSeconds: number | undefined;
}

interface Row {
  readonly operation: Operation;
  readonly registry: Registry["name"];
  readonly seconds: number;
  readonly mbPerSecond: number;
  readonly serverCpuSeconds: number | undefined;
  readonly samples: readonly number[];
}

const children: Child[] = [];
/** Directories to remove however the run ends (the scratch one holds hundreds of MB of memory). */
const temporary: string[] = [];
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  for (const binary of [SKOPEO, DISTRIBUTION_BINARY]) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: apt-get install skopeo docker-registry`);
  }
  log(
    `Charter images benchmark: ${RUNS} rounds after ${WARMUP} warm-up, one ${LAYER_BYTES / 1e6} MB layer, ` +
      `node ${process.version}`,
  );
  log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}); load average ${loadavg()[0]!.toFixed(1)}`,
  );
  if (!canPin) log("warning: taskset is missing; registries and skopeo are NOT pinned and compete");
  else log(`pinning: registries on core ${SERVER_CORE}, skopeo on core ${CLIENT_CORE} (taskset)`);

  const work = mkdtempSync(join(tmpdir(), "charter-bench-images-"));
  // The image pushed and the copy pulled live in memory where the machine has a tmpfs: the client's
  // disk (the write-back of a freshly built image, skopeo's fsync of what it pulled) is then no part
  // of what is measured, only the registries' own storage, which sits on disk in `work`.
  const scratch = existsSync("/dev/shm")
    ? mkdtempSync("/dev/shm/charter-bench-images-")
    : mkdtempSync(join(work, "scratch-"));
  temporary.push(scratch);
  const profileDir = join(work, "profile");
  try {
    const charter = await startCharter(join(work, "charter"), profileDir);
    const distribution = await startPeer(join(work, "distribution"));
    const registries: readonly Registry[] = [charter, distribution];
    const samples = new Map<string, Sample[]>();

    for (let round = 0; round < WARMUP + RUNS; round++) {
      const warm = round < WARMUP;
      const taken = new Map<string, Sample[]>();
      const line: string[] = [];
      // On this kind of machine, where an operation falls in the sequence moves its time by up to
      // half (the one right after a push is slow, whoever serves it). So a round is two passes in
      // opposite orders, each with an image of its own, and each registry's figure for the round is
      // the mean of its two passes: both take every position once.
      for (const [pass, order] of [registries, [...registries].reverse()].entries()) {
        const tag = `r${round}${pass === 0 ? "a" : "b"}`;
        const image = await buildBenchImage(join(scratch, "images", tag), tag, LAYER_BYTES);
        for (const operation of ["push", "pull"] as const) {
          for (const registry of order) {
            const sample = await measure(operation, registry, image, `bench-${tag}`, tag, scratch);
            line.push(`${operation} ${registry.name.slice(0, 1)} ${sample.seconds.toFixed(2)}`);
            const key = `${operation} ${registry.name}`;
            taken.set(key, [...(taken.get(key) ?? []), sample]);
          }
        }
        rmSync(join(scratch, "images", tag), { recursive: true, force: true });
      }
      log(`  ${warm ? "warm-up" : `round ${round - WARMUP + 1}`}: ${line.join(", ")} (s)`);
      if (warm) continue;
      for (const [key, passes] of taken) samples.set(key, [...(samples.get(key) ?? []), meanOf(passes)]);
    }

    const rows: Row[] = [];
    for (const operation of ["push", "pull"] as const) {
      for (const registry of registries) {
        const taken = samples.get(`${operation} ${registry.name}`) ?? [];
        const seconds = median(taken.map((s) => s.seconds));
        const cpu = taken.map((s) => s.serverCpuSeconds);
        rows.push({
          operation,
          registry: registry.name,
          seconds,
          mbPerSecond: LAYER_BYTES / 1e6 / seconds,
          serverCpuSeconds: cpu.some((c) => c === undefined) ? undefined : median(cpu as number[]),
          samples: taken.map((s) => round2(s.seconds)),
        });
      }
    }
    await Promise.all(children.map((c) => c.stop()));
    report(rows, (Date.now() - started) / 1000);
    if (flags.profile) {
      printProfile(profileDir, (operation) =>
        (samples.get(`${operation} Charter`) ?? []).flatMap((s) => s.windows),
      );
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(scratch, { recursive: true, force: true });
    if (flags.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** The server program as `npm start` runs it, in embedded mode with a data directory of its own. */
async function startCharter(dataDir: string, profileDir: string): Promise<Registry> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const profile = flags.profile ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const server = track(
    startPinned(SERVER_CORE, NODE, [...profile, SERVER_MAIN], {
      DATABASE_URL: "",
      CHARTER_DATA_DIR: dataDir,
      CHARTER_PORT: String(port),
      CHARTER_PUBLIC_URL: base,
      CHARTER_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CHARTER_REVOCATION_SALT: "bench-images-revocation-salt",
      CHARTER_LOG_LEVEL: "warn",
    }),
  );
  await waitForOk(`${base}/health`, server, 60_000);
  const token = await passwordToken(base);
  return {
    name: "Charter",
    host: `127.0.0.1:${port}`,
    server,
    credentials: (side) => [`--${side}-creds`, `oauth2:${token}`],
  };
}

async function startPeer(dir: string): Promise<Registry> {
  const port = await freePort();
  const server = track(startDistribution(SERVER_CORE, dir, port));
  await waitForOk(`http://127.0.0.1:${port}/v2/`, server);
  return { name: "Distribution", host: `127.0.0.1:${port}`, server, credentials: () => [] };
}

async function passwordToken(base: string): Promise<string> {
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

/**
 * One skopeo copy, timed from start to exit: a push of `image` into `<team>/<artifact>:<tag>`, or a
 * pull of it into an empty OCI layout (checked for the whole layer, then deleted).
 */
async function measure(
  operation: Operation,
  registry: Registry,
  image: BenchImage,
  artifact: string,
  tag: string,
  scratch: string,
): Promise<Sample> {
  const remote = `docker://${registry.host}/${TEAM}/${artifact}:${tag}`;
  const pulled = join(scratch, "pulls", `${registry.name}-${tag}`);
  mkdirSync(dirname(pulled), { recursive: true });
  const args =
    operation === "push"
      ? ["--dest-tls-verify=false", ...registry.credentials("dest"), image.ref, remote]
      : ["--src-tls-verify=false", ...registry.credentials("src"), remote, `oci:${pulled}:${tag}`];
  // A home of its own: no credentials or registries.conf from the machine. (Its blob-info cache could
  // not shortcut anything anyway: every layer pushed is new to both registries.)
  const home = mkdtempSync(join(scratch, "home-"));
  // Whatever the previous operation left for the disk to write is written now, not during this one.
  spawnSync("sync");
  const before = cpuMillis(registry.server.process.pid);
  const startUs = microseconds();
  const output = await skopeo(["copy", ...args], home);
  const endUs = microseconds();
  const after = cpuMillis(registry.server.process.pid);
  rmSync(home, { recursive: true, force: true });
  if (registry.server.process.exitCode !== null) {
    throw new Error(`${registry.name} exited:\n${registry.server.output()}`);
  }
  if (/skipped|already exists/i.test(output)) {
    throw new Error(`skopeo did not transfer the layer (${operation} ${registry.name}):\n${output}`);
  }
  if (operation === "pull") {
    const blob = join(pulled, "blobs", "sha256", image.layerDigest.slice("sha256:".length));
    const size = existsSync(blob) ? statSync(blob).size : -1;
    rmSync(pulled, { recursive: true, force: true });
    if (size !== image.layerSize) {
      throw new Error(
        `the pull from ${registry.name} holds no complete layer (${size} of ${image.layerSize} bytes)`,
      );
    }
  }
  return {
    seconds: (endUs - startUs) / 1e6,
    windows: [{ startUs, endUs }],
    serverCpuSeconds: before === undefined || after === undefined ? undefined : (after - before) / 1000,
  };
}

/** Runs skopeo pinned to the client core to completion; resolves to its output. */
function skopeo(args: readonly string[], home: string): Promise<string> {
  const child = startPinned(CLIENT_CORE, SKOPEO, ["--insecure-policy", ...args], {
    HOME: home,
    XDG_RUNTIME_DIR: home,
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CONFIG_HOME: join(home, ".config"),
  });
  return new Promise((resolve, reject) => {
    child.process.once("error", reject);
    child.process.once("exit", (code) =>
      code === 0
        ? resolve(child.output())
        : reject(
            new Error(
              `skopeo ${args.join(" ").replace(/oauth2:\S+/g, "oauth2:***")} exited with ${code}:\n${child.output()}`,
            ),
          ),
    );
  });
}

function report(rows: readonly Row[], seconds: number): void {
  const of = (operation: Operation, name: Registry["name"]) =>
    rows.find((r) => r.operation === operation && r.registry === name)!;
  const ratios = (["push", "pull"] as const).map((operation) => {
    const c = of(operation, "Charter");
    const d = of(operation, "Distribution");
    const ratio = d.seconds / c.seconds;
    // Each round's pair ran back to back, so its ratio barely feels the machine's load drifting.
    const perRound = c.samples.map((seconds, i) => round2(d.samples[i]! / seconds));
    // Judged as printed, to two decimals: when skopeo is the bottleneck both registries take the
    // same time, and 0.998 against a target of 1.0 is a tie, not a miss.
    return { operation, ratio, pass: round2(ratio) >= TARGET_RATIO, perRound };
  });
  const table = [
    ["operation", "Charter", "Distribution", "ratio D/C", "target", "pass", "server CPU s C : D"],
    ...ratios.map(({ operation, ratio, pass }) => {
      const c = of(operation, "Charter");
      const d = of(operation, "Distribution");
      return [
        `${operation} ${LAYER_BYTES / 1e6} MB`,
        `${c.seconds.toFixed(2)} s, ${c.mbPerSecond.toFixed(0)} MB/s`,
        `${d.seconds.toFixed(2)} s, ${d.mbPerSecond.toFixed(0)} MB/s`,
        ratio.toFixed(2),
        `>= ${TARGET_RATIO.toFixed(1)}`,
        pass ? "yes" : "NO",
        `${cpuText(c.serverCpuSeconds)} : ${cpuText(d.serverCpuSeconds)}`,
      ];
    }),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  log("");
  for (const [i, row] of table.entries()) {
    log(row.map((cell, j) => cell.padEnd(widths[j]!)).join("  "));
    if (i === 0) log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  log(
    "(medians of wall-clock skopeo copy times; ratio = Distribution's time / Charter's, >= 1.0: Charter as fast)",
  );
  for (const { operation, perRound } of ratios) {
    log(`${operation} ratio per round: ${perRound.map((r) => r.toFixed(2)).join(" ")}`);
  }
  const load = loadavg()[0]!;
  const pass = ratios.every((r) => r.pass);
  log(
    `\n${pass ? "all targets met" : "TARGET MISSED"} (${seconds.toFixed(0)} s; load average ${load.toFixed(1)})`,
  );
  if (load > cpus().length) log("note: the machine was busy with other work; times are inflated");
  writeFileSync(
    RESULT_FILE,
    `${jsonForBiome({
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      pinned: canPin,
      loadAverage: load,
      layerBytes: LAYER_BYTES,
      runs: RUNS,
      warmup: WARMUP,
      rows: rows.map((r) => ({
        ...r,
        seconds: round2(r.seconds),
        mbPerSecond: round2(r.mbPerSecond),
        serverCpuSeconds: r.serverCpuSeconds === undefined ? undefined : round2(r.serverCpuSeconds),
      })),
      ratios: ratios.map((r) => ({ ...r, ratio: round2(r.ratio) })),
      copies:
        "skopeo copy oci:<layout on tmpfs> docker://<registry>/platform/bench-rN:rN, then docker://… oci:<empty layout on tmpfs>",
      pass,
    })}\n`,
  );
  log(`wrote ${RESULT_FILE}`);
  if (!pass) process.exitCode = 1;
}

/** Where the Charter server spent its CPU while skopeo pushed, and while it pulled. */
function printProfile(dir: string, windowsOf: (operation: Operation) => TimeWindow[]): void {
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith(".cpuprofile")) : undefined;
  if (file === undefined) {
    log("no CPU profile was written");
    return;
  }
  for (const operation of ["push", "pull"] as const) {
    const windows = windowsOf(operation);
    const { busyMs, lines } = summarizeCpuProfile(join(dir, file), 25, windows);
    log(
      `\nCharter server CPU during ${windows.length} ${operation === "push" ? "pushes" : "pulls"}: ${(busyMs / 1000).toFixed(2)} s busy ` +
        `(${(busyMs / 1000 / Math.max(1, windows.length)).toFixed(2)} s each); self time:`,
    );
    for (const line of lines) {
      log(
        `  ${(line.share * 100).toFixed(1).padStart(5)} %  ${line.ms.toFixed(0).padStart(6)} ms  ${line.frame}`,
      );
    }
  }
  const kept = join(here, "last-profile.cpuprofile");
  copyFileSync(join(dir, file), kept);
  log(`\nwhole profile copied to ${kept} (open it in Chrome DevTools)`);
}

/**
 * JSON as Biome formats it (the repository's lint checks this file too): two-space indent, with
 * arrays of numbers on one line.
 */
function jsonForBiome(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g,
    (_, items: string) => `[${items.split(/,\s*/).join(", ")}]`,
  );
}

/** One registry's passes of a round as one sample: mean time and CPU, every window. */
function meanOf(passes: readonly Sample[]): Sample {
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const cpu = passes.map((p) => p.serverCpuSeconds);
  return {
    seconds: mean(passes.map((p) => p.seconds)),
    windows: passes.flatMap((p) => p.windows),
    serverCpuSeconds: cpu.some((c) => c === undefined) ? undefined : mean(cpu as number[]),
  };
}

function track(child: Child): Child {
  children.push(child);
  return child;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function count(name: "runs" | "warmup" | "size-mb", min: number): number {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}`);
  return n;
}

const microseconds = () => Number(process.hrtime.bigint() / 1000n);
const cpuText = (seconds: number | undefined) => (seconds === undefined ? "n/a" : seconds.toFixed(2));
const round2 = (n: number) => Math.round(n * 100) / 100;

process.once("SIGINT", () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  void Promise.all(children.map((c) => c.stop())).then(() => process.exit(130));
});

main().catch((error: Error) => {
  process.stderr.write(`bench:images failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});

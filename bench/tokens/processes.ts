import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Whether `taskset` can pin processes to cores here. */
export const canPin = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

export interface Child {
  readonly process: ChildProcess;
  /** Everything it wrote to stdout and stderr so far (for error reports). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `command args` pinned to `core` (when taskset exists), collecting its output. */
export function startPinned(
  core: number,
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Child {
  const [file, argv] = canPin ? ["taskset", ["-c", String(core), command, ...args]] : [command, [...args]];
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return {
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** Runs `command args` pinned to `core` to completion; resolves to its stdout. */
export function runPinned(core: number, command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = startPinned(core, command, args);
    let stdout = "";
    child.process.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.process.once("exit", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} exited with ${code}:\n${child.output()}`)),
    );
  });
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** Polls `url` until it answers 200, or fails after `timeoutMs`. */
export async function waitForOk(url: string, child: Child | undefined, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (child !== undefined && child.process.exitCode !== null) {
      throw new Error(`the process behind ${url} exited:\n${child.output()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (${last})\n${child?.output() ?? ""}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * CPU time (user + system, ms) a process has used, from /proc; undefined where there is no /proc.
 * Unlike throughput, CPU per request barely changes when other work shares the machine.
 */
export function cpuMillis(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of stat(5), counted in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

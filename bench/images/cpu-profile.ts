import { readFileSync } from "node:fs";

/** The parts of a V8 `.cpuprofile` (as `node --cpu-prof` writes it) that a summary needs. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }>;
  /** Microseconds on the monotonic clock, as `process.hrtime` reads it. */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A stretch of time on the monotonic clock (`process.hrtime.bigint()` / 1000), in microseconds. */
export interface TimeWindow {
  readonly startUs: number;
  readonly endUs: number;
}

export interface ProfileLine {
  /** `function (file:line)`, with the file relative to node_modules or the repository. */
  readonly frame: string;
  /** Self time, ms. */
  readonly ms: number;
  readonly share: number;
}

/**
 * Self time per function of a CPU profile, largest first, with idle time left out: where a busy
 * process spends its CPU. With `windows`, only samples taken inside them count (V8 stamps samples
 * with the same monotonic clock as `process.hrtime`, so another process can name the windows). `(program)` is native work V8 cannot attribute to a function (much of it
 * I/O in libuv and the HTTP parser), `(garbage collector)` is GC.
 */
export function summarizeCpuProfile(
  file: string,
  top: number,
  windows?: readonly TimeWindow[],
): { busyMs: number; lines: ProfileLine[] } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  for (const [i, id] of profile.samples.entries()) {
    const frame = frames.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (windows !== undefined && !windows.some((w) => at >= w.startUs && at <= w.endUs)) continue;
    if (frame === undefined || frame.functionName === "(idle)") continue;
    const where = frame.url === "" ? "" : ` (${shorten(frame.url)}:${frame.lineNumber + 1})`;
    const key = `${frame.functionName || "(anonymous)"}${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
    busy += us;
  }
  const lines = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, ms: us / 1000, share: busy === 0 ? 0 : us / busy }));
  return { busyMs: busy / 1000, lines };
}

function shorten(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  const dist = url.indexOf("/dist/");
  return dist >= 0 ? url.slice(dist + 1) : url.replace(/^file:\/\//, "");
}

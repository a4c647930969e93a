import { PassThrough, Readable } from "node:stream";
import type { Clock, Duration } from "../../../core/index.js";
import type { CliIo } from "../cli-io.js";

/** A `CliIo` in memory, for tests: what is written can be read back. */
export interface MemoryIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
}

export interface MemoryIoOptions {
  /** Standard input's whole content; default empty. */
  readonly stdin?: string;
  /** Whether standard input claims to be a terminal (for prompts); default false. */
  readonly stdinIsTTY?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly openBrowser?: (url: string) => Promise<void>;
  readonly clock?: Clock;
  readonly loginTimeout?: Duration;
}

export function memoryIo(options: MemoryIoOptions = {}): MemoryIo {
  const stdin = Object.assign(Readable.from(options.stdin === undefined ? [] : [options.stdin]), {
    isTTY: options.stdinIsTTY === true,
  });
  const capture = () => {
    const chunks: Buffer[] = [];
    const stream = new PassThrough();
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
  };
  const stdout = capture();
  const stderr = capture();
  return {
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: options.env ?? {},
    ...(options.openBrowser === undefined ? {} : { openBrowser: options.openBrowser }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.loginTimeout === undefined ? {} : { loginTimeout: options.loginTimeout }),
    stdoutText: stdout.text,
    stderrText: stderr.text,
  };
}

import type { Readable, Writable } from "node:stream";
import type { Clock, Duration } from "../../core/index.js";

/** A stream end that may be a terminal. */
export type TtyAware = { readonly isTTY?: boolean };

/**
 * Everything the CLI touches outside itself. `main.ts` passes the process's streams and environment;
 * tests pass memory streams, their own environment and fakes for the browser, the clock and time-outs.
 */
export interface CliIo {
  readonly stdin: Readable & TtyAware;
  readonly stdout: Writable & TtyAware;
  readonly stderr: Writable & TtyAware;
  /** The environment; only the CLI's configuration reader looks at it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Opens a URL in the user's browser. Default: `open` on macOS, `xdg-open` elsewhere, when present. */
  readonly openBrowser?: (url: string) => Promise<void>;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** How long `charter login` waits for the browser. Default: 5 minutes. */
  readonly loginTimeout?: Duration;
}

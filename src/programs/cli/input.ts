import { createInterface } from "node:readline";
import { CliError, ExitCode, usageError } from "./cli-error.js";
import type { CliIo } from "./cli-io.js";

const MAX_STDIN = 64 * 1024;

/**
 * A secret piped on standard input (`--password-stdin`): everything up to end of input, less one
 * trailing newline, so that `echo "$PW" | charter ...` and a file both work.
 */
export async function readSecretFromStdin(io: CliIo, flag: string): Promise<string> {
  let text = "";
  for await (const chunk of io.stdin) {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    if (text.length > MAX_STDIN)
      throw usageError(`${flag} read more than ${MAX_STDIN} bytes from standard input`);
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "") throw usageError(`${flag} read nothing from standard input`);
  return secret;
}

/**
 * Asks a yes/no question on stderr and reads the answer from stdin; only "y" or "yes" agree. When
 * stdin is not a terminal nobody can answer, so the command must be given `--yes` instead.
 */
export async function confirm(io: CliIo, question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (io.stdin.isTTY !== true) {
    throw usageError(
      `${question.replace(/\?$/, "")}: pass --yes to confirm when standard input is not a terminal`,
    );
  }
  io.stderr.write(`${question} [y/N] `);
  const answer = await firstLine(io);
  if (!/^\s*y(es)?\s*$/i.test(answer ?? "")) throw new CliError("cancelled", ExitCode.usage);
}

async function firstLine(io: CliIo): Promise<string | undefined> {
  const lines = createInterface({ input: io.stdin, terminal: false });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

/**
 * The exit codes `charter` uses, fixed so that scripts can rely on them (as GitHub CLI's do).
 * 0 success, 1 any failure, 2 wrong usage or a cancelled prompt, 4 authentication needed.
 */
export const ExitCode = Object.freeze({ ok: 0, error: 1, usage: 2, auth: 4 } as const);

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI explains in one line on stderr and turns into an exit code. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.error,
  ) {
    super(message);
  }
}

/** The command was invoked wrongly: a missing flag, a bad value, a needed `--yes`. */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.usage);
}

/** There is no usable token: the user must log in (again). */
export function authError(message: string): CliError {
  return new CliError(message, ExitCode.auth);
}

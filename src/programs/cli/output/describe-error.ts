import { ApiError } from "../api/api-error.js";
import { CliError, ExitCode } from "../cli-error.js";

/** The one line `charter: ...` prints for a failure, and the exit code that goes with it. */
export interface ErrorReport {
  readonly message: string;
  readonly exitCode: ExitCode;
}

/**
 * Explains a failure in one line. Problem documents show their `detail` and stable `code` (the code is
 * what to search the docs or the log for); a 401 asks the user to log in and exits 4.
 */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ApiError) {
    const problem = error.problem;
    const detail =
      problem?.detail ?? problem?.title ?? `${error.method} ${error.path} answered ${error.status}`;
    const code = problem?.code === undefined ? "" : ` (${problem.code})`;
    if (error.status === 401) {
      return { message: `${detail}${code}; run "charter login"`, exitCode: ExitCode.auth };
    }
    return { message: `${detail}${code}`, exitCode: ExitCode.error };
  }
  if (error instanceof Error) return { message: error.message, exitCode: ExitCode.error };
  return { message: String(error), exitCode: ExitCode.error };
}

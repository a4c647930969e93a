/** The fields of an RFC 9457 problem document the CLI shows. */
export interface ProblemDocument {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly code?: string;
  readonly request_id?: string;
  readonly [extension: string]: unknown;
}

/** The server answered with an error status. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The problem document, when the server sent one. */
    readonly problem: ProblemDocument | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `${method} ${path} answered ${status}`);
  }
}

/** Reads an error answer as a problem document, or undefined when it is not one. */
export async function problemOf(response: Response): Promise<ProblemDocument | undefined> {
  const text = await response.text().catch(() => "");
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as ProblemDocument;
  } catch {
    // Not JSON: a proxy's HTML page, for example. The status line is all there is to show.
  }
  return undefined;
}

/**
 * What went wrong, in terms every layer understands. Domain code picks a kind; only the HTTP layer
 * turns a kind into a status code.
 */
export type ErrorKind =
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "gone"
  | "too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable"
  | "internal";

export interface ErrorSpec {
  readonly kind: ErrorKind;
  /** A short, stable, human summary of the code (the problem document's `title`). */
  readonly title: string;
}

/**
 * An error with a stable `code` from a closed set. The message names what failed (an id, a field)
 * and never carries a secret or a token.
 */
export class CharterError extends Error {
  override readonly name = "CharterError";
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    readonly title: string,
    message: string,
    /** Extra, non-secret members for the problem document (for example `{ missing: [...] }`). */
    readonly extensions?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export type ErrorFactory = (detail: string, extensions?: Record<string, unknown>) => CharterError;

export type ErrorSet<T extends Record<string, ErrorSpec>> = { readonly [K in keyof T]: ErrorFactory } & {
  readonly specs: T;
};

/**
 * Declares a part's error codes once; each becomes a factory.
 *
 * @example
 * export const IdentityErrors = defineErrors({
 *   IDENTITY_TEAM_NOT_FOUND: { kind: "not_found", title: "Team not found" },
 * });
 * throw IdentityErrors.IDENTITY_TEAM_NOT_FOUND(`team "${id}" does not exist`);
 */
export function defineErrors<const T extends Record<string, ErrorSpec>>(specs: T): ErrorSet<T> {
  const factories: Record<string, unknown> = { specs };
  for (const [code, spec] of Object.entries(specs)) {
    factories[code] = (detail: string, extensions?: Record<string, unknown>) =>
      new CharterError(code, spec.kind, spec.title, detail, extensions);
  }
  return factories as ErrorSet<T>;
}

/** Errors every part may raise; the HTTP layer raises most of them. */
export const CoreErrors = defineErrors({
  CORE_VALIDATION_FAILED: { kind: "invalid", title: "Request is not valid" },
  CORE_UNKNOWN_FIELD: { kind: "invalid", title: "Request has a field that is not allowed" },
  CORE_MALFORMED_JSON: { kind: "invalid", title: "Request body is not valid JSON" },
  CORE_UNSUPPORTED_MEDIA_TYPE: { kind: "unsupported_media_type", title: "Content type not supported" },
  CORE_PAYLOAD_TOO_LARGE: { kind: "too_large", title: "Request body too large" },
  CORE_UNAUTHENTICATED: { kind: "unauthenticated", title: "Authentication required" },
  CORE_FORBIDDEN: { kind: "forbidden", title: "Not allowed" },
  CORE_NOT_FOUND: { kind: "not_found", title: "Not found" },
  CORE_METHOD_NOT_ALLOWED: { kind: "invalid", title: "Method not allowed" },
  CORE_RATE_LIMITED: { kind: "rate_limited", title: "Too many requests" },
  CORE_UNAVAILABLE: { kind: "unavailable", title: "Service unavailable" },
  CORE_INTERNAL: { kind: "internal", title: "Internal error" },
});

export function isCharterError(error: unknown): error is CharterError {
  return error instanceof CharterError;
}

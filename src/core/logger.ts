import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * Paths pino censors wherever they appear. Fastify's request serializer never logs bodies or
 * query strings, so these are a second line of defence for objects a part logs on purpose.
 */
export const REDACTED_PATHS = [
  "password",
  "secret",
  "client_secret",
  "token",
  "access_token",
  "refresh_token",
  "code",
  "code_verifier",
  "authorization",
  "*.password",
  "*.secret",
  "*.client_secret",
  "*.token",
  "*.access_token",
  "*.code_verifier",
  "*.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  /** pino level; default `info`. */
  readonly level?: string;
  /** Where lines go; default standard output. Tests pass a stream to read what was logged. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { service: "charter" },
    },
    options.destination,
  );
}

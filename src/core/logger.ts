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
      serializers: { req: serializeRequest },
    },
    options.destination,
  );
}

interface LoggableRequest {
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
  readonly socket?: { readonly remoteAddress?: string };
}

/**
 * Requests are logged by method and path; query values are replaced, because OAuth2 and OCI
 * clients may put tokens there (`?access_token=…`). Headers and bodies are never logged.
 */
function serializeRequest(req: LoggableRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactQuery(req.url ?? ""),
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  };
}

export function redactQuery(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const names = url
    .slice(at + 1)
    .split("&")
    .filter((pair) => pair.length > 0)
    .map((pair) => `${pair.split("=")[0]}=[redacted]`);
  return `${url.slice(0, at)}?${names.join("&")}`;
}

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Duration } from "../../core/index.js";
import { isVerificationAlgorithm, VERIFICATION_ALGORITHMS } from "../../tokens/index.js";

/** Polling revocations needs a token of Charter's, obtained with client credentials. */
export interface TokeninfoRevocationConfig {
  /** `TOKENINFO_CLIENT_ID`. */
  readonly clientId: string;
  /** Read from `TOKENINFO_CLIENT_SECRET_FILE` (or `TOKENINFO_CLIENT_SECRET`). */
  readonly clientSecret: string;
  /** `TOKENINFO_REVOCATION_SALT` or `TOKENINFO_REVOCATION_SALT_FILE`: the server's `CHARTER_REVOCATION_SALT`. */
  readonly salt: string;
  /** `TOKENINFO_REVOCATIONS_URL`, default `<CHARTER_URL>/revocations`. */
  readonly url: string;
  /** `TOKENINFO_TOKEN_URL`, default `<CHARTER_URL>/oauth2/access_token`. */
  readonly tokenUrl: string;
  /** `TOKENINFO_REVOCATIONS_INTERVAL`, default `10s`. */
  readonly interval: Duration;
  /** `TOKENINFO_REVOCATIONS_TOLERANCE`, default `60s`: overlap of consecutive polls. */
  readonly tolerance: Duration;
}

/** The sidecar's configuration, validated once and frozen. */
export interface TokeninfoConfig {
  /** `CHARTER_URL` / `--charter-url`, default `http://127.0.0.1:8080`. */
  readonly charterUrl: string;
  /** `TOKENINFO_HOST` / `--host`, default `127.0.0.1`. */
  readonly host: string;
  /** `TOKENINFO_PORT` / `--port`, default `9021` (Plan B's). */
  readonly port: number;
  /** `TOKENINFO_ISSUER` / `--issuer`: the `iss` tokens must carry; default the discovery document's. */
  readonly issuer: string | undefined;
  /** `TOKENINFO_JWKS_URL` / `--jwks-url`: skip discovery (then the issuer is required). */
  readonly jwksUrl: string | undefined;
  /** `TOKENINFO_ALGORITHMS` / `--algorithms`, comma-separated, default `ES256`. */
  readonly algorithms: readonly string[];
  /** `TOKENINFO_KEYS_REFRESH_INTERVAL`, default `30s`. */
  readonly keysRefreshInterval: Duration;
  /** `TOKENINFO_UNKNOWN_KEY_REFETCH_INTERVAL`, default `10s`. */
  readonly unknownKeyRefetchInterval: Duration;
  /** `TOKENINFO_CACHE_SIZE`, default `100000` verified tokens. */
  readonly cacheSize: number;
  /** Present when `TOKENINFO_CLIENT_ID` is set; without it revocations are not enforced. */
  readonly revocations: TokeninfoRevocationConfig | undefined;
  /** `TOKENINFO_LOG_LEVEL` / `--log-level`, default `info`. */
  readonly logLevel: string;
  /**
   * The variables whose plain-`http:` URL to a host other than loopback was accepted only because
   * `TOKENINFO_ALLOW_INSECURE_HTTP=true`; the sidecar warns about each at start. Empty otherwise.
   */
  readonly insecureUrls: readonly string[];
}

export class TokeninfoConfigError extends Error {
  override readonly name = "TokeninfoConfigError";
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

const FLAGS = {
  "charter-url": "CHARTER_URL",
  host: "TOKENINFO_HOST",
  port: "TOKENINFO_PORT",
  issuer: "TOKENINFO_ISSUER",
  "jwks-url": "TOKENINFO_JWKS_URL",
  algorithms: "TOKENINFO_ALGORITHMS",
  "log-level": "TOKENINFO_LOG_LEVEL",
  "client-id": "TOKENINFO_CLIENT_ID",
  "client-secret-file": "TOKENINFO_CLIENT_SECRET_FILE",
  "revocation-salt-file": "TOKENINFO_REVOCATION_SALT_FILE",
} as const;

/** The command-line flags, each overriding the environment variable of the same meaning. */
export const TOKENINFO_FLAGS: Readonly<Record<string, string>> = FLAGS;

/**
 * Reads the configuration from the environment and command-line flags (flags win). Files named by
 * `*_FILE` variables are read here; every error names the variable, the value and what is allowed,
 * and never contains a secret.
 */
export function readTokeninfoConfig(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[] = [],
): TokeninfoConfig {
  const merged = { ...env, ...flagsAsEnv(args) };
  const get = (name: string): string | undefined => {
    const value = merged[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const allowInsecure = flag("TOKENINFO_ALLOW_INSECURE_HTTP", get("TOKENINFO_ALLOW_INSECURE_HTTP"));
  const insecureUrls: string[] = [];
  const httpUrl = (name: string, value: string): string => {
    const url = parsedHttpUrl(name, value);
    if (url.protocol === "http:" && !isLoopback(url.hostname)) {
      // Keys, the client secret and the sidecar's bearer token would cross the network in clear text.
      if (!allowInsecure) {
        throw new TokeninfoConfigError(
          `${name} "${value}" uses http: to a host other than loopback; use https:, or set TOKENINFO_ALLOW_INSECURE_HTTP=true to accept clear text`,
        );
      }
      insecureUrls.push(name);
    }
    return value.replace(/\/+$/, "");
  };
  const charterUrl = httpUrl("CHARTER_URL", get("CHARTER_URL") ?? "http://127.0.0.1:8080");
  const issuer = get("TOKENINFO_ISSUER");
  const jwksUrl = optional(get("TOKENINFO_JWKS_URL"), (v) => httpUrl("TOKENINFO_JWKS_URL", v));
  if (jwksUrl !== undefined && issuer === undefined) {
    throw new TokeninfoConfigError("TOKENINFO_JWKS_URL skips discovery, so TOKENINFO_ISSUER must be set too");
  }
  const algorithms = (get("TOKENINFO_ALGORITHMS") ?? "ES256").split(",").map((a) => a.trim());
  for (const alg of algorithms) {
    if (!isVerificationAlgorithm(alg)) {
      throw new TokeninfoConfigError(
        `TOKENINFO_ALGORITHMS contains "${alg}"; allowed are ${VERIFICATION_ALGORITHMS.join(", ")}`,
      );
    }
  }
  const logLevel = get("TOKENINFO_LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new TokeninfoConfigError(
      `TOKENINFO_LOG_LEVEL "${logLevel}" is not one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  const revocations = revocationConfig(get, charterUrl, httpUrl);
  return Object.freeze({
    charterUrl,
    host: get("TOKENINFO_HOST") ?? "127.0.0.1",
    port: integer("TOKENINFO_PORT", get("TOKENINFO_PORT"), 9021, 0, 65535),
    issuer,
    jwksUrl,
    algorithms: Object.freeze(algorithms),
    keysRefreshInterval: duration(
      "TOKENINFO_KEYS_REFRESH_INTERVAL",
      get("TOKENINFO_KEYS_REFRESH_INTERVAL"),
      "30s",
    ),
    unknownKeyRefetchInterval: duration(
      "TOKENINFO_UNKNOWN_KEY_REFETCH_INTERVAL",
      get("TOKENINFO_UNKNOWN_KEY_REFETCH_INTERVAL"),
      "10s",
    ),
    cacheSize: integer("TOKENINFO_CACHE_SIZE", get("TOKENINFO_CACHE_SIZE"), 100_000, 0, 10_000_000),
    revocations,
    logLevel,
    insecureUrls: Object.freeze(insecureUrls),
  });
}

function revocationConfig(
  get: (name: string) => string | undefined,
  charterUrl: string,
  httpUrl: (name: string, value: string) => string,
): TokeninfoRevocationConfig | undefined {
  const clientId = get("TOKENINFO_CLIENT_ID");
  if (clientId === undefined) return undefined;
  const clientSecret = secret(get, "TOKENINFO_CLIENT_SECRET");
  if (clientSecret === undefined) {
    throw new TokeninfoConfigError(
      "TOKENINFO_CLIENT_ID is set, so TOKENINFO_CLIENT_SECRET_FILE (or TOKENINFO_CLIENT_SECRET) must be set too",
    );
  }
  const salt = secret(get, "TOKENINFO_REVOCATION_SALT");
  if (salt === undefined) {
    throw new TokeninfoConfigError(
      "revocations are polled (TOKENINFO_CLIENT_ID is set), so TOKENINFO_REVOCATION_SALT_FILE or TOKENINFO_REVOCATION_SALT must name the server's salt; with another salt no revocation would ever match",
    );
  }
  return Object.freeze({
    clientId,
    clientSecret,
    salt,
    url: httpUrl(
      "TOKENINFO_REVOCATIONS_URL",
      get("TOKENINFO_REVOCATIONS_URL") ?? `${charterUrl}/revocations`,
    ),
    tokenUrl: httpUrl(
      "TOKENINFO_TOKEN_URL",
      get("TOKENINFO_TOKEN_URL") ?? `${charterUrl}/oauth2/access_token`,
    ),
    interval: duration("TOKENINFO_REVOCATIONS_INTERVAL", get("TOKENINFO_REVOCATIONS_INTERVAL"), "10s"),
    tolerance: duration("TOKENINFO_REVOCATIONS_TOLERANCE", get("TOKENINFO_REVOCATIONS_TOLERANCE"), "60s"),
  });
}

/** `<NAME>_FILE` (first line of the file) or `<NAME>`. */
function secret(get: (name: string) => string | undefined, name: string): string | undefined {
  const file = get(`${name}_FILE`);
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new TokeninfoConfigError(
        `${name}_FILE "${file}" cannot be read: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
    const value = text.split(/\r?\n/, 1)[0]?.trim() ?? "";
    if (value === "") throw new TokeninfoConfigError(`${name}_FILE "${file}" is empty`);
    return value;
  }
  return get(name);
}

function flagsAsEnv(args: readonly string[]): Record<string, string> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: "string" as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new TokeninfoConfigError((error as Error).message);
  }
  const env: Record<string, string> = {};
  for (const [flag, name] of Object.entries(FLAGS)) {
    const value = values[flag];
    if (typeof value === "string") env[name] = value;
  }
  return env;
}

function parsedHttpUrl(name: string, value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (url?.protocol === "http:" || url?.protocol === "https:") return url;
  throw new TokeninfoConfigError(`${name} "${value}" is not an http(s) URL`);
}

/**
 * Whether a URL's host (as `URL` normalizes it, so `127.1` is `127.0.0.1`) is this machine:
 * `localhost`, 127.0.0.0/8 or `[::1]`. Nothing else may be reached over plain http.
 */
function isLoopback(hostname: string): boolean {
  if (hostname === "localhost" || hostname === "[::1]") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function flag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw new TokeninfoConfigError(`${name} "${value}" is not "true" or "false"`);
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new TokeninfoConfigError(`${name} "${value}" is not an integer from ${min} to ${max}`);
  }
  return n;
}

function duration(name: string, value: string | undefined, fallback: string): Duration {
  try {
    const parsed = Duration.parse(value ?? fallback);
    if (parsed.milliseconds > 0) return parsed;
  } catch {}
  throw new TokeninfoConfigError(`${name} "${value}" is not a positive duration such as "30s" or "5m"`);
}

function optional<T>(value: string | undefined, map: (v: string) => T): T | undefined {
  return value === undefined ? undefined : map(value);
}

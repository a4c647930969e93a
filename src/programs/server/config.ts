import { isAbsolute, join, resolve } from "node:path";
import { Duration } from "../../core/index.js";

/** Everything the control plane reads from its environment, validated once and frozen. */
export interface ServerConfig {
  /** `CHARTER_DATA_DIR`, default `./.charter`: PGlite files, the master key, the admin password. */
  readonly dataDir: string;
  /** `DATABASE_URL`: PostgreSQL for production; unset means embedded PGlite in the data directory. */
  readonly databaseUrl: string | undefined;
  /** `CHARTER_HOST`, default `127.0.0.1`. */
  readonly host: string;
  /** `CHARTER_PORT`, default `8080`. */
  readonly port: number;
  /** `CHARTER_PUBLIC_URL`, default `http://<host>:<port>`: the token issuer and the links Charter gives out. */
  readonly publicUrl: string;
  /** `CHARTER_ADMIN_PASSWORD`: the first start's admin password; generated when unset. */
  readonly adminPassword: string | undefined;
  /** `CHARTER_LOG_LEVEL`, default `info`. */
  readonly logLevel: string;
  /** `CHARTER_MASTER_KEY_FILE`, default `<data dir>/master.key`. */
  readonly masterKeyFile: string;
  /** `CHARTER_SIGNING_ALG`, default `ES256` (also `ES384`, `RS256`). */
  readonly signingAlg: "ES256" | "ES384" | "RS256";
  /** `CHARTER_KEY_ROTATION`, default `24h`. */
  readonly keyRotation: Duration;
  /** `CHARTER_TOKEN_LIFETIME_SERVICES`, default `1h`. */
  readonly serviceTokenLifetime: Duration;
  /** `CHARTER_TOKEN_LIFETIME_EMPLOYEES`, default `8h`. */
  readonly employeeTokenLifetime: Duration;
  /** `CHARTER_REVOCATION_SALT`: salt of revocation hashes; default a random value kept in the data directory. */
  readonly revocationSalt: string | undefined;
  /** `CHARTER_BODY_LIMIT`, default `1048576` bytes (API bodies; registry uploads are streamed). */
  readonly bodyLimit: number;
  /** `CHARTER_REGISTRY_ANONYMOUS_PULL`, default `false`: pulls without credentials. */
  readonly registryAnonymousPull: boolean;
  /** `CHARTER_REGISTRY_MUTABLE_TAGS`: a regular expression of tags that may move (for example `-SNAPSHOT$`); default none. */
  readonly registryMutableTags: RegExp | undefined;
  /** `CHARTER_REGISTRY_UPLOAD_TTL`, default `24h`: unfinished uploads (and unreferenced blobs) are kept this long. */
  readonly registryUploadTtl: Duration;
  /** `CHARTER_S3_BUCKET`: keep blobs in this S3 bucket; unset means files in `<data dir>/objects`. */
  readonly s3Bucket: string | undefined;
  /** `CHARTER_S3_PREFIX`, default none: a key prefix inside the bucket. */
  readonly s3Prefix: string;
  /** `CHARTER_S3_REGION`: the bucket's region; default the AWS SDK's (AWS_REGION). */
  readonly s3Region: string | undefined;
  /** `CHARTER_S3_ENDPOINT`: an S3-compatible endpoint instead of AWS (path-style addressing). */
  readonly s3Endpoint: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const ALGS = ["ES256", "ES384", "RS256"] as const;

/** Reads and validates the server's configuration; every message names the variable, value and what is allowed. */
export function readServerConfig(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ServerConfig {
  const dataDir = resolve(cwd, env.CHARTER_DATA_DIR ?? ".charter");
  const host = env.CHARTER_HOST ?? "127.0.0.1";
  const port = integer(env, "CHARTER_PORT", 8080, 0, 65535);
  const publicUrl = (
    env.CHARTER_PUBLIC_URL ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`
  ).replace(/\/+$/, "");
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
  } catch {
    throw new ConfigError(`CHARTER_PUBLIC_URL "${publicUrl}" is not an http(s) URL`);
  }
  const databaseUrl = env.DATABASE_URL === "" ? undefined : env.DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must start with postgres:// or postgresql://");
  }
  const logLevel = env.CHARTER_LOG_LEVEL ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`CHARTER_LOG_LEVEL "${logLevel}" is not one of ${LOG_LEVELS.join(", ")}`);
  }
  const signingAlg = (env.CHARTER_SIGNING_ALG ?? "ES256") as ServerConfig["signingAlg"];
  if (!ALGS.includes(signingAlg)) {
    throw new ConfigError(`CHARTER_SIGNING_ALG "${signingAlg}" is not one of ${ALGS.join(", ")}`);
  }
  const adminPassword = env.CHARTER_ADMIN_PASSWORD === "" ? undefined : env.CHARTER_ADMIN_PASSWORD;
  if (adminPassword !== undefined && adminPassword.length < 12) {
    throw new ConfigError("CHARTER_ADMIN_PASSWORD must be at least 12 characters long");
  }
  const masterKeyFile = env.CHARTER_MASTER_KEY_FILE ?? join(dataDir, "master.key");
  return Object.freeze({
    dataDir,
    databaseUrl,
    host,
    port,
    publicUrl,
    adminPassword,
    logLevel,
    masterKeyFile: isAbsolute(masterKeyFile) ? masterKeyFile : resolve(cwd, masterKeyFile),
    signingAlg,
    keyRotation: duration(env, "CHARTER_KEY_ROTATION", "24h"),
    serviceTokenLifetime: duration(env, "CHARTER_TOKEN_LIFETIME_SERVICES", "1h"),
    employeeTokenLifetime: duration(env, "CHARTER_TOKEN_LIFETIME_EMPLOYEES", "8h"),
    revocationSalt: env.CHARTER_REVOCATION_SALT === "" ? undefined : env.CHARTER_REVOCATION_SALT,
    bodyLimit: integer(env, "CHARTER_BODY_LIMIT", 1024 * 1024, 1024, 64 * 1024 * 1024),
    registryAnonymousPull: boolean(env, "CHARTER_REGISTRY_ANONYMOUS_PULL", false),
    registryMutableTags: pattern(env, "CHARTER_REGISTRY_MUTABLE_TAGS"),
    registryUploadTtl: duration(env, "CHARTER_REGISTRY_UPLOAD_TTL", "24h"),
    s3Bucket: nonEmpty(env.CHARTER_S3_BUCKET),
    s3Prefix: (env.CHARTER_S3_PREFIX ?? "").replace(/^\/+|\/+$/g, "").replace(/.+/, "$&/"),
    s3Region: nonEmpty(env.CHARTER_S3_REGION),
    s3Endpoint: nonEmpty(env.CHARTER_S3_ENDPOINT),
  });
}

const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value);

function boolean(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: boolean,
): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new ConfigError(`${name} "${raw}" must be true or false`);
}

function pattern(env: Readonly<Record<string, string | undefined>>, name: string): RegExp | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  try {
    return new RegExp(raw);
  } catch {
    throw new ConfigError(`${name} "${raw}" is not a regular expression`);
  }
}

function integer(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} "${raw}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

function duration(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: string,
): Duration {
  const raw = env[name];
  try {
    const value = Duration.parse(raw === undefined || raw === "" ? fallback : raw);
    if (value.milliseconds < 1_000) throw new Error();
    return value;
  } catch {
    throw new ConfigError(`${name} "${raw}" is not a duration of at least 1s, such as "30m", "8h" or "1d"`);
  }
}

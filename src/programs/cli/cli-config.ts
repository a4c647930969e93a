import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { usageError } from "./cli-error.js";

/** The server `charter` talks to when neither `--server` nor `CHARTER_URL` names one. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:8080";

/** What the CLI reads from its flags and environment, validated once and frozen. */
export interface CliConfig {
  /** `--server` or `CHARTER_URL`, default `http://127.0.0.1:8080`; normalised (no trailing slash). */
  readonly server: string;
  /** `CHARTER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/charter`, else `~/.config/charter`. */
  readonly configDir: string;
  /** `CHARTER_USER`: the user `login --password-stdin` logs in as when `--user` is not given. */
  readonly user: string | undefined;
  /** `CHARTER_TOKEN`: an access token to use instead of the cached one (for CI and scripts). */
  readonly token: string | undefined;
  /** `DOCKER_CONFIG`, else `~/.docker`: where Docker keeps `config.json` (for `charter image login`). */
  readonly dockerConfigDir: string;
  /** The directories of `PATH`, to tell whether Docker will find the credential helper. */
  readonly executablePath: readonly string[];
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads the CLI's configuration. Every message names the flag or variable, the bad value and what is
 * allowed, and exits with the usage code.
 */
export function readCliConfig(env: Environment, flags: { readonly server?: string | undefined }): CliConfig {
  const fromFlag = flags.server !== undefined;
  const raw = flags.server ?? nonEmpty(env.CHARTER_URL) ?? DEFAULT_SERVER_URL;
  const server = normalizeServerUrl(raw, fromFlag ? "--server" : "CHARTER_URL");
  return Object.freeze({
    server,
    configDir: configDirOf(env),
    user: nonEmpty(env.CHARTER_USER),
    token: nonEmpty(env.CHARTER_TOKEN),
    dockerConfigDir: dockerConfigDirOf(env),
    executablePath: Object.freeze((env.PATH ?? "").split(delimiter).filter((dir) => dir !== "")),
  });
}

/**
 * The canonical form of a server URL, which also keys the token cache: scheme, host and port as the
 * WHATWG URL parser writes them, and a path without a trailing slash.
 */
export function normalizeServerUrl(raw: string, source = "server URL"): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`${source} "${raw}" is not a URL; use one like ${DEFAULT_SERVER_URL}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(`${source} "${raw}" must use http or https`);
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw usageError(`${source} "${raw}" must not carry credentials, a query or a fragment`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function configDirOf(env: Environment): string {
  const explicit = nonEmpty(env.CHARTER_CONFIG_DIR);
  if (explicit !== undefined) {
    if (!isAbsolute(explicit)) throw usageError(`CHARTER_CONFIG_DIR "${explicit}" must be an absolute path`);
    return explicit;
  }
  // The XDG base directory specification says relative values are invalid and must be ignored.
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, "charter");
  return join(nonEmpty(env.HOME) ?? homedir(), ".config", "charter");
}

function dockerConfigDirOf(env: Environment): string {
  // Docker takes DOCKER_CONFIG as given, relative to the working directory.
  const explicit = nonEmpty(env.DOCKER_CONFIG);
  if (explicit !== undefined) return resolve(explicit);
  return join(nonEmpty(env.HOME) ?? homedir(), ".docker");
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

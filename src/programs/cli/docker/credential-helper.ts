// Straight from the modules, not core/index.js: that one also loads Fastify, and Docker starts the
// helper for every pull and push.
import { type Clock, systemClock } from "../../../core/clock.js";
import { accessTokenFor } from "../auth/access-token.js";
import { isFresh, TOKEN_MINIMUM_VALIDITY, TokenCache } from "../auth/token-cache.js";
import { type CliConfig, readCliConfig } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { describeError } from "../output/describe-error.js";
import { packageVersion } from "../version.js";
import { hostOfServerAddress, registryHostOf } from "./registry-host.js";

/** The program Docker runs for `"credHelpers": { "<host>": "charter" }`. */
export const CREDENTIAL_HELPER_PROGRAM = "docker-credential-charter";

/** The user name of the registry's HTTP Basic authentication; the password is an access token. */
export const REGISTRY_USERNAME = "oauth2";

/**
 * The answer Docker recognises as "no credentials for this host" (it then goes on without); the
 * protocol compares the whole of standard output with it.
 */
export const CREDENTIALS_NOT_FOUND = "credentials not found in native keychain";

const MAX_INPUT = 64 * 1024;
const USAGE = `Usage: ${CREDENTIAL_HELPER_PROGRAM} <store|get|erase|list|version>`;

/** A helper failure: `output` goes to stdout for Docker, `explanation` to stderr for a person. */
class HelperFailure extends Error {
  constructor(
    readonly output: string,
    readonly explanation?: string,
  ) {
    super(output);
  }
}

/**
 * Runs the Docker credential helper protocol (github.com/docker/docker-credential-helpers): the
 * action is the only argument, input comes on stdin, answers and errors go to stdout, and a failure
 * exits 1. Credentials come from `charter login`'s token cache (or `CHARTER_TOKEN` for the server of
 * `CHARTER_URL`), and only for the host of a server the CLI is logged in to; tokens are never stored
 * here, so `store` and `erase` change nothing.
 *
 * @example
 * echo 127.0.0.1:8080 | docker-credential-charter get
 * // {"ServerURL":"127.0.0.1:8080","Username":"oauth2","Secret":"eyJ…"}
 */
export async function runCredentialHelper(argv: readonly string[], io: CliIo): Promise<number> {
  const clock = io.clock ?? systemClock;
  try {
    const [action, ...rest] = argv;
    if (action === undefined || rest.length > 0) throw new HelperFailure(USAGE);
    switch (action) {
      case "get":
        return await get(io, clock);
      case "list":
        return await list(io, clock);
      case "store":
        return await store(io);
      case "erase":
        return await erase(io);
      case "version":
        io.stdout.write(`${CREDENTIAL_HELPER_PROGRAM} (charter) ${packageVersion()}\n`);
        return 0;
      default:
        throw new HelperFailure(`Unknown credential action \`${action}\``, USAGE);
    }
  } catch (error) {
    const failure = error instanceof HelperFailure ? error : new HelperFailure(describeError(error).message);
    io.stdout.write(`${failure.output}\n`);
    if (failure.explanation !== undefined)
      io.stderr.write(`${CREDENTIAL_HELPER_PROGRAM}: ${failure.explanation}\n`);
    return 1;
  }
}

async function get(io: CliIo, clock: Clock): Promise<number> {
  const address = (await readInput(io)).trim();
  const host = hostOfServerAddress(address);
  if (host === "") throw new HelperFailure("no credentials server URL");
  const config = readCliConfig(io.env, {});
  const cache = new TokenCache(config.configDir);
  const server = await serverFor(host, config, cache);
  if (server === undefined) {
    throw new HelperFailure(
      CREDENTIALS_NOT_FOUND,
      `not logged in to a Charter server at ${host}; run "charter --server <its URL> login"`,
    );
  }
  let token: string;
  try {
    // CHARTER_TOKEN belongs to CHARTER_URL's server only. The token goes to Docker, which may use
    // it for a long pull: hand it over only with time left, as `charter token` does.
    ({ token } = await accessTokenFor(
      { ...config, server, token: server === config.server ? config.token : undefined },
      cache,
      clock,
      TOKEN_MINIMUM_VALIDITY,
    ));
  } catch (error) {
    const { message } = describeError(error);
    throw new HelperFailure(message, message);
  }
  io.stdout.write(`${JSON.stringify({ ServerURL: address, Username: REGISTRY_USERNAME, Secret: token })}\n`);
  return 0;
}

async function list(io: CliIo, clock: Clock): Promise<number> {
  const config = readCliConfig(io.env, {});
  const hosts: Record<string, string> = {};
  for (const server of await loggedInServers(config, new TokenCache(config.configDir), clock)) {
    hosts[registryHostOf(server)] = REGISTRY_USERNAME;
  }
  io.stdout.write(`${JSON.stringify(hosts)}\n`);
  return 0;
}

async function store(io: CliIo): Promise<number> {
  const input = await readInput(io);
  let server = "the registry";
  try {
    const credentials = JSON.parse(input) as { ServerURL?: unknown };
    if (typeof credentials.ServerURL === "string") server = hostOfServerAddress(credentials.ServerURL);
  } catch {
    // Nothing is stored either way; the input only names the host in the message.
  }
  io.stderr.write(
    `${CREDENTIAL_HELPER_PROGRAM}: not storing credentials for ${server}: Charter's registry uses the token of "charter login"\n`,
  );
  return 0;
}

async function erase(io: CliIo): Promise<number> {
  const host = hostOfServerAddress(await readInput(io));
  io.stderr.write(
    `${CREDENTIAL_HELPER_PROGRAM}: nothing to erase for ${host || "the registry"}: run "charter logout" to forget the token\n`,
  );
  return 0;
}

/**
 * The server whose token answers for `host`: only servers the CLI is logged in to. When several
 * share the host, the one of `CHARTER_URL` wins, then the one whose token lasts longest.
 */
async function serverFor(host: string, config: CliConfig, cache: TokenCache): Promise<string | undefined> {
  if (config.token !== undefined && sameHost(config.server, host)) return config.server;
  const matches = (await cache.entries()).filter(([server]) => sameHost(server, host));
  if (matches.some(([server]) => server === config.server)) return config.server;
  // An expired login still answers, so that the user is told to log in again instead of getting
  // an anonymous "unauthorized" from the registry.
  const byExpiry = [...matches].sort(([, a], [, b]) => Date.parse(b.expires_at) - Date.parse(a.expires_at));
  return byExpiry[0]?.[0];
}

async function loggedInServers(config: CliConfig, cache: TokenCache, clock: Clock): Promise<string[]> {
  const servers = (await cache.entries())
    .filter(([, token]) => isFresh(token, clock, TOKEN_MINIMUM_VALIDITY))
    .map(([server]) => server);
  if (config.token !== undefined) servers.unshift(config.server);
  return servers;
}

function sameHost(server: string, host: string): boolean {
  try {
    return registryHostOf(server).toLowerCase() === host;
  } catch {
    return false;
  }
}

async function readInput(io: CliIo): Promise<string> {
  let text = "";
  for await (const chunk of io.stdin) {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    if (text.length > MAX_INPUT) throw new HelperFailure(`more than ${MAX_INPUT} bytes on standard input`);
  }
  return text;
}

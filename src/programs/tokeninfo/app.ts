import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import {
  type Clock,
  createLogger,
  Duration,
  httpServerFactory,
  type Logger,
  systemClock,
} from "../../core/index.js";
import {
  fetchOpenIdConfiguration,
  JwksKeySource,
  jwksFromUrl,
  PLAN_B_DEFAULT_SALT,
  RevocationList,
  RevocationRefresher,
  revocationFeedFromUrl,
  type TokenVerification,
  TokenVerifier,
  tokeninfoHttp,
  tokeninfoLane,
  VerificationErrors,
} from "../../tokens/index.js";
import { ClientCredentialsToken } from "./client-credentials-token.js";
import type { TokeninfoConfig } from "./config.js";

/** What the sidecar takes from outside; tests pass stubs, the program the real ones. */
export interface TokeninfoDependencies {
  /** Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: a pino logger at `config.logLevel` on standard output. */
  readonly logger?: Logger;
}

/** The sidecar, built but not listening. */
export interface TokeninfoSidecar {
  readonly app: FastifyInstance;
  /** Keys are held (and revocations loaded, when configured): `/health` answers 200. */
  readonly ready: boolean;
  /** Starts loading keys and revocations in the background; resolves after the first attempt. */
  start(): Promise<void>;
  /** Stops the background loads and closes the HTTP server. */
  close(): Promise<void>;
}

/** A listening sidecar. */
export interface RunningTokeninfo extends TokeninfoSidecar {
  /** Where it listens, such as `http://127.0.0.1:9021`. */
  readonly url: string;
}

interface Counters {
  valid: number;
  invalid: number;
}

/**
 * Builds the `charter tokeninfo` sidecar from a frozen configuration: `GET /oauth2/tokeninfo`
 * (Plan B), `GET /health` (503 until keys are held), `GET /oauth2/connect/keys` (the keys it
 * verifies with) and `GET /metrics`. No request is logged, so no token reaches a log line.
 */
export function buildTokeninfoApp(
  config: TokeninfoConfig,
  deps: TokeninfoDependencies = {},
): TokeninfoSidecar {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const http = { ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }), timeout: Duration.seconds(5) };

  let discoveredIssuer: string | undefined;
  const fetchKeys =
    config.jwksUrl !== undefined
      ? jwksFromUrl(config.jwksUrl, http)
      : async () => {
          const discovery = await fetchOpenIdConfiguration(config.charterUrl, http);
          discoveredIssuer = discovery.issuer;
          return jwksFromUrl(discovery.jwksUri, http)();
        };
  const reported = new Set<string>();
  const keys = new JwksKeySource({
    fetchKeys,
    clock,
    refreshInterval: config.keysRefreshInterval,
    unknownKeyRefetchInterval: config.unknownKeyRefetchInterval,
    onError: (error) =>
      logger.warn({ err: messageOf(error) }, "could not load the signing keys; keeping the last ones"),
    onRejectedKey: (kid, reason) => {
      const key = `${kid}:${reason}`;
      if (reported.has(key)) return;
      reported.add(key);
      logger.warn({ kid, reason }, "ignoring a published key");
    },
  });

  const revocations = revocationsOf(config, clock, logger, deps.fetch);
  let verifier: TokenVerifier | undefined;
  const currentVerifier = (): TokenVerifier | undefined => {
    if (verifier !== undefined) return verifier;
    const issuer = config.issuer ?? discoveredIssuer;
    if (issuer === undefined || !keys.ready || (revocations !== undefined && !revocations.refresher.loaded)) {
      return undefined;
    }
    if (config.issuer !== undefined && discoveredIssuer !== undefined && config.issuer !== discoveredIssuer) {
      logger.warn(
        { expected: config.issuer, discovered: discoveredIssuer },
        "TOKENINFO_ISSUER differs from the issuer Charter announces; tokens will be checked against TOKENINFO_ISSUER",
      );
    }
    verifier = new TokenVerifier({
      keys,
      issuer,
      algorithms: config.algorithms,
      clock,
      cacheSize: config.cacheSize,
      ...(revocations === undefined ? {} : { revocations: revocations.list }),
    });
    logger.info({ issuer, keys: keys.size }, "tokeninfo is ready");
    return verifier;
  };

  const counters: Counters = { valid: 0, invalid: 0 };
  const verification: TokenVerification = {
    async verify(token) {
      const current = verifier ?? currentVerifier();
      try {
        if (current === undefined)
          throw VerificationErrors.TOKENS_UNKNOWN_KEY("no signing keys are loaded yet");
        const verified = await current.verify(token);
        counters.valid++;
        return verified;
      } catch (error) {
        counters.invalid++;
        throw error;
      }
    },
  };

  const onRequestError = (error: unknown) => logger.error({ err: messageOf(error) }, "request failed");
  const app = Fastify({
    logger: false,
    return503OnClosing: true,
    serverFactory: httpServerFactory({
      fastLanes: [tokeninfoLane(verification, { clock, onError: onRequestError })],
      onFastLaneError: onRequestError,
    }),
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500) onRequestError(error);
    return reply.status(status).send({ error: status === 500 ? "server_error" : "invalid_request" });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: "not_found" }));
  void app.register(tokeninfoHttp(verification, { clock }));
  app.get("/health", async (_request, reply) => {
    const ready = currentVerifier() !== undefined;
    return reply.status(ready ? 200 : 503).send({
      status: ready ? "ok" : "starting",
      keys: keys.size,
      revocations:
        revocations === undefined ? "disabled" : revocations.refresher.loaded ? "loaded" : "pending",
    });
  });
  app.get("/oauth2/connect/keys", async (_request, reply) =>
    reply.header("cache-control", "max-age=30").send(keys.document),
  );
  app.get("/metrics", async (_request, reply) =>
    reply.type("text/plain; version=0.0.4").send(metricsText(counters, keys, verifier, revocations?.list)),
  );

  let starting: Promise<void> | undefined;
  const start = async (): Promise<void> => {
    if (config.insecureUrls.length > 0) {
      logger.warn(
        { variables: config.insecureUrls },
        `INSECURE HTTP: ${config.insecureUrls.join(", ")} reach a host other than loopback over plain http (TOKENINFO_ALLOW_INSECURE_HTTP=true); signing keys, the client secret and tokens travel in clear text and can be read or replaced on the way`,
      );
    }
    if (revocations === undefined) {
      logger.warn(
        "REVOCATIONS ARE NOT ENFORCED: set TOKENINFO_CLIENT_ID, TOKENINFO_CLIENT_SECRET_FILE and TOKENINFO_REVOCATION_SALT_FILE so that revoked tokens are refused",
      );
    } else if (config.revocations?.salt === PLAN_B_DEFAULT_SALT) {
      logger.warn(
        "the revocation salt is Plan B's public default; configure the server and sidecar with a secret one",
      );
    }
    await Promise.all([keys.start(), revocations?.refresher.start()]);
    currentVerifier();
  };
  return {
    app,
    get ready() {
      return currentVerifier() !== undefined;
    },
    start() {
      // Callers fire and forget this; a rejection would be unhandled and end the process.
      starting ??= start().catch((error: unknown) => {
        logger.error({ err: messageOf(error) }, "tokeninfo could not start its background loads");
      });
      return starting;
    },
    async close() {
      keys.stop();
      revocations?.refresher.stop();
      await app.close();
    },
  };
}

/**
 * Builds the sidecar, listens on `config.host:config.port` and starts loading keys. This is what
 * `charter tokeninfo` runs.
 *
 * @example
 * const sidecar = await startTokeninfo(readTokeninfoConfig(process.env, process.argv.slice(2)));
 */
export async function startTokeninfo(
  config: TokeninfoConfig,
  deps: TokeninfoDependencies = {},
): Promise<RunningTokeninfo> {
  const sidecar = buildTokeninfoApp(config, deps);
  const address = await sidecar.app.listen({ host: config.host, port: config.port });
  // The first loads run in the background: /health says 503 until they succeed.
  void sidecar.start();
  return {
    app: sidecar.app,
    url: address,
    get ready() {
      return sidecar.ready;
    },
    start: () => sidecar.start(),
    close: () => sidecar.close(),
  };
}

function revocationsOf(
  config: TokeninfoConfig,
  clock: Clock,
  logger: Logger,
  fetch: typeof globalThis.fetch | undefined,
): { list: RevocationList; refresher: RevocationRefresher } | undefined {
  const settings = config.revocations;
  if (settings === undefined) return undefined;
  const list = new RevocationList({ salt: settings.salt });
  const credentials = new ClientCredentialsToken({
    tokenUrl: settings.tokenUrl,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    clock,
    ...(fetch === undefined ? {} : { fetch }),
  });
  const refresher = new RevocationRefresher({
    list,
    clock,
    interval: settings.interval,
    tolerance: settings.tolerance,
    fetchFeed: revocationFeedFromUrl(settings.url, {
      credentials,
      ...(fetch === undefined ? {} : { fetch }),
    }),
    onError: (error) =>
      logger.warn({ err: messageOf(error) }, "could not poll revocations; keeping the last ones"),
  });
  return { list, refresher };
}

function metricsText(
  counters: Counters,
  keys: JwksKeySource,
  verifier: TokenVerifier | undefined,
  list: RevocationList | undefined,
): string {
  return [
    "# HELP charter_tokeninfo_requests_total Tokens inspected, by outcome.",
    "# TYPE charter_tokeninfo_requests_total counter",
    `charter_tokeninfo_requests_total{outcome="valid"} ${counters.valid}`,
    `charter_tokeninfo_requests_total{outcome="invalid"} ${counters.invalid}`,
    "# HELP charter_tokeninfo_keys Signing keys held.",
    "# TYPE charter_tokeninfo_keys gauge",
    `charter_tokeninfo_keys ${keys.size}`,
    "# HELP charter_tokeninfo_cached_tokens Verified tokens cached.",
    "# TYPE charter_tokeninfo_cached_tokens gauge",
    `charter_tokeninfo_cached_tokens ${verifier?.cacheSize ?? 0}`,
    "# HELP charter_tokeninfo_revocations Revocations held.",
    "# TYPE charter_tokeninfo_revocations gauge",
    `charter_tokeninfo_revocations ${list?.size ?? 0}`,
    "",
  ].join("\n");
}

/** Only the message: errors from fetch name URLs, never tokens or secrets. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

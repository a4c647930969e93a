import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import swaggerUi from "@fastify/swagger-ui";
import { AppsService, AuthorizedAppsService, appsHttp } from "../../apps/index.js";
import {
  AuditCheckpointer,
  AuditLog,
  AuditService,
  AuthorizedAuditService,
  auditHttp,
} from "../../audit/index.js";
import { FileObjectStore, FileSecretBox, type ObjectStore, S3ObjectStore } from "../../cloud/index.js";
import {
  type Authenticate,
  type Clock,
  CoreErrors,
  createHttpApp,
  createLogger,
  type HttpApp,
  isCharterError,
  type Logger,
  requestIdOf,
  SYSTEM_ACTOR,
  systemClock,
} from "../../core/index.js";
import {
  type Database,
  type DatabaseEngine,
  type DatabaseHandle,
  migrateToLatest,
  openDatabase,
} from "../../db/index.js";
import {
  AuthorizedIdentityService,
  CLI_CLIENT_ID,
  IdentityService,
  identityHttp,
} from "../../identity/index.js";
import {
  AuthorizedImagesService,
  BlobStorage,
  GarbageCollector,
  IMAGES_SCOPES,
  ImagesService,
  imagesHttp,
  ociHttp,
  ProvenanceScanner,
  RegistryAccess,
  RegistryAuth,
  RegistryService,
} from "../../images/index.js";
import {
  AuthorizedRevocationService,
  AuthorizedScopeRegistry,
  authenticateWith,
  bootstrapScopes,
  createTokenProvider,
  JwksKeySource,
  OAUTH_PATHS,
  oauthHttp,
  REGISTRY_TOKEN_TYPE,
  RegistryTokenIssuer,
  RevocationList,
  RevocationRefresher,
  RevocationService,
  revocationsHttp,
  ScopeRegistry,
  SIGNING_ALGORITHMS,
  scopesHttp,
  type TokenProvider,
  TokenVerifier,
  tokenEndpointFastPath,
  tokeninfoHttp,
} from "../../tokens/index.js";
import type { ServerConfig } from "./config.js";
import { ConfigError } from "./config.js";
import { CONSOLE_CLIENT_ID, CONSOLE_CLIENT_NAME, consoleHttp, consoleRedirectUri } from "./console-http.js";
import { HttpMetrics } from "./http-metrics.js";
import { installOperations } from "./operations-http.js";

export interface BuildOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The admin password the first start gives `admin`. */
  readonly adminPassword: string;
  /** An already open database (tests pass a migrated PGlite clone); default from the config. */
  readonly database?: DatabaseHandle;
}

export interface CharterServer {
  readonly app: HttpApp;
  readonly db: Database;
  readonly engine: DatabaseEngine;
  readonly identity: IdentityService;
  readonly tokens: TokenProvider;
  /** True when this start created the first team, the admin and the CLI client. */
  readonly bootstrapped: boolean;
  close(): Promise<void>;
}

/** Redirect URIs of the public `charter-cli` client; RFC 8252 lets the loopback port vary. */
export const CLI_REDIRECT_URIS = ["http://127.0.0.1/callback"];

/**
 * Builds the control plane: opens and migrates the database, assembles every part in dependency
 * order, registers their routes, and starts the background jobs. Does not listen.
 */
export async function buildServer(config: ServerConfig, options: BuildOptions): Promise<CharterServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const handle = options.database ?? (await openConfiguredDatabase(config));
  const { db } = handle;
  const stops: Array<() => Promise<void> | void> = [];
  try {
    if (options.database === undefined) await migrateToLatest(db);
    const secretBox = await FileSecretBox.openOrCreate(config.masterKeyFile);

    const checkpointer = new AuditCheckpointer({ db, secretBox, clock, logger });
    const audit = new AuditLog({ clock, checkpointer });

    // Identity validates granted scopes against the registry, and the registry refuses to delete a
    // granted scope by asking identity: each reaches the other through a port.
    let identity: IdentityService | undefined;
    const registry = new ScopeRegistry({
      db,
      audit,
      clock,
      grants: { countScopeGrants: (scope) => identity!.countScopeGrants(scope) },
    });
    // The token endpoint caches client authentications for a few seconds; a change on this replica
    // clears the entry at once (other replicas' entries expire within their TTL).
    let tokens: TokenProvider | undefined;
    let revocations: RevocationService | undefined;
    identity = new IdentityService({
      db,
      audit,
      scopes: registry,
      clock,
      onClientChanged: (clientId) => tokens?.invalidateClient(clientId),
      // A disabled person, a deleted client, a withdrawn scope: the tokens they hold end now.
      onSubjectInvalidated: ({ realm, sub }) => {
        revocations
          ?.revoke(SYSTEM_ACTOR, { type: "CLAIM", data: { claims: { sub, realm } } })
          .catch((error: unknown) => logger.error({ err: error, sub, realm }, "revoking tokens failed"));
      },
    });

    await bootstrapScopes(registry, [IMAGES_SCOPES]);
    const { created: bootstrapped } = await identity.bootstrap({
      adminPassword: options.adminPassword,
      cliRedirectUris: CLI_REDIRECT_URIS,
    });
    await ensureConsoleClient(identity, config.publicUrl, logger);

    tokens = createTokenProvider({
      db,
      secretBox,
      credentials: identity,
      audit,
      issuer: config.publicUrl,
      algorithm: config.signingAlg,
      lifetimes: { services: config.serviceTokenLifetime, employees: config.employeeTokenLifetime },
      rotationInterval: config.keyRotation,
      scopeNames: () => registry.listScopeNames(),
      tokeninfoEndpoint: `${config.publicUrl}/oauth2/tokeninfo`,
      revocationEndpoint: `${config.publicUrl}/revocations`,
      clock,
      logger,
    });
    await tokens.start();
    stops.push(() => tokens.stop());

    const revocationList = new RevocationList({ salt: await revocationSalt(config) });
    revocations = new RevocationService({ db, audit, list: revocationList, clock });
    // Revocations made on this replica apply at once; the refresher picks up the other replicas'.
    const refresher = new RevocationRefresher({
      list: revocationList,
      fetchFeed: (from) => revocations.feed(from),
      clock,
      onError: (error) => logger.warn({ err: error }, "revocation refresh failed"),
    });
    await refresher.start();
    stops.push(() => refresher.stop());

    const keys = new JwksKeySource({
      fetchKeys: tokens.publishedJwks,
      clock,
      onError: (error) => logger.warn({ err: error }, "signing key reload failed"),
    });
    await keys.start();
    stops.push(() => keys.stop());
    const verifier = new TokenVerifier({
      keys,
      issuer: config.publicUrl,
      // Every algorithm the server may have signed with: after CHARTER_SIGNING_ALG changes, keys of
      // the old algorithm keep signing until they retire.
      algorithms: SIGNING_ALGORITHMS,
      revocations: revocationList,
      clock,
    });

    const metrics = new HttpMetrics();
    const app = await createHttpApp({
      logger,
      authenticate: apiAuthentication(authenticateWith(verifier), logger),
      bodyLimit: config.bodyLimit,
      publicPathPrefixes: ["/docs"],
      fastPaths: [
        tokenEndpointFastPath(tokens.tokenEndpoint, {
          requestId: requestIdOf,
          onServerError: (error, reqId) => logger.error({ err: error, reqId }, "token request failed"),
          onAnswered: (status, seconds) => metrics.observe("POST", OAUTH_PATHS.token, status, seconds),
        }),
      ],
    });
    installOperations(app, db, metrics);
    await app.register(swaggerUi, { routePrefix: "/docs" });
    app.get(
      "/openapi.json",
      { config: { public: true }, schema: { hide: true } },
      async () => app.swagger() as unknown as Record<string, unknown>,
    );
    await app.register(oauthHttp(tokens));
    await app.register(tokeninfoHttp(verifier, { clock }));
    await app.register(revocationsHttp(new AuthorizedRevocationService(revocations, { verifier })));
    await app.register(scopesHttp({ registry: new AuthorizedScopeRegistry(registry) }));
    await app.register(identityHttp({ identity: new AuthorizedIdentityService(identity) }));
    const apps = new AppsService({ db, audit, clock });
    await app.register(appsHttp({ apps: new AuthorizedAppsService(apps, identity) }));
    stops.push(
      ...(await installRegistry(app, {
        config,
        db,
        audit,
        clock,
        logger,
        identity,
        tokens,
        verifier,
        revocationList,
        keys,
      })),
    );
    await app.register(auditHttp({ audit: new AuthorizedAuditService(new AuditService({ db, clock })) }));
    await app.register(consoleHttp());
    await app.ready();

    checkpointer.start();
    stops.push(() => checkpointer.stop());

    return {
      app,
      db,
      engine: handle.engine,
      identity,
      tokens,
      bootstrapped,
      close: async () => {
        await app.close();
        for (const stop of stops.reverse()) await stop();
        if (options.database === undefined) await handle.close();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    if (options.database === undefined) await handle.close();
    throw error;
  }
}

interface RegistryDeps {
  readonly config: ServerConfig;
  readonly db: Database;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly identity: IdentityService;
  readonly tokens: TokenProvider;
  readonly verifier: TokenVerifier;
  readonly revocationList: RevocationList;
  readonly keys: JwksKeySource;
}

/**
 * The image registry: OCI at `/v2/` with its token endpoint, `/api/images`, the provenance scanner
 * and the garbage collector. Returns what must be stopped on close.
 */
async function installRegistry(app: HttpApp, deps: RegistryDeps): Promise<Array<() => Promise<void>>> {
  const { config, db, audit, clock, logger, identity, tokens, verifier } = deps;
  const blobs = new BlobStorage(await openObjectStore(config));
  const scanner = new ProvenanceScanner({ db, blobs, audit, logger });
  const registry = new RegistryService({
    db,
    blobs,
    audit,
    clock,
    ...(config.registryMutableTags === undefined ? {} : { mutableTags: config.registryMutableTags }),
    onProvenancePending: scanner.notify,
  });
  const access = new RegistryAccess({ membership: identity, anonymousPull: config.registryAnonymousPull });
  const registryVerifier = new TokenVerifier({
    keys: deps.keys,
    issuer: config.publicUrl,
    algorithms: SIGNING_ALGORITHMS,
    revocations: deps.revocationList,
    clock,
    tokenType: REGISTRY_TOKEN_TYPE,
  });
  const registryHost = new URL(config.publicUrl).host;
  const auth = new RegistryAuth({
    accessTokens: verifier,
    registryTokens: registryVerifier,
    access,
    service: registryHost,
    realm: `${config.publicUrl}/v2/token`,
  });
  await app.register(
    ociHttp({
      registry,
      auth,
      tokens: new RegistryTokenIssuer({ keys: tokens.keys, issuer: config.publicUrl, clock }),
    }),
  );
  await app.register(
    imagesHttp({
      images: new AuthorizedImagesService(new ImagesService({ db, audit, clock }), access),
      registryHost,
    }),
  );
  const collector = new GarbageCollector({
    db,
    blobs,
    clock,
    logger,
    uploadTtl: config.registryUploadTtl,
    blobGrace: config.registryUploadTtl,
  });
  collector.start();
  // Images pushed before a restart may still wait for their layers to be read.
  scanner.notify();
  return [() => collector.stop(), () => scanner.stop()];
}

async function openObjectStore(config: ServerConfig): Promise<ObjectStore> {
  if (config.s3Bucket === undefined) return FileObjectStore.open(join(config.dataDir, "objects"));
  const client = new S3Client({
    ...(config.s3Region === undefined ? {} : { region: config.s3Region }),
    ...(config.s3Endpoint === undefined ? {} : { endpoint: config.s3Endpoint, forcePathStyle: true }),
  });
  return new S3ObjectStore({ client, bucket: config.s3Bucket, prefix: config.s3Prefix });
}

/**
 * API callers learn only that their token is not valid; the reason (expired, revoked, bad signature)
 * goes to the debug log, since telling it would help someone probing with tokens not their own.
 */
function apiAuthentication(authenticate: Authenticate, logger: Logger): Authenticate {
  return async (token) => {
    try {
      return await authenticate(token);
    } catch (error) {
      if (!isCharterError(error) || error.kind === "internal") throw error;
      logger.debug({ code: error.code }, "access token refused");
      throw CoreErrors.CORE_UNAUTHENTICATED("the access token is not valid");
    }
  };
}

/**
 * The console's public client follows the public URL, so every start sets its redirect URI. A
 * public URL no authorization server may redirect to (plain http beyond loopback) only disables the
 * console's login; the API keeps working.
 */
async function ensureConsoleClient(identity: IdentityService, publicUrl: string, logger: Logger) {
  try {
    await identity.ensurePublicClient(CONSOLE_CLIENT_ID, CONSOLE_CLIENT_NAME, [
      consoleRedirectUri(publicUrl),
    ]);
  } catch (error) {
    if (!isCharterError(error) || error.code !== "IDENTITY_REDIRECT_URI_INVALID") throw error;
    logger.warn(
      { public_url: publicUrl },
      "the console cannot log in: its redirect URI must be https or http on 127.0.0.1 / [::1]",
    );
  }
}

async function openConfiguredDatabase(config: ServerConfig): Promise<DatabaseHandle> {
  if (config.databaseUrl !== undefined) return openDatabase({ url: config.databaseUrl });
  return openDatabase({ dataDir: join(config.dataDir, "pglite") });
}

/**
 * The salt of revocation hashes. Replicas must share it, so on PostgreSQL it must be configured; the
 * embedded server keeps a random one in its data directory.
 */
async function revocationSalt(config: ServerConfig): Promise<string> {
  if (config.revocationSalt !== undefined) return config.revocationSalt;
  if (config.databaseUrl !== undefined) {
    throw new ConfigError(
      "CHARTER_REVOCATION_SALT is required with DATABASE_URL, so every replica hashes alike",
    );
  }
  const file = join(config.dataDir, "revocation-salt");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const salt = randomBytes(24).toString("base64url");
  await writeFile(file, `${salt}\n`, { mode: 0o600, flag: "wx" });
  return salt;
}

export { CLI_CLIENT_ID };

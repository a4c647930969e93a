import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger } from "../../core/index.js";
import { buildServer, type CharterServer } from "./app.js";
import { ConfigError, readServerConfig } from "./config.js";

export interface RunningServer {
  readonly url: string;
  readonly server: CharterServer;
  stop(): Promise<void>;
}

/**
 * Starts the control plane from environment variables: the program behind `npm start` and
 * `charter server`. On the first start it prints the generated admin password once (to standard
 * output, never to the log) and writes it to `<data dir>/admin-password` with mode 0600.
 */
export async function runServer(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): Promise<RunningServer> {
  const config = readServerConfig(env, cwd);
  const logger = createLogger({ level: config.logLevel });
  const generated = config.adminPassword === undefined ? randomBytes(18).toString("base64url") : undefined;
  const server = await buildServer(config, { logger, adminPassword: config.adminPassword ?? generated! });
  if (server.bootstrapped && generated !== undefined) {
    const file = join(config.dataDir, "admin-password");
    await writeFile(file, `${generated}\n`, { mode: 0o600 });
    process.stdout.write(
      `\nCharter created the person "admin" (team "platform").\n` +
        `  password: ${generated}\n` +
        `  also written to ${file} (mode 0600); it is not shown again.\n\n`,
    );
  }
  if (config.host !== "127.0.0.1" && config.host !== "::1" && config.host !== "localhost") {
    logger.warn(
      { host: config.host },
      "listening beyond loopback; put TLS in front (CHARTER_PUBLIC_URL https://…)",
    );
  }
  const url = await server.app.listen({ host: config.host, port: config.port });
  logger.info({ url, engine: server.engine, data_dir: config.dataDir }, "charter server listening");
  return { url, server, stop: () => server.close() };
}

async function main(): Promise<void> {
  try {
    const running = await runServer(process.env);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`charter server: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`charter server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createLogger } from "../../src/core/index.js";
import { buildServer, type CharterServer } from "../../src/programs/server/app.js";
import { readServerConfig } from "../../src/programs/server/config.js";
import { createTestDatabase } from "./database.js";

export const TEST_ADMIN_PASSWORD = "correct horse battery staple";

export interface TestServer {
  readonly server: CharterServer;
  /** Everything the server logged, one JSON line each. */
  readonly log: () => string;
  close(): Promise<void>;
}

/** A whole control plane on a fresh PGlite clone, with its log captured; not listening. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "charter-test-"));
  const database = await createTestDatabase();
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const config = readServerConfig(
    { CHARTER_DATA_DIR: dataDir, CHARTER_PUBLIC_URL: "http://127.0.0.1:8080", ...env },
    dataDir,
  );
  const server = await buildServer(config, {
    adminPassword: TEST_ADMIN_PASSWORD,
    database,
    logger: createLogger({ level: "info", destination }),
  });
  return {
    server,
    log: () => lines.join(""),
    close: async () => {
      await server.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An access token for a person, through the real token endpoint. */
export async function passwordToken(
  server: CharterServer,
  username: string,
  password: string,
  scope?: string,
): Promise<string> {
  const response = await server.app.inject({
    method: "POST",
    url: "/oauth2/access_token",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({
      grant_type: "password",
      username,
      password,
      client_id: "charter-cli",
      ...(scope === undefined ? {} : { scope }),
    }).toString(),
  });
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.body}`);
  return response.json().access_token as string;
}

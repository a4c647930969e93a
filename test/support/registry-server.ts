import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { startTestServer, type TestServer } from "./server.js";

export const run = promisify(execFile);

/** A free loopback port: the registry's public URL must name the port it listens on. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface RegistryServer extends TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, as docker and skopeo name the registry. */
  readonly host: string;
}

/** A whole control plane listening on a free loopback port, so real clients (skopeo) can talk to it. */
export async function startRegistryServer(env: Record<string, string> = {}): Promise<RegistryServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const test = await startTestServer({ CHARTER_PUBLIC_URL: url, ...env });
  await test.server.app.listen({ host: "127.0.0.1", port });
  return { ...test, url, host: `127.0.0.1:${port}` };
}

/**
 * Runs skopeo against the registry: plain http on loopback (`--tls-verify=false`) and no signature
 * policy file (`--insecure-policy`); the tests check digests themselves.
 */
export async function skopeo(args: readonly string[], options: { timeout?: number } = {}) {
  return run("skopeo", ["--insecure-policy", ...args], {
    timeout: options.timeout ?? 120_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, HOME: process.env.HOME ?? "/tmp" },
  });
}

/**
 * The real `charter` CLI against a real control plane: the server program started from its
 * environment (embedded PGlite in a temporary data directory) on a loopback port, and the CLI run
 * in-process through `runCli`, so its output and exit codes can be read. The browser of the
 * authorization code login is simulated with fetch: load the login form, post it, follow the
 * redirect to the CLI's loopback listener.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/programs/cli/cli-error.js";
import { runCli } from "../../src/programs/cli/run-cli.js";
import { type MemoryIoOptions, memoryIo } from "../../src/programs/cli/testing/memory-io.js";

const root = resolve(import.meta.dirname, "../..");
const serverReady = existsSync(join(root, "src/programs/server/app.ts"));
const ADMIN_PASSWORD = "e2e-admin-password-0123";
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

let dir: string;
let url: string;
let stop: (() => Promise<void>) | undefined;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

/** Runs the CLI against the e2e server with the e2e token cache. */
async function charter(argv: string[], options: MemoryIoOptions = {}) {
  const io = memoryIo({
    ...options,
    env: { CHARTER_URL: url, CHARTER_CONFIG_DIR: join(dir, "config"), ...options.env },
  });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

function decodeHtml(text: string): string {
  return text.replace(/&(#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) =>
    entity.startsWith("#")
      ? String.fromCharCode(Number(entity.slice(1)))
      : ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[entity]!,
  );
}

/** What a person does in the browser: open the login form, sign in, and be sent back to the CLI. */
async function signInWithBrowser(authorizeUrl: string, username: string, password: string): Promise<void> {
  const form = await fetch(authorizeUrl, { redirect: "manual" });
  expect(form.status).toBe(200);
  const cookie = form.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const html = await form.text();
  const action = decodeHtml(/<form[^>]*\saction="([^"]+)"/.exec(html)![1]!);
  const formToken = decodeHtml(/name="form_token" value="([^"]*)"/.exec(html)![1]!);
  const posted = await fetch(action, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ form_token: formToken, username, password }),
  });
  expect(posted.status).toBe(303);
  const back = await fetch(posted.headers.get("location")!);
  expect(back.status).toBe(200);
}

describe.skipIf(!serverReady)("charter CLI against a real server", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "charter-e2e-cli-"));
    const port = await freePort();
    const { runServer } = await import("../../src/programs/server/main.js");
    const running = await runServer(
      {
        CHARTER_DATA_DIR: join(dir, "data"),
        CHARTER_HOST: "127.0.0.1",
        CHARTER_PORT: String(port),
        CHARTER_ADMIN_PASSWORD: ADMIN_PASSWORD,
        CHARTER_LOG_LEVEL: "silent",
      },
      dir,
    );
    url = running.url.replace("localhost", "127.0.0.1");
    stop = () => running.stop();
  });
  afterAll(async () => {
    await stop?.();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("needs a login first (exit 4)", async () => {
    const { code, stderr } = await charter(["team", "list"]);
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toContain("charter login");
  });

  it("refuses a wrong password (exit 4)", async () => {
    const { code, stderr } = await charter(["login", "--password-stdin", "--user", "admin"], {
      stdin: "not-the-password\n",
    });
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toMatch(/^charter: login failed: .* \(invalid_grant\)\n$/);
  });

  it("logs in with --password-stdin, after which `charter token` prints a JWT", async () => {
    const login = await charter(["login", "--password-stdin", "--user", "admin", "--json"], {
      stdin: `${ADMIN_PASSWORD}\n`,
    });
    expect(login.code).toBe(ExitCode.ok);
    expect(JSON.parse(login.stdout)).toMatchObject({ server: url, sub: "admin" });
    const token = await charter(["token"]);
    expect(token.code).toBe(ExitCode.ok);
    expect(token.stdout.trim()).toMatch(JWT);
  });

  it("creates a team and adds a member", async () => {
    const created = await charter(["team", "create", "e2e-team", "--name", "End to end", "--json"]);
    expect(created.code).toBe(ExitCode.ok);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: "e2e-team", name: "End to end" });
    expect((await charter(["team", "member", "add", "e2e-team", "admin"])).code).toBe(ExitCode.ok);
    const shown = await charter(["team", "show", "e2e-team", "--json"]);
    expect(JSON.parse(shown.stdout).members).toContain("admin");
    const listed = await charter(["team", "list"]);
    expect(listed.stdout).toMatch(/^ID\s+NAME/);
    expect(listed.stdout).toContain("e2e-team");
    const duplicate = await charter(["team", "create", "e2e-team", "--name", "Again"]);
    expect(duplicate.code).toBe(ExitCode.error);
    expect(duplicate.stderr).toMatch(/^charter: .+ \([A-Z_]+\)\n$/);
  });

  it("creates a confidential client whose secret is shown once, and rotates it", async () => {
    const created = await charter([
      "client",
      "create",
      "e2e-svc",
      "--team",
      "e2e-team",
      "--name",
      "Svc",
      "--json",
    ]);
    expect(created.code).toBe(ExitCode.ok);
    const client = JSON.parse(created.stdout);
    expect(client).toMatchObject({ id: "e2e-svc", team_id: "e2e-team", confidential: true });
    expect(typeof client.client_secret).toBe("string");
    expect(created.stderr).toContain("shown only once");
    const shown = await charter(["client", "show", "e2e-svc", "--json"]);
    expect(JSON.parse(shown.stdout).client_secret).toBeUndefined();
    const rotated = await charter(["client", "rotate-secret", "e2e-svc", "--yes", "--json"]);
    expect(rotated.code).toBe(ExitCode.ok);
    expect(JSON.parse(rotated.stdout).client_secret).not.toBe(client.client_secret);
  });

  it("registers a scope and grants it to a person and a client", async () => {
    expect((await charter(["scope", "type", "create", "e2e-orders", "--name", "Orders"])).code).toBe(
      ExitCode.ok,
    );
    expect((await charter(["scope", "create", "e2e-orders.read", "--description", "Read orders"])).code).toBe(
      ExitCode.ok,
    );
    expect((await charter(["scope", "list"])).stdout).toContain("e2e-orders.read");
    const jane = await charter(
      ["user", "create", "jane", "--name", "Jane Doe", "--email", "jane@example.com", "--password-stdin"],
      { stdin: "jane-password-0123\n" },
    );
    expect(jane.code).toBe(ExitCode.ok);
    const granted = await charter(["user", "update", "jane", "--scopes", "e2e-orders.read", "--json"]);
    expect(JSON.parse(granted.stdout).scopes).toEqual(["e2e-orders.read"]);
    const client = await charter(["client", "update", "e2e-svc", "--scopes", "e2e-orders.read", "--json"]);
    expect(JSON.parse(client.stdout).scopes).toEqual(["e2e-orders.read"]);
  });

  it("logs in through the browser with the authorization code flow and PKCE", async () => {
    const env = { CHARTER_CONFIG_DIR: join(dir, "config-jane") };
    const { code, stderr } = await charter(["login"], {
      env,
      openBrowser: (authorizeUrl) => signInWithBrowser(authorizeUrl, "jane", "jane-password-0123"),
    });
    expect(code).toBe(ExitCode.ok);
    expect(stderr).toContain(`${url}/oauth2/authorize?`);
    const token = await charter(["token", "--json"], { env });
    expect(JSON.parse(token.stdout)).toMatchObject({ sub: "jane", scope: ["e2e-orders.read"] });
    expect(JSON.parse(token.stdout).access_token).toMatch(JWT);
  });

  it("lists the audit trail of what was done and verifies the chain", async () => {
    const listed = await charter(["audit", "list", "--action", "team.*", "--json"]);
    expect(listed.code).toBe(ExitCode.ok);
    expect(JSON.parse(listed.stdout).items.map((e: { target: string }) => e.target)).toContain(
      "team/e2e-team",
    );
    const verified = await charter(["audit", "verify"]);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(ExitCode.ok);
    expect(verified.stdout).toMatch(/^ok: \d+ entries/);
  });

  it("deletes with --yes, and logs out", async () => {
    expect((await charter(["client", "delete", "e2e-svc"])).code).toBe(ExitCode.usage);
    expect((await charter(["client", "delete", "e2e-svc", "--yes"])).code).toBe(ExitCode.ok);
    expect((await charter(["client", "show", "e2e-svc"])).code).toBe(ExitCode.error);
    expect((await charter(["logout"])).code).toBe(ExitCode.ok);
    expect((await charter(["token"])).code).toBe(ExitCode.auth);
  });

  const bin = join(root, "dist/src/programs/cli/main.js");
  it.skipIf(!existsSync(bin))("runs as the built bin", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [bin, "--help"], {
      env: { ...process.env, CHARTER_URL: url },
    });
    expect(stdout).toContain("Usage: charter");
    const failed = await run(process.execPath, [bin, "token"], {
      env: { ...process.env, CHARTER_URL: url, CHARTER_CONFIG_DIR: join(dir, "empty"), CHARTER_TOKEN: "" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: ExitCode.auth });
  });
});

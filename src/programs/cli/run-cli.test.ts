import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../core/index.js";
import { TokenCache } from "./auth/token-cache.js";
import { ExitCode } from "./cli-error.js";
import { runCli } from "./run-cli.js";
import { type MemoryIoOptions, memoryIo } from "./testing/memory-io.js";
import { type StubAnswer, type StubApi, type StubRequest, startStubApi } from "./testing/stub-api.js";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

let configDir: string;
let stub: StubApi;
let answer: (request: StubRequest) => StubAnswer;

beforeAll(async () => {
  stub = await startStubApi((request) => answer(request));
});
afterAll(() => stub.close());

beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), "charter-cli-"));
  stub.requests.length = 0;
  answer = () => ({ status: 204 });
});
afterEach(() => rm(configDir, { recursive: true, force: true }));

/** Runs the CLI against the stub with a token in CHARTER_TOKEN unless `env` says otherwise. */
async function cli(argv: string[], options: MemoryIoOptions = {}) {
  const io = memoryIo({
    clock: new ManualClock(NOW),
    ...options,
    env: {
      CHARTER_URL: stub.url,
      CHARTER_CONFIG_DIR: configDir,
      CHARTER_TOKEN: "test-token",
      ...options.env,
    },
  });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

/** A JWT-shaped token whose payload carries these claims (the CLI reads, never verifies, them). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "ES256", kid: "k1" })}.${part(claims)}.c2lnbmF0dXJl`;
}

const problem = (status: number, code: string, detail: string): StubAnswer => ({
  status,
  json: { type: `https://charter.dev/errors#${code.toLowerCase()}`, title: "t", status, detail, code },
});

describe("usage", () => {
  it("prints help with exit 0", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toContain("Usage: charter");
    expect(stdout).toContain("team");
  });

  it("prints the version", async () => {
    const { code, stdout } = await cli(["--version"]);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 with a one-line charter: error for an unknown command or a missing option", async () => {
    const unknown = await cli(["teams", "list"]);
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toMatch(/^charter: unknown command 'teams'/);
    const missing = await cli(["team", "create", "platform"]);
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toMatch(/^charter: required option '--name <name>' not specified/);
    expect(stub.requests).toHaveLength(0);
  });

  it("exits 2 for a bad option value and for a group without a verb", async () => {
    expect((await cli(["team", "list", "--limit", "0"])).code).toBe(ExitCode.usage);
    expect((await cli(["team"])).code).toBe(ExitCode.usage);
    expect((await cli(["team", "update", "platform"])).stderr).toBe(
      "charter: nothing to update: give --name, --description or --aws-accounts\n",
    );
  });

  it("hands tokeninfo's own flags to the sidecar, whose configuration errors are usage errors", async () => {
    const { code, stderr } = await cli(["tokeninfo", "--port", "not-a-port"]);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toMatch(/^charter: .*port/i);
  });

  it("exits 2 for a bad --server", async () => {
    const { code, stderr } = await cli(["team", "list", "--server", "ftp://x"]);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toBe('charter: --server "ftp://x" must use http or https\n');
  });
});

describe("API errors", () => {
  it("prints the problem document's detail and code, exit 1", async () => {
    answer = () => problem(404, "IDENTITY_TEAM_NOT_FOUND", 'team "x" does not exist');
    const { code, stderr, stdout } = await cli(["team", "show", "x"]);
    expect(code).toBe(ExitCode.error);
    expect(stderr).toBe('charter: team "x" does not exist (IDENTITY_TEAM_NOT_FOUND)\n');
    expect(stdout).toBe("");
  });

  it("asks to log in again on 401, exit 4", async () => {
    answer = () => problem(401, "CORE_UNAUTHENTICATED", "the token has expired");
    const { code, stderr } = await cli(["team", "list"]);
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toContain('run "charter login"');
  });

  it("says which server cannot be reached", async () => {
    const closed = await startStubApi(() => ({ status: 204 }));
    await closed.close();
    const { code, stderr } = await cli(["team", "list", "--server", closed.url]);
    expect(code).toBe(ExitCode.error);
    expect(stderr).toBe(
      `charter: cannot reach ${closed.url} (ECONNREFUSED); is the server running? Set --server or CHARTER_URL\n`,
    );
  });
});

describe("authentication", () => {
  async function cache(expiresInMs: number): Promise<string> {
    const token = jwt({
      sub: "admin",
      exp: Math.floor((NOW + expiresInMs) / 1000),
      scope: ["charter.admin"],
    });
    await new TokenCache(configDir).put(stub.url, {
      access_token: token,
      token_type: "Bearer",
      expires_at: new Date(NOW + expiresInMs).toISOString(),
      scope: ["charter.admin"],
      sub: "admin",
      obtained_at: new Date(NOW).toISOString(),
    });
    return token;
  }

  it("exits 4 when not logged in", async () => {
    const { code, stderr } = await cli(["token"], { env: { CHARTER_TOKEN: undefined } });
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toBe(`charter: not logged in to ${stub.url}; run "charter login"\n`);
    expect((await cli(["team", "list"], { env: { CHARTER_TOKEN: undefined } })).code).toBe(ExitCode.auth);
  });

  it("prints the cached token while more than 5 minutes are left", async () => {
    const token = await cache(5 * 60_000 + 1_000);
    const { code, stdout } = await cli(["token"], { env: { CHARTER_TOKEN: undefined } });
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toBe(`${token}\n`);
  });

  it("asks for a new login when less than 5 minutes are left, but API calls still use the token", async () => {
    const token = await cache(4 * 60_000);
    const { code, stderr } = await cli(["token"], { env: { CHARTER_TOKEN: undefined } });
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toContain("expires in less than 5m");
    answer = () => ({ status: 200, json: { items: [], next_cursor: null } });
    expect((await cli(["team", "list"], { env: { CHARTER_TOKEN: undefined } })).code).toBe(ExitCode.ok);
    expect(stub.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("keeps tokens per server", async () => {
    await cache(60 * 60_000);
    const other = await cli(["token", "--server", "http://127.0.0.1:1"], {
      env: { CHARTER_TOKEN: undefined },
    });
    expect(other.code).toBe(ExitCode.auth);
  });

  it("logs in with --password-stdin, keeps the token, and logs out", async () => {
    const token = jwt({ sub: "admin", exp: Math.floor(NOW / 1000) + 3600, scope: ["charter.admin"] });
    answer = () => ({ status: 200, json: { access_token: token, token_type: "Bearer", expires_in: 3600 } });
    const env = { CHARTER_TOKEN: undefined };
    const login = await cli(["login", "--password-stdin", "--user", "admin"], {
      stdin: "s3cret-password\n",
      env,
    });
    expect(login.code).toBe(ExitCode.ok);
    expect(login.stderr).toContain("Logged in to");
    expect(login.stdout).toBe("");
    const sent = stub.requests[0]!;
    expect(sent.path).toBe("/oauth2/access_token");
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
      grant_type: "password",
      username: "admin",
      password: "s3cret-password",
      client_id: "charter-cli",
    });
    expect((await cli(["token"], { env })).stdout).toBe(`${token}\n`);
    expect((await cli(["logout"], { env })).stderr).toBe(`Logged out of ${stub.url}.\n`);
    expect((await cli(["token"], { env })).code).toBe(ExitCode.auth);
  });

  it("takes the login user from CHARTER_USER, and needs one", async () => {
    expect((await cli(["login", "--password-stdin"], { stdin: "pw" })).code).toBe(ExitCode.usage);
    answer = () => ({ status: 200, json: { access_token: "opaque", expires_in: 60, scope: "a b" } });
    const { code } = await cli(["login", "--password-stdin", "--scope", "a,b"], {
      stdin: "pw",
      env: { CHARTER_USER: "jane" },
    });
    expect(code).toBe(ExitCode.ok);
    const form = new URLSearchParams(stub.requests[0]!.body);
    expect(form.get("username")).toBe("jane");
    expect(form.get("scope")).toBe("a b");
  });

  it("reports refused credentials with the OAuth error, exit 4", async () => {
    answer = () => ({
      status: 400,
      json: { error: "invalid_grant", error_description: "wrong user or password" },
    });
    const { code, stderr } = await cli(["login", "--password-stdin", "--user", "admin"], { stdin: "bad" });
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toBe("charter: login failed: wrong user or password (invalid_grant)\n");
  });
});

describe("browser login", () => {
  function tokenEndpoint(token: string) {
    return (request: StubRequest): StubAnswer =>
      request.path === "/oauth2/access_token"
        ? { status: 200, json: { access_token: token, token_type: "Bearer", expires_in: 3600 } }
        : { status: 404 };
  }

  it("sends an S256 challenge, receives the code on the loopback listener and exchanges it with the verifier", async () => {
    const token = jwt({ sub: "jane", exp: Math.floor(NOW / 1000) + 3600, scope: [] });
    answer = tokenEndpoint(token);
    let authorize: URL | undefined;
    const { code, stderr } = await cli(["login"], {
      env: { CHARTER_TOKEN: undefined },
      openBrowser: async (url) => {
        authorize = new URL(url);
        const redirect = new URL(authorize.searchParams.get("redirect_uri")!);
        redirect.searchParams.set("code", "the-code");
        redirect.searchParams.set("state", authorize.searchParams.get("state")!);
        const page = await fetch(redirect);
        expect(page.status).toBe(200);
      },
    });
    expect(code).toBe(ExitCode.ok);
    expect(authorize?.pathname).toBe("/oauth2/authorize");
    const params = Object.fromEntries(authorize!.searchParams);
    expect(params).toMatchObject({
      response_type: "code",
      client_id: "charter-cli",
      code_challenge_method: "S256",
    });
    expect(params.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(stderr).toContain(authorize!.href);
    const form = new URLSearchParams(stub.requests[0]!.body);
    expect(form.get("grant_type")).toBe("authorization_code");
    expect(form.get("code")).toBe("the-code");
    expect(form.get("redirect_uri")).toBe(params.redirect_uri);
    const { s256Challenge } = await import("./auth/pkce.js");
    expect(s256Challenge(form.get("code_verifier")!)).toBe(params.code_challenge);
    expect((await cli(["token"], { env: { CHARTER_TOKEN: undefined } })).stdout).toBe(`${token}\n`);
  });

  it("aborts when the answer carries another state, exit 4", async () => {
    answer = tokenEndpoint("unused");
    const { code, stderr } = await cli(["login"], {
      openBrowser: async (url) => {
        const redirect = new URL(new URL(url).searchParams.get("redirect_uri")!);
        redirect.searchParams.set("code", "c");
        redirect.searchParams.set("state", "forged");
        expect((await fetch(redirect)).status).toBe(400);
      },
    });
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toContain("wrong state");
    expect(stub.requests).toHaveLength(0);
  });

  it("passes on the server's refusal", async () => {
    const { code, stderr } = await cli(["login"], {
      openBrowser: async (url) => {
        const authorize = new URL(url);
        const redirect = new URL(authorize.searchParams.get("redirect_uri")!);
        redirect.searchParams.set("error", "access_denied");
        redirect.searchParams.set("state", authorize.searchParams.get("state")!);
        await fetch(redirect);
      },
    });
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toContain("(access_denied)");
  });

  it("gives up when the browser does not come back in time, and still prints the URL", async () => {
    const { Duration } = await import("../../core/index.js");
    const { code, stderr } = await cli(["login"], {
      loginTimeout: Duration.milliseconds(100),
      openBrowser: () => Promise.reject(new Error("no browser here")),
    });
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toContain("/oauth2/authorize?");
    expect(stderr).toContain("no answer from the browser within 100ms");
  });
});

describe("teams", () => {
  const team = {
    id: "platform",
    name: "Platform",
    description: "Runs Charter",
    aws_accounts: ["123456789012"],
  };

  it("lists teams as a table, with the next page on stderr", async () => {
    answer = () => ({ status: 200, json: { items: [team], next_cursor: "cGxhdGZvcm0" } });
    const { code, stdout, stderr } = await cli(["team", "list", "--member", "jane", "--limit", "1"]);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toBe(
      "ID        NAME      AWS ACCOUNTS  DESCRIPTION\nplatform  Platform  123456789012  Runs Charter\n",
    );
    expect(stderr).toBe("more teams: add --cursor cGxhdGZvcm0\n");
    const sent = stub.requests[0]!;
    expect(sent.path).toBe("/api/teams");
    expect(Object.fromEntries(sent.query)).toEqual({ member: "jane", limit: "1" });
    expect(sent.headers.authorization).toBe("Bearer test-token");
  });

  it("prints exactly what the API answered with --json", async () => {
    const page = { items: [team], next_cursor: null };
    answer = () => ({ status: 200, json: page });
    const { stdout } = await cli(["team", "list", "--json"]);
    expect(JSON.parse(stdout)).toEqual(page);
  });

  it("creates a team with the documented body", async () => {
    answer = () => ({ status: 201, json: team });
    const { code } = await cli([
      "team",
      "create",
      "platform",
      "--name",
      "Platform",
      "--aws-accounts",
      "123456789012, 210987654321",
    ]);
    expect(code).toBe(ExitCode.ok);
    expect(stub.requests[0]).toMatchObject({ method: "POST", path: "/api/teams" });
    expect(JSON.parse(stub.requests[0]!.body)).toEqual({
      id: "platform",
      name: "Platform",
      aws_accounts: ["123456789012", "210987654321"],
    });
  });

  it("removes a description with an empty --description", async () => {
    answer = () => ({ status: 200, json: team });
    await cli(["team", "update", "platform", "--description", ""]);
    expect(JSON.parse(stub.requests[0]!.body)).toEqual({ description: null });
  });

  it("adds and removes members with encoded path segments", async () => {
    expect((await cli(["team", "member", "add", "platform", "jane.doe"])).code).toBe(ExitCode.ok);
    expect((await cli(["team", "member", "remove", "platform", "a/b"])).code).toBe(ExitCode.ok);
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "PUT /api/teams/platform/members/jane.doe",
      "DELETE /api/teams/platform/members/a%2Fb",
    ]);
  });

  it("needs --yes to delete when stdin is not a terminal", async () => {
    const refused = await cli(["team", "delete", "platform"]);
    expect(refused.code).toBe(ExitCode.usage);
    expect(refused.stderr).toBe(
      "charter: Delete team platform: pass --yes to confirm when standard input is not a terminal\n",
    );
    expect(stub.requests).toHaveLength(0);
    expect((await cli(["team", "delete", "platform", "--yes"])).code).toBe(ExitCode.ok);
    expect(stub.requests[0]).toMatchObject({ method: "DELETE", path: "/api/teams/platform" });
  });

  it("asks y/N on a terminal", async () => {
    const no = await cli(["team", "delete", "platform"], { stdin: "n\n", stdinIsTTY: true });
    expect(no.code).toBe(ExitCode.usage);
    expect(no.stderr).toBe("Delete team platform? [y/N] charter: cancelled\n");
    expect(stub.requests).toHaveLength(0);
    const yes = await cli(["team", "delete", "platform"], { stdin: "y\n", stdinIsTTY: true });
    expect(yes.code).toBe(ExitCode.ok);
    expect(stub.requests).toHaveLength(1);
  });
});

describe("users", () => {
  const user = {
    id: "jane",
    name: "Jane",
    email: "jane@example.com",
    scopes: [],
    disabled: false,
    teams: [],
  };

  it("reads the new user's password from stdin only", async () => {
    const refused = await cli(["user", "create", "jane", "--name", "Jane", "--email", "jane@example.com"]);
    expect(refused.code).toBe(ExitCode.usage);
    answer = () => ({ status: 201, json: user });
    const { code } = await cli(
      [
        "user",
        "create",
        "jane",
        "--name",
        "Jane",
        "--email",
        "jane@example.com",
        "--password-stdin",
        "--scopes",
        "a.b",
      ],
      { stdin: "correct horse battery\n" },
    );
    expect(code).toBe(ExitCode.ok);
    expect(JSON.parse(stub.requests[0]!.body)).toEqual({
      id: "jane",
      name: "Jane",
      email: "jane@example.com",
      password: "correct horse battery",
      scopes: ["a.b"],
    });
  });

  it("grants scopes by replacing the set, and takes them all away with an empty list", async () => {
    answer = () => ({ status: 200, json: user });
    await cli(["user", "update", "jane", "--scopes", "charter.admin,sales.read"]);
    await cli(["user", "update", "jane", "--scopes", "", "--disable"]);
    expect(stub.requests.map((r) => JSON.parse(r.body))).toEqual([
      { scopes: ["charter.admin", "sales.read"] },
      { scopes: [], disabled: true },
    ]);
    expect((await cli(["user", "update", "jane", "--disable", "--enable"])).code).toBe(ExitCode.usage);
  });
});

describe("clients", () => {
  const client = {
    id: "billing",
    team_id: "platform",
    name: "Billing",
    description: "",
    confidential: true,
    redirect_uris: [],
    scopes: ["sales.read"],
  };

  it("creates a client and shows its secret once, with the warning on stderr", async () => {
    answer = () => ({ status: 201, json: { ...client, client_secret: "s3cr3t" } });
    const { code, stdout, stderr } = await cli([
      "client",
      "create",
      "billing",
      "--team",
      "platform",
      "--name",
      "Billing",
      "--redirect-uri",
      "https://a.example/cb",
      "--redirect-uri",
      "https://b.example/cb",
      "--scopes",
      "sales.read",
    ]);
    expect(code).toBe(ExitCode.ok);
    expect(JSON.parse(stub.requests[0]!.body)).toEqual({
      id: "billing",
      team_id: "platform",
      name: "Billing",
      confidential: true,
      redirect_uris: ["https://a.example/cb", "https://b.example/cb"],
      scopes: ["sales.read"],
    });
    expect(stdout).toContain("client_secret: s3cr3t\n");
    expect(stderr).toContain("shown only once");
    expect(stderr).not.toContain("s3cr3t");
  });

  it("prints the secret in the JSON answer, and still warns on stderr", async () => {
    answer = () => ({ status: 201, json: { ...client, client_secret: "s3cr3t" } });
    const { stdout, stderr } = await cli([
      "client",
      "create",
      "billing",
      "--team",
      "platform",
      "--name",
      "B",
      "--json",
    ]);
    expect(JSON.parse(stdout).client_secret).toBe("s3cr3t");
    expect(stderr).toContain("shown only once");
  });

  it("creates public clients without a secret", async () => {
    answer = () => ({ status: 201, json: { ...client, confidential: false } });
    await cli(["client", "create", "spa", "--team", "platform", "--name", "SPA", "--public"]);
    expect(JSON.parse(stub.requests[0]!.body).confidential).toBe(false);
  });

  it("rotates a secret after confirmation", async () => {
    answer = () => ({ status: 200, json: { ...client, client_secret: "n3w" } });
    expect((await cli(["client", "rotate-secret", "billing"])).code).toBe(ExitCode.usage);
    const { code, stdout } = await cli(["client", "rotate-secret", "billing", "--yes"]);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toBe("client_secret: n3w\n");
    expect(stub.requests[0]).toMatchObject({ method: "POST", path: "/api/clients/billing/secret" });
  });
});

describe("scopes", () => {
  it("creates and deletes a scope by its full name", async () => {
    answer = () => ({ status: 200, json: {} });
    await cli(["scope", "create", "sales-order.read", "--description", "Read orders"]);
    await cli(["scope", "delete", "sales-order.read", "--yes"]);
    expect(stub.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      'PUT /api/resource-types/sales-order/scopes/read {"description":"Read orders"}',
      "DELETE /api/resource-types/sales-order/scopes/read ",
    ]);
  });

  it("rejects a name without a resource type", async () => {
    const { code, stderr } = await cli(["scope", "create", "read", "--description", "Read"]);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toContain("is not a scope name");
  });

  it("lists scope names", async () => {
    answer = () => ({ status: 200, json: ["charter.admin", "sales-order.read"] });
    expect((await cli(["scope", "list"])).stdout).toBe("SCOPE\ncharter.admin\nsales-order.read\n");
  });

  it("lists scopes whether the API pages them or not", async () => {
    answer = () => ({ status: 200, json: [{ name: "charter.admin", description: "Administer Charter" }] });
    expect((await cli(["scope", "list"])).stdout).toBe(
      "SCOPE          DESCRIPTION\ncharter.admin  Administer Charter\n",
    );
  });
});

describe("audit", () => {
  it("lists entries with the filters as query parameters", async () => {
    answer = () => ({
      status: 200,
      json: {
        items: [
          {
            seq: 7,
            at: "2026-01-01T12:00:00.000Z",
            actor_sub: "admin",
            actor_realm: "employees",
            action: "team.create",
            target: "team/platform",
          },
        ],
        next_cursor: 7,
      },
    });
    const { stdout, stderr } = await cli([
      "audit",
      "list",
      "--actor",
      "admin",
      "--action",
      "team.*",
      "--limit",
      "1",
    ]);
    expect(Object.fromEntries(stub.requests[0]!.query)).toEqual({
      actor: "admin",
      action: "team.*",
      limit: "1",
    });
    expect(stdout).toContain("7    2026-01-01T12:00:00.000Z  admin  team.create  team/platform");
    expect(stderr).toBe("more audit entries: add --after-seq 7\n");
  });
});

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../core/clock.js";
import { type CachedToken, TokenCache } from "../auth/token-cache.js";
import { memoryIo } from "../testing/memory-io.js";
import { CREDENTIALS_NOT_FOUND, runCredentialHelper } from "./credential-helper.js";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const SERVER = "http://127.0.0.1:8080";

let configDir: string;
let clock: ManualClock;

beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), "charter-credential-helper-"));
  clock = new ManualClock(NOW);
});
afterEach(() => rm(configDir, { recursive: true, force: true }));

function token(name: string, expiresInMs: number): CachedToken {
  return {
    access_token: `token-${name}`,
    token_type: "Bearer",
    expires_at: new Date(NOW + expiresInMs).toISOString(),
    scope: [],
    sub: "jane",
    obtained_at: new Date(NOW).toISOString(),
  };
}

async function helper(argv: string[], stdin = "", env: Record<string, string> = {}) {
  const io = memoryIo({ stdin, clock, env: { CHARTER_CONFIG_DIR: configDir, HOME: configDir, ...env } });
  const code = await runCredentialHelper(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe("docker-credential-charter get", () => {
  it("answers with oauth2 and the cached access token of the logged-in server", async () => {
    await new TokenCache(configDir).put(SERVER, token("a", 3_600_000));
    const { code, stdout, stderr } = await helper(["get"], "127.0.0.1:8080\n");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(JSON.parse(stdout)).toEqual({
      ServerURL: "127.0.0.1:8080",
      Username: "oauth2",
      Secret: "token-a",
    });
  });

  it("accepts the server as a URL and picks the server by host, whatever CHARTER_URL says", async () => {
    await new TokenCache(configDir).put("https://charter.example.com", token("b", 3_600_000));
    const { code, stdout } = await helper(["get"], "https://charter.example.com/v2/", {
      CHARTER_URL: SERVER,
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      ServerURL: "https://charter.example.com/v2/",
      Secret: "token-b",
    });
  });

  it("answers the protocol's not-found message, exit 1, for any other host", async () => {
    await new TokenCache(configDir).put(SERVER, token("a", 3_600_000));
    const { code, stdout, stderr } = await helper(["get"], "ghcr.io");
    expect(code).toBe(1);
    expect(stdout.trim()).toBe(CREDENTIALS_NOT_FOUND);
    expect(stderr).toContain("not logged in to a Charter server at ghcr.io");
    // Another port of the same address is another registry.
    expect((await helper(["get"], "127.0.0.1:9090")).stdout.trim()).toBe(CREDENTIALS_NOT_FOUND);
  });

  it("answers not found when nobody is logged in", async () => {
    const { code, stdout } = await helper(["get"], "127.0.0.1:8080");
    expect(code).toBe(1);
    expect(stdout.trim()).toBe(CREDENTIALS_NOT_FOUND);
  });

  it("fails, asking for charter login, when the token has expired or is about to", async () => {
    await new TokenCache(configDir).put(SERVER, token("a", 60_000));
    const soon = await helper(["get"], "127.0.0.1:8080");
    expect(soon.code).toBe(1);
    expect(soon.stdout).toMatch(/expires in less than .*; run "charter login"\n$/);
    expect(soon.stdout).not.toContain("token-a");
    clock.advance(120_000);
    const expired = await helper(["get"], "127.0.0.1:8080");
    expect(expired.code).toBe(1);
    expect(expired.stdout).toContain("has expired");
    expect(expired.stderr).toContain('run "charter login"');
  });

  it("uses CHARTER_TOKEN for the host of CHARTER_URL only", async () => {
    const env = { CHARTER_URL: SERVER, CHARTER_TOKEN: "env-token" };
    expect(JSON.parse((await helper(["get"], "127.0.0.1:8080", env)).stdout).Secret).toBe("env-token");
    expect((await helper(["get"], "other:8080", env)).stdout.trim()).toBe(CREDENTIALS_NOT_FOUND);
  });

  it("needs a server URL on stdin", async () => {
    const { code, stdout } = await helper(["get"], "\n");
    expect(code).toBe(1);
    expect(stdout.trim()).toBe("no credentials server URL");
  });
});

describe("docker-credential-charter list, store, erase, version", () => {
  it("lists the hosts of servers with a live login, as oauth2", async () => {
    const cache = new TokenCache(configDir);
    await cache.put(SERVER, token("a", 3_600_000));
    await cache.put("https://old.example.com", token("old", -1000));
    const { code, stdout } = await helper(["list"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ "127.0.0.1:8080": "oauth2" });
  });

  it("stores nothing and erases nothing, says so on stderr, and exits 0", async () => {
    await new TokenCache(configDir).put(SERVER, token("a", 3_600_000));
    const before = await readFile(join(configDir, "tokens.json"), "utf8");
    const stored = await helper(
      ["store"],
      JSON.stringify({ ServerURL: "127.0.0.1:8080", Username: "oauth2", Secret: "typed-secret" }),
    );
    expect(stored).toMatchObject({ code: 0, stdout: "" });
    expect(stored.stderr).toContain('"charter login"');
    expect(stored.stderr).not.toContain("typed-secret");
    const erased = await helper(["erase"], "127.0.0.1:8080");
    expect(erased).toMatchObject({ code: 0, stdout: "" });
    expect(erased.stderr).toContain('"charter logout"');
    expect(await readFile(join(configDir, "tokens.json"), "utf8")).toBe(before);
  });

  it("prints its version, and usage or an unknown action on stdout with exit 1", async () => {
    expect((await helper(["version"])).stdout).toMatch(
      /^docker-credential-charter \(charter\) \d+\.\d+\.\d+\n$/,
    );
    const none = await helper([]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain("Usage: docker-credential-charter <store|get|erase|list|version>");
    const unknown = await helper(["fetch"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("Unknown credential action `fetch`\n");
  });
});

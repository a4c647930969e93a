import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Duration, ManualClock } from "../../../core/index.js";
import { CliError } from "../cli-error.js";
import {
  type CachedToken,
  isFresh,
  remainingValidity,
  TOKEN_MINIMUM_VALIDITY,
  TokenCache,
} from "./token-cache.js";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function token(name: string, expiresInMs: number): CachedToken {
  return {
    access_token: `token-${name}`,
    token_type: "Bearer",
    expires_at: new Date(NOW + expiresInMs).toISOString(),
    scope: ["charter.admin"],
    sub: "admin",
    obtained_at: new Date(NOW).toISOString(),
  };
}

describe("TokenCache", () => {
  let base: string;
  let dir: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), "charter-cache-"));
    dir = join(base, "config", "charter");
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it("creates the directory 0700 and the file 0600", async () => {
    await new TokenCache(dir).put("http://a", token("a", 60_000));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "tokens.json"))).mode & 0o777).toBe(0o600);
  });

  it("tightens a file that was readable by others when it rewrites it", async () => {
    const cache = new TokenCache(dir);
    await cache.put("http://a", token("a", 60_000));
    const { chmod } = await import("node:fs/promises");
    await chmod(cache.file, 0o644);
    await cache.put("http://b", token("b", 60_000));
    expect((await stat(cache.file)).mode & 0o777).toBe(0o600);
  });

  it("keeps one token per server and leaves no temporary files behind", async () => {
    const cache = new TokenCache(dir);
    await cache.put("http://a", token("a", 60_000));
    await cache.put("http://b", token("b", 60_000));
    await cache.put("http://a", token("a2", 60_000));
    expect((await cache.get("http://a"))?.access_token).toBe("token-a2");
    expect((await cache.get("http://b"))?.access_token).toBe("token-b");
    expect(await cache.get("http://c")).toBeUndefined();
    expect((await cache.entries()).map(([server, t]) => `${server} ${t.access_token}`)).toEqual([
      "http://a token-a2",
      "http://b token-b",
    ]);
    expect(await readdir(dir)).toEqual(["tokens.json"]);
  });

  it("forgets one server's token and says whether there was one", async () => {
    const cache = new TokenCache(dir);
    await cache.put("http://a", token("a", 60_000));
    await cache.put("http://b", token("b", 60_000));
    expect(await cache.delete("http://a")).toBe(true);
    expect(await cache.delete("http://a")).toBe(false);
    expect(await cache.get("http://a")).toBeUndefined();
    expect(await cache.get("http://b")).toBeDefined();
  });

  it("reads a missing file as an empty cache", async () => {
    expect(await new TokenCache(dir).get("http://a")).toBeUndefined();
    expect(await new TokenCache(dir).delete("http://a")).toBe(false);
  });

  it("refuses a damaged file with a message that names it", async () => {
    const cache = new TokenCache(dir);
    await cache.put("http://a", token("a", 60_000));
    await writeFile(cache.file, "{ not json");
    const error = await cache.get("http://a").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain(cache.file);
  });

  it("stores the token as JSON a person can read", async () => {
    const cache = new TokenCache(dir);
    await cache.put("http://a", token("a", 60_000));
    const content = JSON.parse(await readFile(cache.file, "utf8"));
    expect(content).toMatchObject({ version: 1, servers: { "http://a": { access_token: "token-a" } } });
  });
});

describe("reuse rule", () => {
  it("reuses a token only while more than the minimum is left", () => {
    const clock = new ManualClock(NOW);
    const cached = token("a", 10 * 60_000);
    expect(isFresh(cached, clock, TOKEN_MINIMUM_VALIDITY)).toBe(true);
    clock.advance(5 * 60_000 - 1);
    expect(isFresh(cached, clock, TOKEN_MINIMUM_VALIDITY)).toBe(true);
    clock.advance(1);
    expect(isFresh(cached, clock, TOKEN_MINIMUM_VALIDITY)).toBe(false);
    expect(isFresh(cached, clock, Duration.seconds(30))).toBe(true);
    clock.advance(5 * 60_000);
    expect(remainingValidity(cached, clock)).toBe(0);
    expect(isFresh(cached, clock, Duration.seconds(0))).toBe(false);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreErrors, createHttpApp, createLogger, type HttpApp } from "../../core/index.js";
import { consoleHttp, consoleRedirectUri } from "./console-http.js";

const HTML = { accept: "text/html,application/xhtml+xml" };

async function appServing(root: string): Promise<HttpApp> {
  const app = await createHttpApp({
    logger: createLogger({ level: "silent" }),
    authenticate: async () => {
      throw CoreErrors.CORE_UNAUTHENTICATED("no tokens in this test");
    },
  });
  app.get("/api/things", async () => ({ items: [] }));
  await app.register(consoleHttp({ root }));
  await app.ready();
  return app;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "charter-console-"));
  await mkdir(join(dir, "web", "assets"), { recursive: true });
  await writeFile(join(dir, "web", "index.html"), "<!doctype html><title>console</title>");
  await writeFile(join(dir, "web", "assets", "index-abc123.js"), "console.log(1)");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the console's routes", () => {
  it("answers index.html for / and for history routes a browser asks for, with a strict CSP", async () => {
    const app = await appServing(join(dir, "web"));
    for (const url of ["/", "/apps/shop/versions/1.0", "/callback?code=x&state=y"]) {
      const response = await app.inject({ url, headers: HTML });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain("<title>console</title>");
      expect(response.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(response.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(response.headers["cache-control"]).toBe("no-cache");
    }
    await app.close();
  });

  it("serves hashed assets as immutable for a year", async () => {
    const app = await appServing(join(dir, "web"));
    const response = await app.inject({ url: "/assets/index-abc123.js" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    await app.close();
  });

  it("keeps API and protocol paths, and non-HTML requests, as problem documents", async () => {
    const app = await appServing(join(dir, "web"));
    for (const url of ["/api/unknown", "/oauth2/nope", "/v2/x", "/.well-known/x", "/docs-x", "/health/x"]) {
      const response = await app.inject({ url, headers: HTML });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ code: "CORE_NOT_FOUND" });
    }
    const json = await app.inject({ url: "/apps", headers: { accept: "application/json" } });
    expect(json.statusCode).toBe(404);
    expect((await app.inject({ url: "/assets/missing.js" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/api/things" })).statusCode).toBe(401);
    await app.close();
  });

  it("says how to build the console when it is not built, and the server still starts", async () => {
    const app = await appServing(join(dir, "absent"));
    const response = await app.inject({ url: "/", headers: HTML });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("npm run build");
    await app.close();
  });
});

describe("consoleRedirectUri", () => {
  it("is the public URL's /callback", () => {
    expect(consoleRedirectUri("https://charter.example.org/")).toBe("https://charter.example.org/callback");
  });
});

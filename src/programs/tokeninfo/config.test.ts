import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTokeninfoConfig, TokeninfoConfigError } from "./config.js";

describe("readTokeninfoConfig", () => {
  it("has Plan B's defaults", () => {
    const config = readTokeninfoConfig({});
    expect(config).toMatchObject({
      charterUrl: "http://127.0.0.1:8080",
      host: "127.0.0.1",
      port: 9021,
      issuer: undefined,
      algorithms: ["ES256"],
      cacheSize: 100_000,
      revocations: undefined,
    });
    expect(config.keysRefreshInterval.seconds).toBe(30);
    expect(config.unknownKeyRefetchInterval.seconds).toBe(10);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("lets flags override the environment", () => {
    const config = readTokeninfoConfig({ TOKENINFO_PORT: "1", CHARTER_URL: "https://a:1/" }, ["--port", "2"]);
    expect(config.port).toBe(2);
    expect(config.charterUrl).toBe("https://a:1");
  });

  it("reads the client secret and the salt from files", () => {
    const dir = mkdtempSync(join(tmpdir(), "tokeninfo-config-"));
    writeFileSync(join(dir, "secret"), "top-secret\n");
    writeFileSync(join(dir, "salt"), "pepper\n");
    const config = readTokeninfoConfig({
      TOKENINFO_CLIENT_ID: "sidecar",
      TOKENINFO_CLIENT_SECRET_FILE: join(dir, "secret"),
      TOKENINFO_REVOCATION_SALT_FILE: join(dir, "salt"),
    });
    expect(config.revocations).toMatchObject({
      clientId: "sidecar",
      clientSecret: "top-secret",
      salt: "pepper",
      url: "http://127.0.0.1:8080/revocations",
      tokenUrl: "http://127.0.0.1:8080/oauth2/access_token",
    });
  });

  it("refuses incomplete or wrong settings, naming the variable but not the secret", () => {
    const cases: Record<string, string | undefined>[] = [
      { TOKENINFO_CLIENT_ID: "sidecar" },
      { TOKENINFO_CLIENT_ID: "sidecar", TOKENINFO_CLIENT_SECRET: "hunter2hunter2" },
      { TOKENINFO_CLIENT_ID: "x", TOKENINFO_CLIENT_SECRET_FILE: "/nonexistent/secret" },
      { TOKENINFO_ALGORITHMS: "ES256,HS256" },
      { TOKENINFO_PORT: "99999" },
      { CHARTER_URL: "ftp://x" },
      { TOKENINFO_JWKS_URL: "http://x/keys" },
      { TOKENINFO_KEYS_REFRESH_INTERVAL: "soon" },
    ];
    for (const env of cases) {
      let error: unknown;
      try {
        readTokeninfoConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(TokeninfoConfigError);
      expect((error as Error).message).not.toContain("hunter2");
    }
    expect(() => readTokeninfoConfig({}, ["--unknown", "x"])).toThrow(TokeninfoConfigError);
  });

  it("refuses plain http to a host other than loopback", () => {
    const withClient = {
      TOKENINFO_CLIENT_ID: "sidecar",
      TOKENINFO_CLIENT_SECRET: "hunter2hunter2",
      TOKENINFO_REVOCATION_SALT: "pepper",
    };
    const refused: Record<string, string>[] = [
      { CHARTER_URL: "http://charter.example.org" },
      { CHARTER_URL: "http://10.0.0.7:8080" },
      { CHARTER_URL: "http://[::2]:8080" },
      { CHARTER_URL: "http://127.0.0.1.example.org" },
      { CHARTER_URL: "http://localhost.example.org" },
      {
        CHARTER_URL: "https://charter.example.org",
        TOKENINFO_JWKS_URL: "http://keys.example.org",
        TOKENINFO_ISSUER: "x",
      },
      {
        ...withClient,
        CHARTER_URL: "https://charter.example.org",
        TOKENINFO_TOKEN_URL: "http://charter.example.org/t",
      },
      {
        ...withClient,
        CHARTER_URL: "https://charter.example.org",
        TOKENINFO_REVOCATIONS_URL: "http://charter.example.org/r",
      },
      { CHARTER_URL: "http://charter.example.org", TOKENINFO_ALLOW_INSECURE_HTTP: "yes" },
    ];
    for (const env of refused) {
      expect(() => readTokeninfoConfig(env), JSON.stringify(env)).toThrow(TokeninfoConfigError);
      try {
        readTokeninfoConfig(env);
      } catch (error) {
        expect((error as Error).message).not.toContain("hunter2");
      }
    }
    for (const url of [
      "http://localhost:8080",
      "http://127.0.0.5:8080",
      "http://127.1",
      "http://[::1]:8080",
      "https://charter.example.org",
    ]) {
      expect(readTokeninfoConfig({ ...withClient, CHARTER_URL: url }).insecureUrls, url).toEqual([]);
    }
    expect(() => readTokeninfoConfig({}, ["--charter-url", "http://charter.example.org"])).toThrow(
      /TOKENINFO_ALLOW_INSECURE_HTTP/,
    );
  });

  it("accepts plain http elsewhere only with TOKENINFO_ALLOW_INSECURE_HTTP=true, naming what is insecure", () => {
    const config = readTokeninfoConfig({
      CHARTER_URL: "http://charter.example.org",
      TOKENINFO_ALLOW_INSECURE_HTTP: "true",
      TOKENINFO_CLIENT_ID: "sidecar",
      TOKENINFO_CLIENT_SECRET: "s3cret",
      TOKENINFO_REVOCATION_SALT: "pepper",
    });
    expect(config.charterUrl).toBe("http://charter.example.org");
    expect(config.insecureUrls).toEqual(["CHARTER_URL", "TOKENINFO_REVOCATIONS_URL", "TOKENINFO_TOKEN_URL"]);
    expect(Object.isFrozen(config.insecureUrls)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_SERVER_URL, normalizeServerUrl, readCliConfig } from "./cli-config.js";
import { CliError, ExitCode } from "./cli-error.js";

describe("readCliConfig", () => {
  it("defaults to the local server and ~/.config/charter", () => {
    const config = readCliConfig({ HOME: "/home/jane" }, {});
    expect(config).toEqual({
      server: DEFAULT_SERVER_URL,
      configDir: "/home/jane/.config/charter",
      user: undefined,
      token: undefined,
      dockerConfigDir: "/home/jane/.docker",
      executablePath: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("takes --server over CHARTER_URL over the default", () => {
    expect(readCliConfig({ CHARTER_URL: "https://env.example/" }, {}).server).toBe("https://env.example");
    expect(
      readCliConfig({ CHARTER_URL: "https://env.example" }, { server: "http://flag:9000/" }).server,
    ).toBe("http://flag:9000");
  });

  it("takes CHARTER_CONFIG_DIR over XDG_CONFIG_HOME over HOME, and ignores a relative XDG_CONFIG_HOME", () => {
    const env = { HOME: "/home/jane", XDG_CONFIG_HOME: "/xdg", CHARTER_CONFIG_DIR: "/explicit" };
    expect(readCliConfig(env, {}).configDir).toBe("/explicit");
    expect(readCliConfig({ ...env, CHARTER_CONFIG_DIR: "" }, {}).configDir).toBe("/xdg/charter");
    expect(readCliConfig({ HOME: "/home/jane", XDG_CONFIG_HOME: "rel" }, {}).configDir).toBe(
      "/home/jane/.config/charter",
    );
  });

  it("reads CHARTER_USER and CHARTER_TOKEN", () => {
    const config = readCliConfig({ HOME: "/h", CHARTER_USER: "jane", CHARTER_TOKEN: "t" }, {});
    expect(config.user).toBe("jane");
    expect(config.token).toBe("t");
  });

  it("takes DOCKER_CONFIG over ~/.docker, and splits PATH", () => {
    expect(readCliConfig({ HOME: "/home/jane" }, {}).dockerConfigDir).toBe("/home/jane/.docker");
    expect(readCliConfig({ HOME: "/h", DOCKER_CONFIG: "/etc/docker-cli" }, {}).dockerConfigDir).toBe(
      "/etc/docker-cli",
    );
    expect(readCliConfig({ HOME: "/h", PATH: "/usr/bin::/bin" }, {}).executablePath).toEqual([
      "/usr/bin",
      "/bin",
    ]);
  });

  it("rejects a bad server URL or config dir as a usage error naming the source", () => {
    for (const [env, flags, source] of [
      [{}, { server: "not a url" }, "--server"],
      [{ CHARTER_URL: "ftp://x" }, {}, "CHARTER_URL"],
      [{ CHARTER_URL: "https://x/?a=1" }, {}, "CHARTER_URL"],
      [{ CHARTER_CONFIG_DIR: "relative" }, {}, "CHARTER_CONFIG_DIR"],
    ] as const) {
      const error = (() => {
        try {
          readCliConfig(env, flags);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(ExitCode.usage);
      expect((error as CliError).message).toContain(source);
    }
  });
});

describe("normalizeServerUrl", () => {
  it("gives every spelling of a server one cache key", () => {
    expect(normalizeServerUrl("HTTP://Example.COM:80/")).toBe("http://example.com");
    expect(normalizeServerUrl("https://example.com:8443/charter//")).toBe("https://example.com:8443/charter");
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCliConfig } from "../cli-config.js";
import { CliError } from "../cli-error.js";
import { configureCredentialHelper } from "./docker-config.js";

let base: string;
let dir: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "charter-docker-config-"));
  dir = join(base, ".docker");
});
afterEach(() => rm(base, { recursive: true, force: true }));

const read = async () => JSON.parse(await readFile(join(dir, "config.json"), "utf8"));

describe("configureCredentialHelper", () => {
  it("creates config.json with mode 0600 (directory 0700) holding only credHelpers", async () => {
    const setup = await configureCredentialHelper(dir, "127.0.0.1:8080");
    expect(setup).toEqual({ file: join(dir, "config.json"), created: true, changed: true, staleAuth: false });
    expect(await read()).toEqual({ credHelpers: { "127.0.0.1:8080": "charter" } });
    expect((await stat(join(dir, "config.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it("keeps every other key and entry as it was, and writes no credential", async () => {
    await mkdir(dir);
    const before = {
      auths: { "ghcr.io": { auth: "Zm9vOmJhcg==" } },
      credsStore: "desktop",
      credHelpers: { "123456789012.dkr.ecr.eu-central-1.amazonaws.com": "ecr-login" },
      proxies: { default: { httpProxy: "http://proxy:3128" } },
      experimental: "enabled",
    };
    await writeFile(join(dir, "config.json"), JSON.stringify(before), { mode: 0o644 });
    const setup = await configureCredentialHelper(dir, "charter.example.com");
    expect(setup).toMatchObject({ created: false, changed: true, staleAuth: false });
    const after = await read();
    expect(after).toEqual({
      ...before,
      credHelpers: { ...before.credHelpers, "charter.example.com": "charter" },
    });
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after.auths["charter.example.com"]).toBeUndefined();
    // An existing file keeps its mode; no temporary file is left behind.
    expect((await stat(join(dir, "config.json"))).mode & 0o777).toBe(0o644);
    expect(await readdir(dir)).toEqual(["config.json"]);
  });

  it("is idempotent: a second run writes nothing", async () => {
    await configureCredentialHelper(dir, "127.0.0.1:8080");
    const first = await readFile(join(dir, "config.json"), "utf8");
    const { mtimeMs } = await stat(join(dir, "config.json"));
    const again = await configureCredentialHelper(dir, "127.0.0.1:8080");
    expect(again).toMatchObject({ created: false, changed: false });
    expect(await readFile(join(dir, "config.json"), "utf8")).toBe(first);
    expect((await stat(join(dir, "config.json"))).mtimeMs).toBe(mtimeMs);
  });

  it("says which helper it replaced and that a docker login entry is left over", async () => {
    await mkdir(dir);
    await writeFile(
      join(dir, "config.json"),
      JSON.stringify({
        auths: { "https://127.0.0.1:8080": { auth: "x" } },
        credHelpers: { "127.0.0.1:8080": "old" },
      }),
    );
    const setup = await configureCredentialHelper(dir, "127.0.0.1:8080");
    expect(setup).toMatchObject({ changed: true, replaced: "old", staleAuth: true });
    expect((await read()).auths).toEqual({ "https://127.0.0.1:8080": { auth: "x" } });
  });

  it("reads an empty file as {} and writes through a symlink", async () => {
    await mkdir(dir);
    const real = join(base, "dotfiles-docker.json");
    await writeFile(real, "");
    await symlink(real, join(dir, "config.json"));
    await configureCredentialHelper(dir, "h:1");
    expect(JSON.parse(await readFile(real, "utf8"))).toEqual({ credHelpers: { "h:1": "charter" } });
    expect((await readdir(dir)).sort()).toEqual(["config.json"]);
  });

  it("refuses to touch a file that is not a JSON object, naming it", async () => {
    await mkdir(dir);
    for (const content of ["{ not json", "[1]", '{"credHelpers": "charter"}']) {
      await writeFile(join(dir, "config.json"), content);
      const error = await configureCredentialHelper(dir, "h").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).message).toContain(join(dir, "config.json"));
      expect(await readFile(join(dir, "config.json"), "utf8")).toBe(content);
    }
  });

  it("uses the directory of DOCKER_CONFIG", async () => {
    const config = readCliConfig({ HOME: base, DOCKER_CONFIG: join(base, "elsewhere") }, {});
    const setup = await configureCredentialHelper(config.dockerConfigDir, "h");
    expect(setup.file).toBe(join(base, "elsewhere", "config.json"));
    expect(JSON.parse(await readFile(setup.file, "utf8"))).toEqual({ credHelpers: { h: "charter" } });
  });
});

/**
 * `charter image ...` and `docker-credential-charter` against a real, listening control plane: the
 * CLI logs in, configures Docker's credential helper, the helper's secret pushes and pulls with
 * skopeo, and the image commands list, show and revoke what was pushed. Both programs run
 * in-process (like test/e2e/cli.test.ts); when `npm run build` has produced the bins, they also run
 * as processes, with skopeo finding the helper through `credHelpers` as docker would.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/programs/cli/cli-error.js";
import {
  CREDENTIALS_NOT_FOUND,
  runCredentialHelper,
} from "../../src/programs/cli/docker/credential-helper.js";
import { runCli } from "../../src/programs/cli/run-cli.js";
import { type MemoryIoOptions, memoryIo } from "../../src/programs/cli/testing/memory-io.js";
import { buildOciImage, type OciImage } from "../support/oci-image.js";
import { type RegistryServer, run, skopeo, startRegistryServer } from "../support/registry-server.js";
import { TEST_ADMIN_PASSWORD } from "../support/server.js";

const root = resolve(import.meta.dirname, "../..");
const cliBin = join(root, "dist/src/programs/cli/main.js");
const helperBin = join(root, "dist/src/programs/cli/docker-credential.js");

let registry: RegistryServer;
let work: string;
let known: OciImage;
let sourceless: OciImage;

function env(): Record<string, string> {
  return {
    CHARTER_URL: registry.url,
    CHARTER_CONFIG_DIR: join(work, "charter"),
    DOCKER_CONFIG: join(work, "docker"),
    HOME: work,
    PATH: process.env.PATH ?? "",
  };
}

async function charter(argv: string[], options: MemoryIoOptions = {}) {
  const io = memoryIo({ ...options, env: { ...env(), ...options.env } });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

async function credentialHelper(argv: string[], stdin: string) {
  const io = memoryIo({ stdin, env: env() });
  const code = await runCredentialHelper(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

/** The secret the helper hands Docker for the registry. */
async function helperSecret(): Promise<string> {
  const { code, stdout } = await credentialHelper(["get"], `${registry.host}\n`);
  expect(code).toBe(0);
  const answer = JSON.parse(stdout) as { ServerURL: string; Username: string; Secret: string };
  expect(answer).toMatchObject({ ServerURL: registry.host, Username: "oauth2" });
  return answer.Secret;
}

async function showJson(name: string) {
  const { code, stdout } = await charter(["image", "show", name, "--json"]);
  expect(code).toBe(ExitCode.ok);
  return JSON.parse(stdout);
}

beforeAll(async () => {
  registry = await startRegistryServer();
  work = await mkdtemp(join(tmpdir(), "charter-e2e-cli-images-"));
  known = await buildOciImage(join(work, "known"), {
    tag: "1.0.0",
    layers: [{ files: { "app/hello.txt": "hello" } }],
    annotations: {
      "org.opencontainers.image.source": "https://github.com/acme/shop",
      "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
    },
  });
  sourceless = await buildOciImage(join(work, "sourceless"), {
    tag: "0.1.0",
    layers: [{ files: { "app/other.txt": "no source here" } }],
  });
}, 60_000);

afterAll(async () => {
  await registry?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("charter image and docker-credential-charter against a real registry", () => {
  it("refuses image login before charter login (exit 4), and the helper knows no credentials", async () => {
    const { code, stderr } = await charter(["image", "login"]);
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toContain('run "charter login"');
    expect(existsSync(join(work, "docker", "config.json"))).toBe(false);
    const helper = await credentialHelper(["get"], registry.host);
    expect(helper.code).toBe(1);
    expect(helper.stdout.trim()).toBe(CREDENTIALS_NOT_FOUND);
  });

  it("logs in, then image login configures the credential helper without writing a token", async () => {
    const login = await charter(["login", "--password-stdin", "--user", "admin"], {
      stdin: `${TEST_ADMIN_PASSWORD}\n`,
    });
    expect(login.code).toBe(ExitCode.ok);
    const { code, stderr } = await charter(["image", "login"]);
    expect(code).toBe(ExitCode.ok);
    expect(stderr).toContain(`docker pull ${registry.host}/<team>/<artifact>:<tag>`);
    const config = await readFile(join(work, "docker", "config.json"), "utf8");
    expect(JSON.parse(config)).toEqual({ credHelpers: { [registry.host]: "charter" } });
    expect(config).not.toContain(await helperSecret());
  });

  it("pushes with the helper's secret as skopeo credentials", async () => {
    const creds = `oauth2:${await helperSecret()}`;
    for (const image of [known, sourceless]) {
      await skopeo([
        "copy",
        "--dest-tls-verify=false",
        "--dest-creds",
        creds,
        image.ref,
        `docker://${registry.host}/platform/e2e-shop:${image.tag}`,
      ]);
    }
  });

  it("lists the artifact, with and without --json", async () => {
    const table = await charter(["image", "list", "platform"]);
    expect(table.code).toBe(ExitCode.ok);
    expect(table.stdout).toMatch(/^REPOSITORY\s+TAGS\s+LAST PUSHED\n/);
    expect(table.stdout).toMatch(/^platform\/e2e-shop\s+2\s+\d{4}-\d\d-\d\dT/m);
    const json = await charter(["image", "list", "--json"]);
    expect(JSON.parse(json.stdout).items).toContainEqual(
      expect.objectContaining({ repository: "platform/e2e-shop", tag_count: 2 }),
    );
  });

  it("lists the tags with digest, pusher and provenance, with and without --json", async () => {
    // The layers of an image without annotations are searched for scm-source.json after the push.
    await expect
      .poll(async () => (await showJson("platform/e2e-shop:0.1.0")).provenance.status, { timeout: 20_000 })
      .toBe("missing");
    const table = await charter(["image", "tags", "platform/e2e-shop"]);
    expect(table.code).toBe(ExitCode.ok);
    expect(table.stdout).toMatch(/^TAG\s+DIGEST\s+PUSHED AT\s+PUSHED BY\s+PROVENANCE\s+REVOKED\n/);
    expect(table.stdout).toMatch(
      new RegExp(
        `^1\\.0\\.0\\s+${known.manifestDigest.slice(0, 19)}\\s+\\S+\\s+admin\\s+https://github\\.com/acme/shop@0123456789ab\\s+no$`,
        "m",
      ),
    );
    expect(table.stdout).toMatch(/^0\.1\.0\s+sha256:\S{12}\s+\S+\s+admin\s+missing\s+no$/m);
    const json = await charter(["image", "tags", "platform/e2e-shop", "--limit", "1", "--json"]);
    const page = JSON.parse(json.stdout);
    expect(page.items).toHaveLength(1);
    expect(typeof page.next_cursor).toBe("string");
    const next = await charter([
      "image",
      "tags",
      "platform/e2e-shop",
      "--limit",
      "1",
      "--cursor",
      page.next_cursor,
      "--json",
    ]);
    expect(JSON.parse(next.stdout).items[0].tag).not.toBe(page.items[0].tag);
  });

  it("shows a tag's fields and makes a missing source stand out", async () => {
    const shown = await charter(["image", "show", "platform/e2e-shop:1.0.0"]);
    expect(shown.code).toBe(ExitCode.ok);
    expect(shown.stderr).toBe("");
    expect(shown.stdout).toMatch(
      new RegExp(`^reference:\\s+${registry.host}/platform/e2e-shop:1\\.0\\.0$`, "m"),
    );
    expect(shown.stdout).toMatch(new RegExp(`^digest:\\s+${known.manifestDigest}$`, "m"));
    expect(shown.stdout).toMatch(/^platforms:\s+linux\/amd64$/m);
    expect(shown.stdout).toMatch(/^source:\s+https:\/\/github\.com\/acme\/shop$/m);
    expect(shown.stdout).toMatch(/^revision:\s+0123456789abcdef0123456789abcdef01234567$/m);
    expect(await showJson("platform/e2e-shop:1.0.0")).toMatchObject({
      digest: known.manifestDigest,
      pushed_by: "admin",
      provenance: { status: "known", origin: "annotations" },
      revoked: null,
    });
    const sourcelessShown = await charter(["image", "show", "platform/e2e-shop:0.1.0"]);
    expect(sourcelessShown.stdout).toMatch(/^source:\s+MISSING$/m);
    expect(sourcelessShown.stderr).toMatch(/^warning: platform\/e2e-shop:0\.1\.0 has NO KNOWN SOURCE/m);
    const unknown = await charter(["image", "show", "platform/e2e-shop:9.9.9"]);
    expect(unknown.code).toBe(ExitCode.error);
    expect(unknown.stderr).toMatch(/^charter: .+ \(IMAGES_TAG_NOT_FOUND\)\n$/);
  });

  it("revokes a tag only with --yes when not interactive, then shows it as revoked", async () => {
    const refused = await charter([
      "image",
      "revoke",
      "platform/e2e-shop:0.1.0",
      "--reason",
      "built from an unknown source",
    ]);
    expect(refused.code).toBe(ExitCode.usage);
    expect((await showJson("platform/e2e-shop:0.1.0")).revoked).toBeNull();
    const revoked = await charter([
      "image",
      "revoke",
      "platform/e2e-shop:0.1.0",
      "--reason",
      "built from an unknown source",
      "--yes",
    ]);
    expect(revoked.code).toBe(ExitCode.ok);
    expect(revoked.stderr).toContain("Revoked platform/e2e-shop:0.1.0");
    const shown = await charter(["image", "show", "platform/e2e-shop:0.1.0"]);
    expect(shown.stdout).toMatch(/^revoked:\s+REVOKED at \S+ by admin$/m);
    expect(shown.stdout).toMatch(/^revoke reason:\s+built from an unknown source$/m);
    expect(shown.stderr).toContain(
      "warning: platform/e2e-shop:0.1.0 is REVOKED: built from an unknown source",
    );
    expect((await charter(["image", "tags", "platform/e2e-shop"])).stdout).toMatch(/^0\.1\.0\s.*\sREVOKED$/m);
    const again = await charter([
      "image",
      "revoke",
      "platform/e2e-shop:0.1.0",
      "--reason",
      "again",
      "--yes",
      "--json",
    ]);
    expect(again.code).toBe(ExitCode.error);
    expect(again.stderr).toMatch(/\(IMAGES_TAG_ALREADY_REVOKED\)\n$/);
  });

  it("pulls with the helper's secret, and the helper answers for no other host", async () => {
    const out = join(work, "pulled");
    await skopeo([
      "copy",
      "--src-tls-verify=false",
      "--src-creds",
      `oauth2:${await helperSecret()}`,
      `docker://${registry.host}/platform/e2e-shop:1.0.0`,
      `oci:${out}:1.0.0`,
    ]);
    const index = JSON.parse(await readFile(join(out, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(known.manifestDigest);
    const other = await credentialHelper(["get"], "registry.example.com");
    expect(other.code).toBe(1);
    expect(other.stdout.trim()).toBe(CREDENTIALS_NOT_FOUND);
  });

  it.skipIf(!existsSync(helperBin) || !existsSync(cliBin))(
    "runs as the built bins: skopeo finds docker-credential-charter through credHelpers",
    async () => {
      const bin = join(work, "bin");
      await mkdir(bin, { recursive: true });
      const wrapper = join(bin, "docker-credential-charter");
      await writeFile(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${helperBin}" "$@"\n`);
      await chmod(wrapper, 0o755);
      const processEnv = { ...process.env, ...env(), PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` };

      const listed = await run(process.execPath, [cliBin, "image", "tags", "platform/e2e-shop", "--json"], {
        env: processEnv,
      });
      expect(
        JSON.parse(listed.stdout)
          .items.map((t: { tag: string }) => t.tag)
          .sort(),
      ).toEqual(["0.1.0", "1.0.0"]);
      const table = await run(process.execPath, [cliBin, "image", "show", "platform/e2e-shop:0.1.0"], {
        env: processEnv,
      });
      expect(table.stdout).toMatch(/^revoked:\s+REVOKED/m);

      const { stdout } = await run("sh", ["-c", `printf '%s' "${registry.host}" | "${wrapper}" get`], {
        env: processEnv,
      });
      expect(JSON.parse(stdout)).toMatchObject({ ServerURL: registry.host, Username: "oauth2" });

      // skopeo reads credHelpers from the Docker config that `charter image login` wrote, runs the
      // helper from PATH and sends its secret, as docker does.
      const inspect = (path: string) =>
        run(
          "skopeo",
          [
            "--insecure-policy",
            "inspect",
            "--raw",
            "--tls-verify=false",
            "--authfile",
            join(work, "docker", "config.json"),
            `docker://${registry.host}/platform/e2e-shop:1.0.0`,
          ],
          { env: { ...processEnv, PATH: path }, timeout: 60_000 },
        );
      const inspected = await inspect(processEnv.PATH);
      expect(Buffer.from(inspected.stdout)).toEqual(Buffer.from(known.manifest));
      // Without the helper on PATH the same command fails: the credentials came from the helper.
      await expect(inspect(process.env.PATH ?? "")).rejects.toMatchObject({
        stderr: expect.stringContaining("docker-credential-charter"),
      });
    },
  );
});

import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TokenCache } from "../../auth/token-cache.js";
import { ExitCode } from "../../cli-error.js";
import { runCli } from "../../run-cli.js";
import { type MemoryIoOptions, memoryIo } from "../../testing/memory-io.js";
import { type StubAnswer, type StubApi, type StubRequest, startStubApi } from "../../testing/stub-api.js";
import type { ImageTag } from "./image-resource.js";

// `charter image ...` against a stub API: what each command sends and prints.

let dir: string;
let stub: StubApi;
let answer: (request: StubRequest) => StubAnswer;

beforeAll(async () => {
  stub = await startStubApi((request) => answer(request));
});
afterAll(() => stub.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "charter-cli-images-"));
  stub.requests.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function cli(argv: string[], options: MemoryIoOptions = {}) {
  const io = memoryIo({
    ...options,
    env: {
      CHARTER_URL: stub.url,
      CHARTER_CONFIG_DIR: join(dir, "charter"),
      CHARTER_TOKEN: "test-token",
      HOME: dir,
      PATH: "",
      ...options.env,
    },
  });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

const DIGEST = `sha256:${"ab12".repeat(16)}`;
const known: ImageTag = {
  team: "platform",
  artifact: "shop",
  repository: "platform/shop",
  tag: "1.0.0",
  reference: "127.0.0.1:8080/platform/shop:1.0.0",
  digest: DIGEST,
  media_type: "application/vnd.oci.image.manifest.v1+json",
  size: 3_145_728,
  platforms: ["linux/amd64", "linux/arm64"],
  created: "2026-01-01T10:00:00.000Z",
  pushed_at: "2026-01-02T10:00:00.000Z",
  pushed_by: "jane",
  provenance: {
    status: "known",
    origin: "annotations",
    url: "https://github.com/acme/shop",
    revision: "0123456789abcdef0123",
    author: "jane",
    clean: true,
  },
  revoked: null,
};
const missing: ImageTag = {
  ...known,
  tag: "0.9.0",
  reference: "127.0.0.1:8080/platform/shop:0.9.0",
  provenance: { status: "missing", note: "no source annotation, scm-source.json or referrer" },
  revoked: { at: "2026-01-03T10:00:00.000Z", by: "admin", reason: "CVE-2026-0001" },
};
const pending: ImageTag = { ...known, tag: "1.1.0", provenance: { status: "pending" } };
const problem = (status: number, code: string, detail: string): StubAnswer => ({
  status,
  json: { status, code, detail, title: "t" },
});

describe("charter image list", () => {
  it("lists a team's artifacts as a table and says how to get the next page", async () => {
    answer = () => ({
      status: 200,
      json: {
        items: [
          {
            team: "platform",
            artifact: "shop",
            repository: "platform/shop",
            tag_count: 3,
            last_pushed_at: "2026-01-02T10:00:00.000Z",
          },
          {
            team: "platform",
            artifact: "empty",
            repository: "platform/empty",
            tag_count: 0,
            last_pushed_at: null,
          },
        ],
        next_cursor: "abc",
      },
    });
    const { code, stdout, stderr } = await cli(["image", "list", "platform", "--limit", "2"]);
    expect(code).toBe(ExitCode.ok);
    expect(stub.requests[0]!.path).toBe("/api/images");
    expect(Object.fromEntries(stub.requests[0]!.query)).toEqual({ team: "platform", limit: "2" });
    expect(stub.requests[0]!.headers.authorization).toBe("Bearer test-token");
    expect(stdout).toMatch(
      /^REPOSITORY\s+TAGS\s+LAST PUSHED\nplatform\/shop\s+3\s+2026-01-02T10:00:00.000Z\nplatform\/empty\s+0\s+never\n$/,
    );
    expect(stderr).toBe("more artifacts: add --cursor abc\n");
  });

  it("lists every artifact without a team, and passes the cursor on; --json prints the page", async () => {
    const page = { items: [], next_cursor: null };
    answer = () => ({ status: 200, json: page });
    const { code, stdout } = await cli(["image", "list", "--cursor", "abc", "--json"]);
    expect(code).toBe(ExitCode.ok);
    expect(Object.fromEntries(stub.requests[0]!.query)).toEqual({ cursor: "abc" });
    expect(JSON.parse(stdout)).toEqual(page);
    const empty = await cli(["image", "list"]);
    expect(empty.stderr).toBe("no artifacts found\n");
  });
});

describe("charter image tags", () => {
  it("shows digest, pusher, provenance and revoked state per tag", async () => {
    answer = () => ({ status: 200, json: { items: [pending, known, missing], next_cursor: null } });
    const { code, stdout, stderr } = await cli(["image", "tags", "platform/shop"]);
    expect(code).toBe(ExitCode.ok);
    expect(stub.requests[0]!.path).toBe("/api/images/platform/shop/tags");
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAG\s+DIGEST\s+PUSHED AT\s+PUSHED BY\s+PROVENANCE\s+REVOKED$/);
    expect(lines[1]).toMatch(
      /^1\.1\.0\s+sha256:ab12ab12ab12\s+2026-01-02T10:00:00.000Z\s+jane\s+pending\s+no$/,
    );
    expect(lines[2]).toMatch(/^1\.0\.0\s+.*\s+https:\/\/github.com\/acme\/shop@0123456789ab\s+no$/);
    expect(lines[3]).toMatch(/^0\.9\.0\s+.*\s+missing\s+REVOKED$/);
  });

  it("accepts a pull reference with the registry host, and pages", async () => {
    answer = () => ({ status: 200, json: { items: [known], next_cursor: "n2" } });
    const { stderr } = await cli(["image", "tags", "127.0.0.1:8080/platform/shop", "--limit", "1"]);
    expect(stub.requests[0]!.path).toBe("/api/images/platform/shop/tags");
    expect(stub.requests[0]!.query.get("limit")).toBe("1");
    expect(stderr).toBe("more tags: add --cursor n2\n");
  });

  it("refuses a name that is not team/artifact without calling the server (exit 2)", async () => {
    for (const name of ["shop", "platform/", "a/b/c", "platform/shop:1.0"]) {
      const { code, stderr } = await cli(["image", "tags", name]);
      expect(code).toBe(ExitCode.usage);
      expect(stderr).toMatch(/^charter: ".*" .*platform\/shop\n$/);
    }
    expect(stub.requests).toHaveLength(0);
  });

  it("explains an unknown repository in one line with its code (exit 1)", async () => {
    answer = () => problem(404, "IMAGES_NAME_UNKNOWN", "repository platform/nope is not known");
    const { code, stdout, stderr } = await cli(["image", "tags", "platform/nope"]);
    expect(code).toBe(ExitCode.error);
    expect(stdout).toBe("");
    expect(stderr).toBe("charter: repository platform/nope is not known (IMAGES_NAME_UNKNOWN)\n");
  });
});

describe("charter image show", () => {
  it("shows every field of a tag with a known source", async () => {
    answer = () => ({ status: 200, json: known });
    const { code, stdout, stderr } = await cli(["image", "show", "platform/shop:1.0.0"]);
    expect(code).toBe(ExitCode.ok);
    expect(stub.requests[0]!.path).toBe("/api/images/platform/shop/tags/1.0.0");
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^reference:\s+127\.0\.0\.1:8080\/platform\/shop:1\.0\.0$/m);
    expect(stdout).toMatch(new RegExp(`^digest:\\s+${DIGEST}$`, "m"));
    expect(stdout).toMatch(/^size:\s+3\.0 MiB \(3145728 bytes\)$/m);
    expect(stdout).toMatch(/^platforms:\s+linux\/amd64,linux\/arm64$/m);
    expect(stdout).toMatch(/^pushed:\s+2026-01-02T10:00:00.000Z by jane$/m);
    expect(stdout).toMatch(/^source:\s+https:\/\/github.com\/acme\/shop$/m);
    expect(stdout).toMatch(/^revision:\s+0123456789abcdef0123$/m);
    expect(stdout).toMatch(/^working tree:\s+clean$/m);
    expect(stdout).toMatch(/^provenance from:\s+annotations$/m);
    expect(stdout).toMatch(/^revoked:\s+no$/m);
  });

  it("makes a missing source and a revocation stand out, in the details and as warnings", async () => {
    answer = () => ({ status: 200, json: missing });
    const { code, stdout, stderr } = await cli(["image", "show", "platform/shop:0.9.0"]);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toMatch(/^source:\s+MISSING$/m);
    expect(stdout).toMatch(/^why missing:\s+no source annotation, scm-source.json or referrer$/m);
    expect(stdout).toMatch(/^revoked:\s+REVOKED at 2026-01-03T10:00:00.000Z by admin$/m);
    expect(stdout).toMatch(/^revoke reason:\s+CVE-2026-0001$/m);
    expect(stderr).toBe(
      "warning: platform/shop:0.9.0 is REVOKED: CVE-2026-0001\n" +
        "warning: platform/shop:0.9.0 has NO KNOWN SOURCE: no source annotation, scm-source.json or referrer\n",
    );
  });

  it("says when the source is still being looked for", async () => {
    answer = () => ({ status: 200, json: pending });
    const { stdout } = await cli(["image", "show", "platform/shop:1.1.0"]);
    expect(stdout).toMatch(/^source:\s+pending /m);
  });

  it("prints the API's answer with --json", async () => {
    answer = () => ({ status: 200, json: missing });
    const { stdout, stderr } = await cli(["image", "show", "platform/shop:0.9.0", "--json"]);
    expect(JSON.parse(stdout)).toEqual(missing);
    expect(stderr).toBe("");
  });

  it("needs a tag, not a digest", async () => {
    expect((await cli(["image", "show", "platform/shop"])).stderr).toContain("has no tag");
    expect((await cli(["image", "show", `platform/shop@${DIGEST}`])).stderr).toContain("names a digest");
    expect(stub.requests).toHaveLength(0);
  });

  it("explains an unknown tag (exit 1)", async () => {
    answer = () => problem(404, "IMAGES_TAG_NOT_FOUND", "tag platform/shop:9 does not exist");
    const { code, stderr } = await cli(["image", "show", "platform/shop:9"]);
    expect(code).toBe(ExitCode.error);
    expect(stderr).toBe("charter: tag platform/shop:9 does not exist (IMAGES_TAG_NOT_FOUND)\n");
  });
});

describe("charter image revoke", () => {
  const revoked = { ...known, revoked: { at: "2026-01-03T10:00:00.000Z", by: "test", reason: "broken" } };

  it("needs --reason, and --yes when nobody can answer", async () => {
    const noReason = await cli(["image", "revoke", "platform/shop:1.0.0", "--yes"]);
    expect(noReason.code).toBe(ExitCode.usage);
    expect(noReason.stderr).toContain("--reason");
    const blank = await cli(["image", "revoke", "platform/shop:1.0.0", "--reason", "  ", "--yes"]);
    expect(blank.code).toBe(ExitCode.usage);
    const noYes = await cli(["image", "revoke", "platform/shop:1.0.0", "--reason", "broken"]);
    expect(noYes.code).toBe(ExitCode.usage);
    expect(noYes.stderr).toContain("pass --yes");
    expect(stub.requests).toHaveLength(0);
  });

  it("asks on a terminal and revokes on yes", async () => {
    answer = () => ({ status: 200, json: revoked });
    const { code, stderr } = await cli(["image", "revoke", "platform/shop:1.0.0", "--reason", "broken"], {
      stdin: "yes\n",
      stdinIsTTY: true,
    });
    expect(code).toBe(ExitCode.ok);
    expect(stub.requests[0]).toMatchObject({
      method: "POST",
      path: "/api/images/platform/shop/tags/1.0.0/revoke",
    });
    expect(JSON.parse(stub.requests[0]!.body)).toEqual({ reason: "broken" });
    expect(stderr).toContain("Revoke platform/shop:1.0.0 (this cannot be undone)? [y/N] ");
    expect(stderr).toContain(`Revoked platform/shop:1.0.0 (${DIGEST}).`);
  });

  it("does nothing when the answer is no (exit 2)", async () => {
    const { code, stderr } = await cli(["image", "revoke", "platform/shop:1.0.0", "--reason", "broken"], {
      stdin: "n\n",
      stdinIsTTY: true,
    });
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toContain("charter: cancelled");
    expect(stub.requests).toHaveLength(0);
  });

  it("prints the revoked tag with --yes --json, and explains a second revocation", async () => {
    answer = () => ({ status: 200, json: revoked });
    const { code, stdout } = await cli([
      "image",
      "revoke",
      "platform/shop:1.0.0",
      "--reason",
      "broken",
      "-y",
      "--json",
    ]);
    expect(code).toBe(ExitCode.ok);
    expect(JSON.parse(stdout)).toEqual(revoked);
    answer = () => problem(409, "IMAGES_TAG_ALREADY_REVOKED", "tag platform/shop:1.0.0 is already revoked");
    const again = await cli(["image", "revoke", "platform/shop:1.0.0", "--reason", "x", "--yes"]);
    expect(again.code).toBe(ExitCode.error);
    expect(again.stderr).toBe(
      "charter: tag platform/shop:1.0.0 is already revoked (IMAGES_TAG_ALREADY_REVOKED)\n",
    );
  });
});

describe("charter image login", () => {
  const host = () => new URL(stub.url).host;
  const loggedIn = async () => {
    await new TokenCache(join(dir, "charter")).put(stub.url, {
      access_token: "cached-token",
      token_type: "Bearer",
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      scope: [],
      obtained_at: new Date().toISOString(),
    });
  };

  it("fails with exit 4 and writes nothing when the CLI is not logged in", async () => {
    const { code, stderr } = await cli(["image", "login"], { env: { CHARTER_TOKEN: "" } });
    expect(code).toBe(ExitCode.auth);
    expect(stderr).toBe(`charter: not logged in to ${stub.url}; run "charter login"\n`);
    await expect(stat(join(dir, ".docker"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("points docker's credHelpers for the server's host at charter, and writes no token", async () => {
    await loggedIn();
    const { code, stdout, stderr } = await cli(["image", "login"], { env: { CHARTER_TOKEN: "" } });
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toBe("");
    const file = join(dir, ".docker", "config.json");
    const text = await readFile(file, "utf8");
    expect(JSON.parse(text)).toEqual({ credHelpers: { [host()]: "charter" } });
    expect(text).not.toContain("cached-token");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(stderr).toContain(
      `Created ${file}: docker gets credentials for ${host()} from docker-credential-charter`,
    );
    expect(stderr).toContain("docker-credential-charter is not on your PATH");
    expect(stderr).toContain(`Pull with: docker pull ${host()}/<team>/<artifact>:<tag>`);
    expect(stub.requests).toHaveLength(0);
  });

  it("respects DOCKER_CONFIG, keeps other keys, finds the helper on PATH, and reports with --json", async () => {
    await loggedIn();
    const dockerDir = join(dir, "docker-elsewhere");
    const bin = join(dir, "bin");
    await mkdir(dockerDir);
    await mkdir(bin);
    await writeFile(join(bin, "docker-credential-charter"), "#!/bin/sh\n");
    await chmod(join(bin, "docker-credential-charter"), 0o755);
    await writeFile(
      join(dockerDir, "config.json"),
      JSON.stringify({ auths: { "ghcr.io": { auth: "eA==" } } }),
    );
    const env = { CHARTER_TOKEN: "", DOCKER_CONFIG: dockerDir, PATH: bin };
    const first = await cli(["image", "login", "--json"], { env });
    expect(first.code).toBe(ExitCode.ok);
    expect(JSON.parse(first.stdout)).toMatchObject({
      server: stub.url,
      registry: host(),
      docker_config: join(dockerDir, "config.json"),
      cred_helper: "charter",
      changed: true,
      created: false,
      helper_path: join(bin, "docker-credential-charter"),
    });
    expect(JSON.parse(await readFile(join(dockerDir, "config.json"), "utf8"))).toEqual({
      auths: { "ghcr.io": { auth: "eA==" } },
      credHelpers: { [host()]: "charter" },
    });
    const again = await cli(["image", "login"], { env });
    expect(again.code).toBe(ExitCode.ok);
    expect(again.stderr).toContain("already has docker get credentials");
    expect(again.stderr).not.toContain("not on your PATH");
  });
});

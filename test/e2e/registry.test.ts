import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOciImage, type OciImage } from "../support/oci-image.js";
import { type RegistryServer, skopeo, startRegistryServer } from "../support/registry-server.js";
import { passwordToken, TEST_ADMIN_PASSWORD } from "../support/server.js";

// End to end with a real OCI client: skopeo pushes and pulls images the tests build (no Docker
// engine), in OCI and Docker format, including a 100 MB layer, a cross-repository mount and an
// interrupted push; and the registry's refusals leave nothing behind.

const PASSWORD = "registry test password";
let registry: RegistryServer;
let work: string;
const tokens: Record<string, string> = {};

async function call(who: string, method: "GET" | "POST" | "PUT" | "HEAD", url: string, payload?: object) {
  return registry.server.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[who]}` },
    ...(payload === undefined ? {} : { payload }),
  });
}

beforeAll(async () => {
  registry = await startRegistryServer();
  work = await mkdtemp(join(tmpdir(), "charter-registry-"));
  tokens.admin = await passwordToken(registry.server, "admin", TEST_ADMIN_PASSWORD);
  expect((await call("admin", "POST", "/api/teams", { id: "shop", name: "Shop" })).statusCode).toBe(201);
  for (const [user, team] of [
    ["builder", "shop"],
    ["outsider", "platform"],
  ] as const) {
    const body = { id: user, name: user, email: `${user}@example.com`, password: PASSWORD };
    expect((await call("admin", "POST", "/api/users", body)).statusCode).toBe(201);
    expect((await call("admin", "PUT", `/api/teams/${team}/members/${user}`)).statusCode).toBe(204);
    tokens[user] = await passwordToken(registry.server, user, PASSWORD);
  }
}, 60_000);

afterAll(async () => {
  await registry?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

const creds = (who: string) => `oauth2:${tokens[who]}`;
const push = (who: string, source: string, target: string, extra: string[] = []) =>
  skopeo([
    "copy",
    "--dest-tls-verify=false",
    "--dest-creds",
    creds(who),
    ...extra,
    source,
    `docker://${registry.host}/${target}`,
  ]);
const pull = (who: string, source: string, target: string) =>
  skopeo([
    "copy",
    "--src-tls-verify=false",
    "--src-creds",
    creds(who),
    `docker://${registry.host}/${source}`,
    target,
  ]);
const inspectRaw = async (who: string, ref: string) =>
  (
    await skopeo([
      "inspect",
      "--raw",
      "--tls-verify=false",
      "--creds",
      creds(who),
      `docker://${registry.host}/${ref}`,
    ])
  ).stdout;

async function tagOf(team: string, artifact: string, tag: string) {
  return call("admin", "GET", `/api/images/${team}/${artifact}/tags/${tag}`);
}

async function blobVisible(repository: string, digest: string): Promise<boolean> {
  const response = await registry.server.app.inject({
    method: "HEAD",
    url: `/v2/${repository}/blobs/${digest}`,
    headers: { authorization: `Bearer ${tokens.admin}` },
  });
  return response.statusCode === 200;
}

/** What the server answered to requests whose URL matches, from its request log. */
function answers(urlPattern: RegExp): Array<{ method: string; url: string; status: number }> {
  const lines = registry
    .log()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map(
      (l) =>
        JSON.parse(l) as {
          reqId?: string;
          req?: { method: string; url: string };
          res?: { statusCode: number };
        },
    );
  const status = new Map(lines.filter((l) => l.res !== undefined).map((l) => [l.reqId, l.res!.statusCode]));
  return lines
    .filter((l) => l.req !== undefined && urlPattern.test(l.req.url))
    .map((l) => ({ method: l.req!.method, url: l.req!.url, status: status.get(l.reqId) ?? 0 }));
}

describe("skopeo against the registry", () => {
  let shop: OciImage;

  beforeAll(async () => {
    shop = await buildOciImage(join(work, "shop"), {
      tag: "1.0.0",
      layers: [{ files: { "app/hello.txt": "hello" } }, { randomBytes: 3_000_000 }],
      annotations: {
        "org.opencontainers.image.source": "https://github.com/acme/shop",
        "org.opencontainers.image.revision": "0123456789abcdef",
      },
    });
  });

  it("pushes an OCI image and pulls it back with the same digests", async () => {
    await push("builder", shop.ref, "shop/web:1.0.0");
    expect(Buffer.from(await inspectRaw("outsider", "shop/web:1.0.0"))).toEqual(Buffer.from(shop.manifest));
    const out = join(work, "pulled-oci");
    await pull("outsider", "shop/web:1.0.0", `oci:${out}:1.0.0`);
    const index = JSON.parse(await readFile(join(out, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(shop.manifestDigest);

    const tag = await tagOf("shop", "web", "1.0.0");
    expect(tag.statusCode).toBe(200);
    expect(tag.json()).toMatchObject({
      digest: shop.manifestDigest,
      media_type: "application/vnd.oci.image.manifest.v1+json",
      pushed_by: "builder",
      platforms: ["linux/amd64"],
      created: "2024-01-01T00:00:00.000Z",
      provenance: {
        status: "known",
        origin: "annotations",
        url: "https://github.com/acme/shop",
        revision: "0123456789abcdef",
      },
      revoked: null,
    });
  });

  it("pushes and pulls a Docker v2 schema 2 image", async () => {
    await push("builder", shop.ref, "shop/web:1.0.0-docker", ["--format", "v2s2"]);
    const manifest = JSON.parse(await inspectRaw("builder", "shop/web:1.0.0-docker"));
    expect(manifest.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    const out = join(work, "pulled-docker");
    await pull("builder", "shop/web:1.0.0-docker", `dir:${out}`);
    expect(JSON.parse(await readFile(join(out, "manifest.json"), "utf8"))).toEqual(manifest);
    expect((await tagOf("shop", "web", "1.0.0-docker")).json().media_type).toBe(
      "application/vnd.docker.distribution.manifest.v2+json",
    );
  });

  it("pushes and pulls a 100 MB layer", async () => {
    const big = await buildOciImage(join(work, "big"), {
      tag: "2.0.0",
      layers: [{ randomBytes: 100 * 1024 * 1024, gzip: false }],
      scmSource: { url: "git:git@github.com:acme/big.git", revision: "cafe", author: "jane", status: "" },
    });
    await push("builder", big.ref, "shop/big:2.0.0");
    const out = join(work, "pulled-big");
    await pull("builder", "shop/big:2.0.0", `oci:${out}:2.0.0`);
    // skopeo compresses the plain tar layer on its way to a registry, so the manifest differs from
    // the local one; the config (and so the image's diff ids) does not.
    const index = JSON.parse(await readFile(join(out, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe((await tagOf("shop", "big", "2.0.0")).json().digest);
    const pulled = JSON.parse(
      await readFile(join(out, "blobs", ...index.manifests[0].digest.split(":")), "utf8"),
    );
    expect(pulled.config.digest).toBe(big.configDigest);
    // The scm-source.json is read from the layers after the push: pending, then known.
    let provenance = (await tagOf("shop", "big", "2.0.0")).json().provenance;
    for (let i = 0; i < 100 && provenance.status === "pending"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      provenance = (await tagOf("shop", "big", "2.0.0")).json().provenance;
    }
    expect(provenance).toEqual({
      status: "known",
      origin: "scm-source.json",
      url: "git:git@github.com:acme/big.git",
      revision: "cafe",
      author: "jane",
      clean: true,
    });
  }, 120_000);

  it("mounts blobs across repositories instead of uploading them again", async () => {
    await skopeo([
      "copy",
      "--src-tls-verify=false",
      "--dest-tls-verify=false",
      "--src-creds",
      creds("builder"),
      "--dest-creds",
      creds("builder"),
      `docker://${registry.host}/shop/web:1.0.0`,
      `docker://${registry.host}/shop/web-copy:1.0.0`,
    ]);
    // Every layer is mounted; skopeo uploads only the small config blob.
    const mounts = answers(/^\/v2\/shop\/web-copy\/blobs\/uploads\/\?.*mount=/);
    expect(mounts.map((m) => m.status)).toEqual(shop.layerDigests.map(() => 201));
    const patches = answers(/^\/v2\/shop\/web-copy\/blobs\/uploads\/[0-9a-f-]{36}/).filter(
      (a) => a.method === "PATCH",
    );
    expect(patches.length).toBeLessThanOrEqual(1);
    expect((await tagOf("shop", "web-copy", "1.0.0")).json().digest).toBe(shop.manifestDigest);
  });

  it("leaves nothing visible after an interrupted push, and a second push completes", async () => {
    const big = await buildOciImage(join(work, "interrupted"), {
      tag: "3.0.0",
      layers: [{ randomBytes: 100 * 1024 * 1024, gzip: false }],
    });
    const child = spawn("skopeo", [
      "--insecure-policy",
      "copy",
      "--dest-tls-verify=false",
      "--dest-creds",
      creds("builder"),
      big.ref,
      `docker://${registry.host}/shop/interrupted:3.0.0`,
    ]);
    // Kill skopeo once the big layer's upload has started.
    for (let i = 0; i < 200 && answers(/^\/v2\/shop\/interrupted\/blobs\/uploads\/$/).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 150));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("close", r));
    expect((await tagOf("shop", "interrupted", "3.0.0")).statusCode).toBe(404);
    for (const digest of big.layerDigests) expect(await blobVisible("shop/interrupted", digest)).toBe(false);

    await push("builder", big.ref, "shop/interrupted:3.0.0");
    const pushed = JSON.parse(await inspectRaw("builder", "shop/interrupted:3.0.0"));
    expect(pushed.config.digest).toBe(big.configDigest);
    expect(await blobVisible("shop/interrupted", pushed.layers[0].digest)).toBe(true);
  }, 120_000);

  it("refuses a push into another team's namespace and creates nothing", async () => {
    const attempt = push("outsider", shop.ref, "shop/intruder:1.0.0");
    await expect(attempt).rejects.toThrow(/denied|DENIED/);
    // Reads are open to every authenticated principal; no write succeeded.
    const writes = answers(/^\/v2\/shop\/intruder\//).filter(
      (a) => a.method !== "GET" && a.method !== "HEAD",
    );
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((a) => a.status === 403)).toBe(true);
    expect(
      (await call("admin", "GET", "/api/images?team=shop"))
        .json()
        .items.map((a: { artifact: string }) => a.artifact),
    ).not.toContain("intruder");
  });

  it("refuses to move an immutable tag, and accepts the same content again", async () => {
    const other = await buildOciImage(join(work, "other"), {
      tag: "1.0.0",
      layers: [{ files: { "x.txt": "other" } }],
    });
    await expect(push("builder", other.ref, "shop/web:1.0.0")).rejects.toThrow(
      /TAG_INVALID|tag invalid|immutable/i,
    );
    expect((await tagOf("shop", "web", "1.0.0")).json().digest).toBe(shop.manifestDigest);
    await push("builder", shop.ref, "shop/web:1.0.0");
    expect((await tagOf("shop", "web", "1.0.0")).json().digest).toBe(shop.manifestDigest);
  });

  it("refuses the tag latest", async () => {
    await expect(push("builder", shop.ref, "shop/web:latest")).rejects.toThrow(
      /TAG_INVALID|tag invalid|latest/i,
    );
    expect((await tagOf("shop", "web", "latest")).statusCode).toBe(404);
  });

  it("lists tags with skopeo", async () => {
    const { stdout } = await skopeo([
      "list-tags",
      "--tls-verify=false",
      "--creds",
      creds("outsider"),
      `docker://${registry.host}/shop/web`,
    ]);
    expect(JSON.parse(stdout).Tags).toEqual(["1.0.0", "1.0.0-docker"]);
  });
});

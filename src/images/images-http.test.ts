import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blobPath,
  buildOciImage,
  OCI_MANIFEST,
  type OciImage,
  type OciImageOptions,
  ociArtifact,
  sha256,
} from "../../test/support/oci-image.js";
import {
  passwordToken,
  startTestServer,
  TEST_ADMIN_PASSWORD,
  type TestServer,
} from "../../test/support/server.js";

// One control plane for the file: team alpha (ann), team beta (ben, the outsider), pushes over /v2/.
let t: TestServer;
let work: string;
let admin: string;
let ann: string;
let ben: string;
let counter = 0;

const PASSWORD = "a long enough password";
const REGISTRY_HOST = "127.0.0.1:8080";
const SCM = { url: "git:git@github.com:acme/shop.git", revision: "0f3a5c9e2b7d", author: "ann", status: "" };

const api = (token: string | undefined, method: InjectOptions["method"], url: string, payload?: object) =>
  t.server.app.inject({
    method,
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload }),
  });

const basic = (token: string) => ({
  authorization: `Basic ${Buffer.from(`oauth2:${token}`).toString("base64")}`,
});

async function pushBlob(repo: string, bytes: Uint8Array, token: string): Promise<void> {
  const response = await t.server.app.inject({
    method: "POST",
    url: `/v2/${repo}/blobs/uploads/?digest=${sha256(bytes)}`,
    headers: { ...basic(token), "content-type": "application/octet-stream" },
    payload: Buffer.from(bytes),
  });
  expect(response.statusCode, response.body).toBe(201);
}

async function putManifest(repo: string, reference: string, bytes: Uint8Array, token: string): Promise<void> {
  const response = await t.server.app.inject({
    method: "PUT",
    url: `/v2/${repo}/manifests/${reference}`,
    headers: { ...basic(token), "content-type": OCI_MANIFEST },
    payload: Buffer.from(bytes),
  });
  expect(response.statusCode, response.body).toBe(201);
}

async function pushImage(
  repo: string,
  tag: string,
  options: OciImageOptions,
  token = ann,
): Promise<OciImage> {
  const image = await buildOciImage(join(work, `image-${counter++}`), { ...options, tag });
  for (const digest of [image.configDigest, ...image.layerDigests]) {
    await pushBlob(repo, await readFile(blobPath(image.dir, digest)), token);
  }
  await putManifest(repo, tag, image.manifest, token);
  return image;
}

async function person(id: string, team: string): Promise<string> {
  expect(
    (await api(admin, "POST", "/api/users", { id, name: id, email: `${id}@example.com`, password: PASSWORD }))
      .statusCode,
  ).toBe(201);
  expect((await api(admin, "PUT", `/api/teams/${team}/members/${id}`)).statusCode).toBe(204);
  return passwordToken(t.server, id, PASSWORD);
}

async function audited(target: string): Promise<Array<{ action: string; actor_sub: string }>> {
  return t.server.db
    .selectFrom("audit_entries")
    .select(["action", "actor_sub"])
    .where("target", "=", target)
    .orderBy("seq")
    .execute();
}

const tagOf = async (repository: string, tag: string) =>
  (await api(ann, "GET", `/api/images/${repository}/tags/${tag}`)).json();

let shop: OciImage;

beforeAll(async () => {
  t = await startTestServer();
  work = await mkdtemp(join(tmpdir(), "charter-images-http-"));
  admin = await passwordToken(t.server, "admin", TEST_ADMIN_PASSWORD);
  for (const team of ["alpha", "beta"]) {
    expect((await api(admin, "POST", "/api/teams", { id: team, name: team })).statusCode).toBe(201);
  }
  ann = await person("ann", "alpha");
  ben = await person("ben", "beta");
  const layers = [{ files: { "app/run.sh": "echo shop\n" } }];
  shop = await pushImage("alpha/shop", "1.0.0", {
    layers,
    annotations: {
      "org.opencontainers.image.source": "https://github.com/acme/shop",
      "org.opencontainers.image.revision": "4f2c0a1",
    },
  });
  await pushImage("alpha/shop", "1.0.1", { layers: [{ files: { "app/run.sh": "echo 1.0.1\n" } }] });
  await pushImage("alpha/shop", "1.1.0", { layers: [{ files: { "app/run.sh": "echo 1.1.0\n" } }] });
  await pushImage("alpha/cart", "1.0.0", { layers });
  await pushImage("beta/ledger", "1.0.0", { layers }, ben);
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("GET /api/images", () => {
  it("needs a bearer token", async () => {
    expect((await api(undefined, "GET", "/api/images")).statusCode).toBe(401);
    expect((await api(undefined, "GET", "/api/images/alpha/shop/tags/1.0.0")).statusCode).toBe(401);
  });

  it("lists a team's artifacts with their tag counts and last push", async () => {
    const response = await api(ben, "GET", "/api/images?team=alpha");
    expect(response.statusCode).toBe(200);
    const page = response.json();
    expect(page.next_cursor).toBeNull();
    expect(page.items).toEqual([
      {
        team: "alpha",
        artifact: "cart",
        repository: "alpha/cart",
        tag_count: 1,
        last_pushed_at: expect.any(String),
      },
      {
        team: "alpha",
        artifact: "shop",
        repository: "alpha/shop",
        tag_count: 3,
        last_pushed_at: expect.any(String),
      },
    ]);
  });

  it("lists every artifact by repository, page by page with a cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/images?limit=2${cursor === null ? "" : `&cursor=${cursor}`}`;
      const page = (await api(ben, "GET", url)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((a: { repository: string }) => a.repository));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(["alpha/cart", "alpha/shop", "beta/ledger"]);
  });

  it("refuses a malformed cursor, a limit out of range and a team id that is not one", async () => {
    expect((await api(ben, "GET", "/api/images?cursor=not%20base64")).statusCode).toBe(400);
    expect((await api(ben, "GET", "/api/images?limit=0")).statusCode).toBe(400);
    expect((await api(ben, "GET", "/api/images?limit=501")).statusCode).toBe(400);
    expect((await api(ben, "GET", "/api/images?team=Not_A_Team")).statusCode).toBe(400);
  });
});

describe("GET /api/images/{team}/{artifact}/tags", () => {
  it("lists tags newest first, page by page with a cursor", async () => {
    const all = (await api(ben, "GET", "/api/images/alpha/shop/tags")).json();
    expect(all.items.map((tag: { tag: string }) => tag.tag)).toEqual(["1.1.0", "1.0.1", "1.0.0"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/images/alpha/shop/tags?limit=1${cursor === null ? "" : `&cursor=${cursor}`}`;
      const page = (await api(ben, "GET", url)).json();
      expect(page.items).toHaveLength(1);
      seen.push(page.items[0].tag);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(["1.1.0", "1.0.1", "1.0.0"]);
  });

  it("answers an unknown repository with 404 IMAGES_NAME_UNKNOWN and a bad cursor with 400", async () => {
    expect((await api(ben, "GET", "/api/images/alpha/nothing/tags")).json()).toMatchObject({
      status: 404,
      code: "IMAGES_NAME_UNKNOWN",
    });
    expect((await api(ben, "GET", "/api/images/alpha/shop/tags?cursor=bm9wZQ")).json()).toMatchObject({
      status: 400,
      code: "IMAGES_INVALID_CURSOR",
    });
  });
});

describe("GET /api/images/{team}/{artifact}/tags/{tag}", () => {
  it("shows digest, size, platforms, created, who pushed and the provenance", async () => {
    const response = await api(ben, "GET", "/api/images/alpha/shop/tags/1.0.0");
    expect(response.statusCode).toBe(200);
    const tag = response.json();
    expect(tag).toEqual({
      team: "alpha",
      artifact: "shop",
      repository: "alpha/shop",
      tag: "1.0.0",
      reference: `${REGISTRY_HOST}/alpha/shop:1.0.0`,
      digest: shop.manifestDigest,
      media_type: OCI_MANIFEST,
      size: shop.totalSize,
      platforms: ["linux/amd64"],
      created: "2024-01-01T00:00:00.000Z",
      pushed_at: expect.any(String),
      pushed_by: "ann",
      provenance: {
        status: "known",
        origin: "annotations",
        url: "https://github.com/acme/shop",
        revision: "4f2c0a1",
        author: null,
        clean: null,
      },
      revoked: null,
    });
    expect(Date.now() - Date.parse(tag.pushed_at)).toBeLessThan(5 * 60_000);
  });

  it("answers an unknown tag with 404 IMAGES_TAG_NOT_FOUND, and a malformed one with 400", async () => {
    expect((await api(ben, "GET", "/api/images/alpha/shop/tags/9.9.9")).json()).toMatchObject({
      status: 404,
      code: "IMAGES_TAG_NOT_FOUND",
    });
    expect((await api(ben, "GET", "/api/images/alpha/nothing/tags/1.0.0")).json()).toMatchObject({
      status: 404,
    });
    expect((await api(ben, "GET", "/api/images/alpha/shop/tags/-x")).statusCode).toBe(400);
  });
});

describe("provenance", () => {
  it("comes from the image config's labels", async () => {
    await pushImage("alpha/labelled", "1.0.0", {
      layers: [{ files: { a: "labels" } }],
      labels: {
        "org.opencontainers.image.source": "https://github.com/acme/labelled",
        "org.opencontainers.image.revision": "9e8d7c6",
        "org.opencontainers.image.authors": "ann",
      },
    });
    expect((await tagOf("alpha/labelled", "1.0.0")).provenance).toEqual({
      status: "known",
      origin: "annotations",
      url: "https://github.com/acme/labelled",
      revision: "9e8d7c6",
      author: "ann",
      clean: null,
    });
  });

  it("comes from /scm-source.json in a layer: pending, then known once the layers are read", async () => {
    await pushImage("alpha/scm", "1.0.0", { layers: [{ files: { a: "scm" } }], scmSource: SCM });
    expect(["pending", "known"]).toContain((await tagOf("alpha/scm", "1.0.0")).provenance.status);
    await expect
      .poll(async () => (await tagOf("alpha/scm", "1.0.0")).provenance.status, { timeout: 10_000 })
      .toBe("known");
    expect((await tagOf("alpha/scm", "1.0.0")).provenance).toEqual({
      status: "known",
      origin: "scm-source.json",
      url: SCM.url,
      revision: SCM.revision,
      author: "ann",
      clean: true,
    });
  });

  it("says clean: false for an image built from a dirty working tree", async () => {
    await pushImage("alpha/dirty", "1.0.0", {
      layers: [{ files: { a: "dirty" } }],
      scmSource: { ...SCM, status: " M src/app.ts\n?? notes.txt\n" },
    });
    await expect
      .poll(async () => (await tagOf("alpha/dirty", "1.0.0")).provenance.status, { timeout: 10_000 })
      .toBe("known");
    expect((await tagOf("alpha/dirty", "1.0.0")).provenance).toMatchObject({
      clean: false,
      revision: SCM.revision,
    });
  });

  it("comes from an scm-source referrer artifact attached to the image", async () => {
    const image = await pushImage("alpha/attached", "1.0.0", { layers: [{ files: { a: "attached" } }] });
    const artifact = ociArtifact({ subject: image.descriptor, content: { ...SCM, revision: "1a2b3c4d" } });
    for (const bytes of artifact.blobs.values()) await pushBlob("alpha/attached", bytes, ann);
    await putManifest("alpha/attached", artifact.digest, artifact.manifest, ann);
    await expect
      .poll(async () => (await tagOf("alpha/attached", "1.0.0")).provenance.origin, { timeout: 10_000 })
      .toBe("referrer");
    expect((await tagOf("alpha/attached", "1.0.0")).provenance).toEqual({
      status: "known",
      origin: "referrer",
      url: SCM.url,
      revision: "1a2b3c4d",
      author: "ann",
      clean: true,
    });
  });

  it("is missing, with a note, for an image that names no source anywhere", async () => {
    await pushImage("alpha/anonymous", "1.0.0", { layers: [{ files: { a: "nothing" } }] });
    await expect
      .poll(async () => (await tagOf("alpha/anonymous", "1.0.0")).provenance.status, { timeout: 10_000 })
      .toBe("missing");
    expect((await tagOf("alpha/anonymous", "1.0.0")).provenance).toEqual({
      status: "missing",
      note: expect.any(String),
    });
  });
});

describe("POST /api/images/{team}/{artifact}/tags/{tag}/revoke", () => {
  const revoke = (token: string, path: string, reason: unknown = "CVE-2026-0001 in libfoo") =>
    api(token, "POST", `/api/images/${path}/revoke`, { reason });

  it("refuses an outsider with 403 IMAGES_DENIED and changes nothing", async () => {
    const response = await revoke(ben, "alpha/shop/tags/1.0.1");
    expect(response.json()).toMatchObject({ status: 403, code: "IMAGES_DENIED" });
    expect((await tagOf("alpha/shop", "1.0.1")).revoked).toBeNull();
    expect(await audited("image/alpha/shop:1.0.1")).toEqual([{ action: "image.tag.push", actor_sub: "ann" }]);
  });

  it("revokes for a member of the team, audited, and shows the revocation everywhere", async () => {
    const response = await revoke(ann, "alpha/shop/tags/1.0.1", "  CVE-2026-0001 in libfoo  ");
    expect(response.statusCode).toBe(200);
    const tag = response.json();
    expect(tag).toMatchObject({
      tag: "1.0.1",
      revoked: { at: expect.any(String), by: "ann", reason: "CVE-2026-0001 in libfoo" },
    });
    expect((await tagOf("alpha/shop", "1.0.1")).revoked).toEqual(tag.revoked);
    const listed = (await api(ben, "GET", "/api/images/alpha/shop/tags")).json().items;
    expect(listed.find((t: { tag: string }) => t.tag === "1.0.1").revoked).toEqual(tag.revoked);
    expect(listed.find((t: { tag: string }) => t.tag === "1.0.0").revoked).toBeNull();
    expect(await audited("image/alpha/shop:1.0.1")).toEqual([
      { action: "image.tag.push", actor_sub: "ann" },
      { action: "image.tag.revoke", actor_sub: "ann" },
    ]);
  });

  it("answers a second revocation with 409 IMAGES_TAG_ALREADY_REVOKED", async () => {
    const response = await revoke(ann, "alpha/shop/tags/1.0.1", "again");
    expect(response.json()).toMatchObject({ status: 409, code: "IMAGES_TAG_ALREADY_REVOKED" });
    expect((await tagOf("alpha/shop", "1.0.1")).revoked.reason).toBe("CVE-2026-0001 in libfoo");
  });

  it("lets an admin revoke any team's tag", async () => {
    const response = await revoke(admin, "beta/ledger/tags/1.0.0", "superseded");
    expect(response.json().revoked).toMatchObject({ by: "admin", reason: "superseded" });
  });

  it("keeps a revoked tag: it cannot be pushed over and still names its digest", async () => {
    const before = await tagOf("alpha/shop", "1.0.1");
    const pulled = await t.server.app.inject({
      method: "HEAD",
      url: "/v2/alpha/shop/manifests/1.0.1",
      headers: basic(ann),
    });
    expect(pulled.headers["docker-content-digest"]).toBe(before.digest);
    const overwrite = await t.server.app.inject({
      method: "PUT",
      url: "/v2/alpha/shop/manifests/1.0.1",
      headers: { ...basic(ann), "content-type": OCI_MANIFEST },
      payload: Buffer.from(shop.manifest),
    });
    expect(overwrite.statusCode).toBe(409);
    expect((await tagOf("alpha/shop", "1.0.1")).revoked).not.toBeNull();
  });

  it("refuses a missing, blank or too long reason, and unknown fields", async () => {
    expect((await revoke(ann, "alpha/shop/tags/1.1.0", "")).statusCode).toBe(400);
    expect((await revoke(ann, "alpha/shop/tags/1.1.0", "   ")).statusCode).toBe(400);
    expect((await revoke(ann, "alpha/shop/tags/1.1.0", "x".repeat(1001))).statusCode).toBe(400);
    expect((await api(ann, "POST", "/api/images/alpha/shop/tags/1.1.0/revoke", {})).statusCode).toBe(400);
    expect(
      (await api(ann, "POST", "/api/images/alpha/shop/tags/1.1.0/revoke", { reason: "x", extra: true }))
        .statusCode,
    ).toBe(400);
    expect((await tagOf("alpha/shop", "1.1.0")).revoked).toBeNull();
  });

  it("answers revoking an unknown tag with 404", async () => {
    expect((await revoke(ann, "alpha/shop/tags/7.7.7")).json()).toMatchObject({
      status: 404,
      code: "IMAGES_TAG_NOT_FOUND",
    });
  });
});

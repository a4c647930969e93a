import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blobPath,
  buildOciImage,
  OCI_INDEX,
  OCI_MANIFEST,
  type OciImage,
  ociArtifact,
  sha256,
} from "../../test/support/oci-image.js";
import { type RegistryServer, startRegistryServer } from "../../test/support/registry-server.js";
import {
  passwordToken,
  startTestServer,
  TEST_ADMIN_PASSWORD,
  type TestServer,
} from "../../test/support/server.js";
import { RegistryTokenIssuer } from "../tokens/index.js";

// One listening control plane for the file (real sockets for the interrupted upload), with team
// alpha (ann), team beta (ben), and two service clients of alpha: one holding images.write, one not.
let r: RegistryServer;
let work: string;
let admin: string;
let ann: string;
let ben: string;
let ciWriter: string;
let ciReader: string;
let shop: OciImage;
let shop2: OciImage;

const PASSWORD = "a long enough password";
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

type Credentials = string | { bearer: string } | undefined;

function authorization(credentials: Credentials): Record<string, string> {
  if (credentials === undefined) return {};
  if (typeof credentials === "string") {
    return { authorization: `Basic ${Buffer.from(`oauth2:${credentials}`).toString("base64")}` };
  }
  return { authorization: `Bearer ${credentials.bearer}` };
}

function oci(
  method: InjectOptions["method"],
  url: string,
  credentials: Credentials,
  options: { payload?: Uint8Array | string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return r.server.app.inject({
    method,
    url,
    headers: { ...authorization(credentials), ...options.headers },
    ...(options.payload === undefined ? {} : { payload: Buffer.from(options.payload) }),
  });
}

const api = (token: string, method: InjectOptions["method"], url: string, payload?: object) =>
  r.server.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload }),
  });

/** The OCI error body's first code, after checking the body has the specification's shape. */
function errorCode(response: LightMyRequestResponse): string {
  const body = response.json() as { errors: Array<{ code: string; message: string; detail?: unknown }> };
  expect(Array.isArray(body.errors)).toBe(true);
  expect(body.errors[0]).toEqual({
    code: expect.any(String),
    message: expect.any(String),
    detail: expect.anything(),
  });
  return body.errors[0]!.code;
}

function expectError(response: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: response.statusCode, code: errorCode(response) }, response.body).toEqual({ status, code });
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
}

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}

const layoutBlob = (image: OciImage, digest: string) => readFile(blobPath(image.dir, digest));

async function pushBlob(repo: string, bytes: Uint8Array, credentials: Credentials = admin): Promise<string> {
  const digest = sha256(bytes);
  const response = await oci("POST", `/v2/${repo}/blobs/uploads/?digest=${digest}`, credentials, {
    payload: bytes,
    headers: { "content-type": "application/octet-stream" },
  });
  expect(response.statusCode, response.body).toBe(201);
  return digest;
}

function putManifest(
  repo: string,
  reference: string,
  bytes: Uint8Array,
  credentials: Credentials = admin,
  mediaType = OCI_MANIFEST,
): Promise<LightMyRequestResponse> {
  return oci("PUT", `/v2/${repo}/manifests/${reference}`, credentials, {
    payload: bytes,
    headers: { "content-type": mediaType },
  });
}

async function pushBlobsOf(repo: string, image: OciImage, credentials: Credentials = admin): Promise<void> {
  for (const digest of [image.configDigest, ...image.layerDigests]) {
    await pushBlob(repo, await layoutBlob(image, digest), credentials);
  }
}

async function pushImage(repo: string, tag: string, image: OciImage, credentials: Credentials = admin) {
  await pushBlobsOf(repo, image, credentials);
  const response = await putManifest(repo, tag, image.manifest, credentials);
  expect(response.statusCode, response.body).toBe(201);
  return response;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Over a real socket: announces `bytes`, sends about half of them, then drops the connection. */
function sendHalfThenDrop(
  method: string,
  path: string,
  bytes: Uint8Array,
  headers: Record<string, string>,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const request = httpRequest(`${r.url}${path}`, {
      method,
      headers: {
        ...authorization(ann),
        "content-type": "application/octet-stream",
        "content-length": String(bytes.byteLength),
        ...headers,
      },
    });
    request.on("error", () => resolve());
    request.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)), () => {
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 200);
    });
  });
}

async function auditActions(target: string): Promise<string[]> {
  const rows = await r.server.db
    .selectFrom("audit_entries")
    .select(["action"])
    .where("target", "=", target)
    .orderBy("seq")
    .execute();
  return rows.map((row: { action: string }) => row.action);
}

async function person(id: string, team: string): Promise<string> {
  expect(
    (await api(admin, "POST", "/api/users", { id, name: id, email: `${id}@example.com`, password: PASSWORD }))
      .statusCode,
  ).toBe(201);
  expect((await api(admin, "PUT", `/api/teams/${team}/members/${id}`)).statusCode).toBe(204);
  return passwordToken(r.server, id, PASSWORD);
}

async function client(id: string, team: string, scopes: string[]): Promise<string> {
  const created = await api(admin, "POST", "/api/clients", {
    id,
    team_id: team,
    name: id,
    confidential: true,
    scopes,
  });
  expect(created.statusCode, created.body).toBe(201);
  const secret = created.json().client_secret as string;
  const token = await r.server.app.inject({
    method: "POST",
    url: "/oauth2/access_token",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
    },
    payload: "grant_type=client_credentials",
  });
  expect(token.statusCode, token.body).toBe(200);
  return token.json().access_token as string;
}

beforeAll(async () => {
  r = await startRegistryServer();
  work = await mkdtemp(join(tmpdir(), "charter-oci-http-"));
  admin = await passwordToken(r.server, "admin", TEST_ADMIN_PASSWORD);
  for (const team of ["alpha", "beta"]) {
    expect((await api(admin, "POST", "/api/teams", { id: team, name: team })).statusCode).toBe(201);
  }
  ann = await person("ann", "alpha");
  ben = await person("ben", "beta");
  ciWriter = await client("alpha-ci", "alpha", ["images.write"]);
  ciReader = await client("alpha-bot", "alpha", []);
  shop = await buildOciImage(join(work, "shop"), {
    tag: "1.0.0",
    layers: [{ files: { "app/hello.txt": "hello\n" } }, { files: { "app/VERSION": "1.0.0\n" }, gzip: false }],
  });
  shop2 = await buildOciImage(join(work, "shop2"), {
    tag: "2.0.0",
    layers: [{ files: { "app/hello.txt": "hello again\n" } }],
  });
}, 60_000);

afterAll(async () => {
  await r?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("authentication", () => {
  it("answers /v2/ without credentials with 401 and a Bearer challenge naming realm and service", async () => {
    const response = await oci("GET", "/v2/", undefined);
    expectError(response, 401, "UNAUTHORIZED");
    expect(response.headers["www-authenticate"]).toBe(`Bearer realm="${r.url}/v2/token",service="${r.host}"`);
    expect(response.headers["docker-distribution-api-version"]).toBe("registry/2.0");
  });

  it("answers /v2/ with 200 for Basic oauth2:<access token>", async () => {
    const response = await oci("GET", "/v2/", ann);
    expect(response.statusCode).toBe(200);
    expect(response.headers["docker-distribution-api-version"]).toBe("registry/2.0");
  });

  it("asks for the needed scope when a repository request comes without credentials", async () => {
    const response = await oci("GET", "/v2/alpha/shop/manifests/1.0.0", undefined);
    expectError(response, 401, "UNAUTHORIZED");
    expect(response.headers["www-authenticate"]).toBe(
      `Bearer realm="${r.url}/v2/token",service="${r.host}",scope="repository:alpha/shop:pull"`,
    );
    const push = await oci("POST", "/v2/alpha/shop/blobs/uploads/", undefined);
    expect(push.headers["www-authenticate"]).toContain('scope="repository:alpha/shop:pull,push"');
  });

  it("refuses Basic with another username than oauth2, a missing password, and a token that is not one", async () => {
    const wrongUser = await oci("GET", "/v2/", undefined, {
      headers: { authorization: `Basic ${Buffer.from(`ann:${ann}`).toString("base64")}` },
    });
    expectError(wrongUser, 401, "UNAUTHORIZED");
    expect(wrongUser.headers["www-authenticate"]).toMatch(/^Bearer realm=/);
    const noColon = await oci("GET", "/v2/", undefined, {
      headers: { authorization: `Basic ${Buffer.from("oauth2").toString("base64")}` },
    });
    expectError(noColon, 401, "UNAUTHORIZED");
    expectError(await oci("GET", "/v2/", "not-a-token"), 401, "UNAUTHORIZED");
    expectError(
      await oci("GET", "/v2/", undefined, { headers: { authorization: "Digest abc" } }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("issues registry tokens for Basic oauth2:<token>, granting only what the principal may do", async () => {
    const scope = "repository:alpha/shop:pull,push";
    const url = `/v2/token?service=${encodeURIComponent(r.host)}&scope=${encodeURIComponent(scope)}`;
    const forAnn = await oci("GET", url, ann);
    expect(forAnn.statusCode, forAnn.body).toBe(200);
    const body = forAnn.json();
    expect(body).toEqual({
      token: expect.any(String),
      access_token: body.token,
      expires_in: expect.any(Number),
      issued_at: expect.any(String),
    });
    expect(body.expires_in).toBeGreaterThan(0);
    expect(body.expires_in).toBeLessThanOrEqual(3600);
    expect(jwtPayload(body.token)).toMatchObject({
      sub: "ann",
      aud: r.host,
      iss: r.url,
      access: [{ type: "repository", name: "alpha/shop", actions: ["pull", "push"] }],
    });
    const forBen = (await oci("GET", url, ben)).json();
    expect(jwtPayload(forBen.token).access).toEqual([
      { type: "repository", name: "alpha/shop", actions: ["pull"] },
    ]);
    // Several scopes in one request, and junk scopes are ignored.
    const many = await oci(
      "GET",
      `/v2/token?service=${r.host}&scope=${encodeURIComponent("repository:beta/x:push")}&scope=${encodeURIComponent("nonsense")}`,
      ann,
    );
    expect(jwtPayload(many.json().token).access).toEqual([
      { type: "repository", name: "beta/x", actions: [] },
    ]);
  });

  it("never exchanges a registry token for another one, and never outlives the access token", async () => {
    const scope = encodeURIComponent("repository:alpha/shop:pull");
    const first = (await oci("GET", `/v2/token?service=${r.host}&scope=${scope}`, ann)).json()
      .token as string;
    const wider = encodeURIComponent("repository:alpha/shop:pull,push");
    expectError(
      await oci("GET", `/v2/token?service=${r.host}&scope=${wider}`, { bearer: first }),
      401,
      "UNAUTHORIZED",
    );
    const claims = jwtPayload(first);
    expect(claims.exp as number).toBeLessThanOrEqual(jwtPayload(ann).exp as number);
    // Only the scopes the registry checks travel in a registry token.
    expect((claims.scope as string[]).every((s) => s === "charter.admin" || s === "images.write")).toBe(true);
    const response = await oci("GET", `/v2/token?service=${r.host}&scope=${scope}`, ann);
    expect(response.headers["cache-control"]).toBe("no-store");
    const many = Array.from(
      { length: 11 },
      (_, i) => `scope=${encodeURIComponent(`repository:alpha/r${i}:pull`)}`,
    );
    expectError(await oci("GET", `/v2/token?service=${r.host}&${many.join("&")}`, ann), 405, "UNSUPPORTED");
  });

  it("leaves no repository behind after a refused first push", async () => {
    const bytes = randomBytes(64);
    const wrong = `sha256:${"0".repeat(64)}`;
    expectError(
      await oci("POST", `/v2/alpha/never-made/blobs/uploads/?digest=${wrong}`, ann, {
        payload: bytes,
        headers: { "content-type": "application/octet-stream" },
      }),
      400,
      "DIGEST_INVALID",
    );
    expect((await oci("POST", "/v2/alpha/never-made/blobs/uploads/", ann)).statusCode).toBe(202);
    const catalog = (await oci("GET", "/v2/_catalog", ann)).json().repositories as string[];
    expect(catalog).not.toContain("alpha/never-made");
  });

  it("refuses the token endpoint without credentials, with 401 and a challenge", async () => {
    const response = await oci("GET", `/v2/token?service=${r.host}`, undefined);
    expectError(response, 401, "UNAUTHORIZED");
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm=/);
  });

  it("lets a registry token do what it grants; a narrower one is asked to come back with the scope", async () => {
    const token = async (who: string, scope: string) =>
      (await oci("GET", `/v2/token?service=${r.host}&scope=${encodeURIComponent(scope)}`, who)).json()
        .token as string;
    // `docker login` checks /v2/ with a token that grants nothing.
    const login = (await oci("GET", `/v2/token?service=${r.host}`, ann)).json().token as string;
    expect(jwtPayload(login).access).toEqual([]);
    expect((await oci("GET", "/v2/", { bearer: login })).statusCode).toBe(200);
    const pushToken = await token(ann, "repository:alpha/tokens:pull,push");
    const bytes = randomBytes(100);
    await pushBlob("alpha/tokens", bytes, { bearer: pushToken });
    const pullOnly = await token(ann, "repository:alpha/tokens:pull");
    expect(
      (await oci("HEAD", `/v2/alpha/tokens/blobs/${sha256(bytes)}`, { bearer: pullOnly })).statusCode,
    ).toBe(200);
    const refused = await oci("POST", "/v2/alpha/tokens/blobs/uploads/", { bearer: pullOnly });
    expectError(refused, 401, "UNAUTHORIZED");
    expect(refused.headers["www-authenticate"]).toBe(
      `Bearer realm="${r.url}/v2/token",service="${r.host}",scope="repository:alpha/tokens:pull,push",error="insufficient_scope"`,
    );
    // A token for one repository does not open another.
    const elsewhere = await oci("GET", "/v2/alpha/shop/tags/list", { bearer: pullOnly });
    expectError(elsewhere, 401, "UNAUTHORIZED");
    // Ben's token for alpha grants pull only; pushing is denied outright (a new token would not help).
    const bens = await token(ben, "repository:alpha/tokens:pull,push");
    expectError(await oci("POST", "/v2/alpha/tokens/blobs/uploads/", { bearer: bens }), 403, "DENIED");
  });

  it("keeps registry tokens off the API and tokens for another audience off the registry", async () => {
    const scope = "repository:alpha/shop:pull";
    const registryToken = (await oci("GET", `/v2/token?service=${r.host}&scope=${scope}`, ann)).json()
      .token as string;
    expect((await api(registryToken, "GET", "/api/images")).statusCode).toBe(401);
    expect((await api(registryToken, "GET", "/api/teams")).statusCode).toBe(401);
    // Nor is a registry token an access token for Basic (where `docker login` puts access tokens).
    expectError(await oci("GET", "/v2/", registryToken), 401, "UNAUTHORIZED");

    // Tokens signed with the provider's own key, as if minted elsewhere: another audience is refused,
    // and grants beyond the principal's rights grant nothing.
    const issuer = new RegistryTokenIssuer({ keys: r.server.tokens.keys, issuer: r.url });
    const principal = { sub: "ben", realm: "employees" as const, scopes: new Set<string>() };
    const push = [{ type: "repository" as const, name: "alpha/shop", actions: ["pull", "push"] }];
    const otherAudience = issuer.issue(principal, "registry.example.com", push).token;
    expectError(await oci("GET", "/v2/alpha/shop/tags/list", { bearer: otherAudience }), 401, "UNAUTHORIZED");
    const tooGenerous = issuer.issue(principal, r.host, push).token;
    expectError(await oci("POST", "/v2/alpha/shop/blobs/uploads/", { bearer: tooGenerous }), 403, "DENIED");
    // An access token is accepted as a bearer too, but only for what its principal may do.
    expectError(await oci("POST", "/v2/alpha/shop/blobs/uploads/", { bearer: ben }), 403, "DENIED");
    // An access token (typ JWT) dressed up with the registry's audience and grants is still only
    // an access token: its `access` claim grants nothing.
    const key = r.server.tokens.keys.signingKey(new Date());
    const now = Math.floor(Date.now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, typ: "JWT" })).toString(
      "base64url",
    );
    const claims = Buffer.from(
      JSON.stringify({
        sub: "ben",
        realm: "employees",
        scope: [],
        iss: r.url,
        aud: r.host,
        iat: now,
        exp: now + 300,
        jti: "x",
        access: push,
      }),
    ).toString("base64url");
    const dressed = `${header}.${claims}.${key.sign(`${header}.${claims}`)}`;
    expect((await oci("GET", "/v2/", { bearer: dressed })).statusCode).toBe(200);
    expectError(await oci("POST", "/v2/alpha/shop/blobs/uploads/", { bearer: dressed }), 403, "DENIED");
  });

  it("never lets a registry token outlive the membership it was granted for", async () => {
    const cat = await person("cat", "alpha");
    const scope = encodeURIComponent("repository:alpha/leaver:pull,push");
    const token = (await oci("GET", `/v2/token?service=${r.host}&scope=${scope}`, cat)).json()
      .token as string;
    expect(jwtPayload(token).access).toEqual([
      { type: "repository", name: "alpha/leaver", actions: ["pull", "push"] },
    ]);
    expect((await api(admin, "DELETE", "/api/teams/alpha/members/cat")).statusCode).toBe(204);
    const refused = await oci("POST", "/v2/alpha/leaver/blobs/uploads/", { bearer: token });
    expect([401, 403]).toContain(refused.statusCode);
  });
});

describe("pull", () => {
  beforeAll(async () => {
    await pushImage("alpha/pull", "1.0.0", shop);
  });

  it("serves a manifest by tag and by digest, GET and HEAD, with type, length and digest", async () => {
    for (const reference of ["1.0.0", shop.manifestDigest]) {
      const get = await oci("GET", `/v2/alpha/pull/manifests/${reference}`, ben, {
        headers: { accept: OCI_MANIFEST },
      });
      expect(get.statusCode).toBe(200);
      expect(get.headers["content-type"]).toBe(OCI_MANIFEST);
      expect(get.headers["docker-content-digest"]).toBe(shop.manifestDigest);
      expect(Number(get.headers["content-length"])).toBe(shop.manifest.byteLength);
      expect(get.rawPayload.equals(Buffer.from(shop.manifest))).toBe(true);
      const head = await oci("HEAD", `/v2/alpha/pull/manifests/${reference}`, ben);
      expect(head.statusCode).toBe(200);
      expect(head.headers["content-type"]).toBe(OCI_MANIFEST);
      expect(head.headers["docker-content-digest"]).toBe(shop.manifestDigest);
      expect(Number(head.headers["content-length"])).toBe(shop.manifest.byteLength);
      expect(head.rawPayload.byteLength).toBe(0);
    }
  });

  it("answers unknown manifests with 404 MANIFEST_UNKNOWN, and an unknown repository alike", async () => {
    expectError(await oci("GET", "/v2/alpha/pull/manifests/9.9.9", ben), 404, "MANIFEST_UNKNOWN");
    expectError(
      await oci("GET", `/v2/alpha/pull/manifests/sha256:${"0".repeat(64)}`, ben),
      404,
      "MANIFEST_UNKNOWN",
    );
    expectError(await oci("GET", "/v2/alpha/nothing/manifests/1.0.0", ben), 404, "MANIFEST_UNKNOWN");
    const head = await oci("HEAD", "/v2/alpha/pull/manifests/9.9.9", ben);
    expect(head.statusCode).toBe(404);
  });

  it("serves blobs whole, GET and HEAD, with length and digest", async () => {
    const digest = shop.layerDigests[0]!;
    const bytes = await layoutBlob(shop, digest);
    const get = await oci("GET", `/v2/alpha/pull/blobs/${digest}`, ben);
    expect(get.statusCode).toBe(200);
    expect(get.rawPayload.equals(bytes)).toBe(true);
    expect(get.headers["docker-content-digest"]).toBe(digest);
    expect(Number(get.headers["content-length"])).toBe(bytes.byteLength);
    const head = await oci("HEAD", `/v2/alpha/pull/blobs/${digest}`, ben);
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers["content-length"])).toBe(bytes.byteLength);
    expect(head.headers["docker-content-digest"]).toBe(digest);
    expect(head.rawPayload.byteLength).toBe(0);
  });

  it("answers a Range request with 206 and Content-Range, and an unsatisfiable one with 416", async () => {
    const digest = shop.layerDigests[0]!;
    const bytes = await layoutBlob(shop, digest);
    const part = await oci("GET", `/v2/alpha/pull/blobs/${digest}`, ben, {
      headers: { range: "bytes=10-19" },
    });
    expect(part.statusCode).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 10-19/${bytes.byteLength}`);
    expect(Number(part.headers["content-length"])).toBe(10);
    expect(part.rawPayload.equals(bytes.subarray(10, 20))).toBe(true);
    const tail = await oci("GET", `/v2/alpha/pull/blobs/${digest}`, ben, { headers: { range: "bytes=5-" } });
    expect(tail.statusCode).toBe(206);
    expect(tail.headers["content-range"]).toBe(`bytes 5-${bytes.byteLength - 1}/${bytes.byteLength}`);
    expect(tail.rawPayload.equals(bytes.subarray(5))).toBe(true);
    const beyond = await oci("GET", `/v2/alpha/pull/blobs/${digest}`, ben, {
      headers: { range: `bytes=${bytes.byteLength}-` },
    });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers["content-range"]).toBe(`bytes */${bytes.byteLength}`);
  });

  it("answers an unknown blob with 404 BLOB_UNKNOWN, and a blob of another repository alike", async () => {
    expectError(await oci("GET", `/v2/alpha/pull/blobs/sha256:${"1".repeat(64)}`, ben), 404, "BLOB_UNKNOWN");
    expect((await oci("HEAD", `/v2/alpha/pull/blobs/sha256:${"1".repeat(64)}`, ben)).statusCode).toBe(404);
    // The blob exists in alpha/pull, but was never pushed to or mounted in beta/other.
    expectError(await oci("GET", `/v2/beta/other/blobs/${shop.layerDigests[0]}`, ben), 404, "BLOB_UNKNOWN");
  });

  it("answers a malformed digest with 400 DIGEST_INVALID and a bad name with 400 NAME_INVALID", async () => {
    expectError(await oci("GET", "/v2/alpha/pull/blobs/sha256:abc", ben), 400, "DIGEST_INVALID");
    expectError(await oci("GET", "/v2/Alpha/pull/manifests/1.0.0", ben), 400, "NAME_INVALID");
    expectError(await oci("GET", "/v2/alpha/Pull/manifests/1.0.0", ben), 400, "NAME_INVALID");
    expectError(await oci("GET", "/v2/alpha/a/b/manifests/1.0.0", ben), 400, "NAME_INVALID");
    expectError(await oci("GET", "/v2/shop/manifests/1.0.0", ben), 400, "NAME_INVALID");
  });
});

describe("blob uploads", () => {
  const repo = "alpha/uploads";

  async function startUpload(): Promise<string> {
    const response = await oci("POST", `/v2/${repo}/blobs/uploads/`, ann);
    expect(response.statusCode, response.body).toBe(202);
    expect(response.headers.location).toMatch(new RegExp(`^/v2/${repo}/blobs/uploads/[0-9a-f-]{36}$`));
    return response.headers.location as string;
  }

  const headBlob = (digest: string) => oci("HEAD", `/v2/${repo}/blobs/${digest}`, ann);

  it("takes a monolithic POST ?digest= with 201, Location and Docker-Content-Digest", async () => {
    const bytes = randomBytes(3000);
    const digest = sha256(bytes);
    const response = await oci("POST", `/v2/${repo}/blobs/uploads/?digest=${digest}`, ann, {
      payload: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/v2/${repo}/blobs/${digest}`);
    expect(response.headers["docker-content-digest"]).toBe(digest);
    expect(response.headers["content-length"]).toBe("0");
    expect((await headBlob(digest)).statusCode).toBe(200);
  });

  it("takes a POST then a single PUT with the whole blob", async () => {
    const location = await startUpload();
    const bytes = randomBytes(2048);
    const digest = sha256(bytes);
    const response = await oci("PUT", `${location}?digest=${digest}`, ann, {
      payload: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/v2/${repo}/blobs/${digest}`);
    expect(response.headers["docker-content-digest"]).toBe(digest);
    expect((await oci("GET", `/v2/${repo}/blobs/${digest}`, ann)).rawPayload.equals(bytes)).toBe(true);
    // The upload is over.
    expectError(await oci("GET", location, ann), 404, "BLOB_UPLOAD_UNKNOWN");
  });

  it("takes chunks in order, answers an out-of-order one with 416 and Range, and resumes", async () => {
    const location = await startUpload();
    const bytes = randomBytes(3000);
    const digest = sha256(bytes);
    const patch = (start: number, end: number) =>
      oci("PATCH", location, ann, {
        payload: bytes.subarray(start, end + 1),
        headers: { "content-type": "application/octet-stream", "content-range": `${start}-${end}` },
      });
    const first = await patch(0, 999);
    expect(first.statusCode).toBe(202);
    expect(first.headers.range).toBe("0-999");
    expect(first.headers.location).toBe(location);
    // A chunk that skips ahead, and one that repeats: 416, Range tells where the upload is.
    for (const [start, end] of [
      [2000, 2999],
      [0, 999],
    ] as const) {
      const outOfOrder = await patch(start, end);
      expectError(outOfOrder, 416, "BLOB_UPLOAD_INVALID");
      expect(outOfOrder.headers.range).toBe("0-999");
    }
    const status = await oci("GET", location, ann);
    expect(status.statusCode).toBe(204);
    expect(status.headers.range).toBe("0-999");
    expect(status.headers.location).toBe(location);
    expect((await patch(1000, 1999)).headers.range).toBe("0-1999");
    expect((await patch(2000, 2999)).statusCode).toBe(202);
    const done = await oci("PUT", `${location}?digest=${digest}`, ann);
    expect(done.statusCode).toBe(201);
    expect((await oci("GET", `/v2/${repo}/blobs/${digest}`, ann)).rawPayload.equals(bytes)).toBe(true);
  });

  it("answers a malformed Content-Range with 416, and a chunk shorter than its Content-Range with 400", async () => {
    const location = await startUpload();
    const malformed = await oci("PATCH", location, ann, {
      payload: "abc",
      headers: { "content-range": "bytes=a-b" },
    });
    expect(malformed.statusCode).toBe(416);
    const short = await oci("PATCH", location, ann, { payload: "abc", headers: { "content-range": "0-9" } });
    expectError(short, 400, "BLOB_UPLOAD_INVALID");
    expect((await oci("GET", location, ann)).headers.range).toBe("0-0");
  });

  it("takes one streamed PATCH without Content-Range and a final PUT with the last chunk", async () => {
    const location = await startUpload();
    const bytes = randomBytes(5000);
    const digest = sha256(bytes);
    const streamed = await oci("PATCH", location, ann, {
      payload: bytes.subarray(0, 4000),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(streamed.statusCode).toBe(202);
    expect(streamed.headers.range).toBe("0-3999");
    const more = await oci("PATCH", location, ann, { payload: bytes.subarray(4000, 4500) });
    expect(more.headers.range).toBe("0-4499");
    const done = await oci("PUT", `${location}?digest=${digest}`, ann, {
      payload: bytes.subarray(4500),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(done.statusCode).toBe(201);
    expect((await oci("GET", `/v2/${repo}/blobs/${digest}`, ann)).rawPayload.equals(bytes)).toBe(true);
  });

  it("reports an upload's status with 204, Location and Range", async () => {
    const location = await startUpload();
    const fresh = await oci("GET", location, ann);
    expect(fresh.statusCode).toBe(204);
    expect(fresh.rawPayload.byteLength).toBe(0);
    expect(fresh.headers.location).toBe(location);
    expect(fresh.headers.range).toBe("0-0");
    expect(fresh.headers["docker-upload-uuid"]).toBe(location.split("/").at(-1));
    await oci("PATCH", location, ann, { payload: randomBytes(10) });
    expect((await oci("GET", location, ann)).headers.range).toBe("0-9");
  });

  it("cancels an upload with 204; the upload is then unknown", async () => {
    const location = await startUpload();
    await oci("PATCH", location, ann, { payload: randomBytes(10) });
    expect((await oci("DELETE", location, ann)).statusCode).toBe(204);
    expectError(await oci("GET", location, ann), 404, "BLOB_UPLOAD_UNKNOWN");
    expectError(await oci("PATCH", location, ann, { payload: "x" }), 404, "BLOB_UPLOAD_UNKNOWN");
    expectError(await oci("PUT", `${location}?digest=${sha256("x")}`, ann), 404, "BLOB_UPLOAD_UNKNOWN");
    expectError(await oci("DELETE", location, ann), 404, "BLOB_UPLOAD_UNKNOWN");
  });

  it("does not know an upload by another repository's name, or by an id that is not one", async () => {
    const location = await startUpload();
    const id = location.split("/").at(-1)!;
    expectError(await oci("GET", `/v2/alpha/elsewhere/blobs/uploads/${id}`, ann), 404, "BLOB_UPLOAD_UNKNOWN");
    expectError(await oci("GET", `/v2/${repo}/blobs/uploads/not-an-id`, ann), 404, "BLOB_UPLOAD_UNKNOWN");
  });

  it("refuses a wrong digest on completion with 400 DIGEST_INVALID and shows no blob", async () => {
    const bytes = randomBytes(1000);
    const claimed = sha256(randomBytes(1000));
    const location = await startUpload();
    await oci("PATCH", location, ann, {
      payload: bytes.subarray(0, 500),
      headers: { "content-range": "0-499" },
    });
    const wrong = await oci("PUT", `${location}?digest=${claimed}`, ann, { payload: bytes.subarray(500) });
    expectError(wrong, 400, "DIGEST_INVALID");
    expect((await headBlob(claimed)).statusCode).toBe(404);
    expect((await headBlob(sha256(bytes))).statusCode).toBe(404);

    const monolithic = await oci("POST", `/v2/${repo}/blobs/uploads/?digest=${claimed}`, ann, {
      payload: bytes,
    });
    expectError(monolithic, 400, "DIGEST_INVALID");
    expect((await headBlob(claimed)).statusCode).toBe(404);
    expect((await headBlob(sha256(bytes))).statusCode).toBe(404);

    expectError(await oci("PUT", `${await startUpload()}`, ann, { payload: bytes }), 400, "DIGEST_INVALID");
    expectError(
      await oci("PUT", `${await startUpload()}?digest=md5:abc`, ann, { payload: bytes }),
      400,
      "DIGEST_INVALID",
    );
  });

  it("takes an empty blob", async () => {
    const empty = new Uint8Array(0);
    const location = await startUpload();
    const done = await oci("PUT", `${location}?digest=${sha256(empty)}`, ann);
    expect(done.statusCode).toBe(201);
    const head = await headBlob(sha256(empty));
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-length"]).toBe("0");
  });

  it("refuses to delete blobs: garbage collection removes them", async () => {
    const digest = await pushBlob(repo, randomBytes(10), ann);
    expectError(await oci("DELETE", `/v2/${repo}/blobs/${digest}`, ann), 405, "UNSUPPORTED");
    expect((await headBlob(digest)).statusCode).toBe(200);
  });

  it("takes a PATCH streamed with chunked transfer encoding, as skopeo sends it", async () => {
    const location = await startUpload();
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const digest = sha256(bytes);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.byteLength; at += 256 * 1024)
          controller.enqueue(bytes.subarray(at, at + 256 * 1024));
        controller.close();
      },
    });
    const patched = await fetch(`${r.url}${location}`, {
      method: "PATCH",
      headers: { ...authorization(ann), "content-type": "application/octet-stream" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(patched.status).toBe(202);
    expect(patched.headers.get("range")).toBe(`0-${bytes.byteLength - 1}`);
    const done = await fetch(`${r.url}${location}?digest=${digest}`, {
      method: "PUT",
      headers: authorization(ann),
    });
    expect(done.status).toBe(201);
    const pulled = await fetch(`${r.url}/v2/${repo}/blobs/${digest}`, { headers: authorization(ann) });
    expect(Buffer.from(await pulled.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("keeps nothing of a monolithic POST interrupted midway", async () => {
    const bytes = randomBytes(512 * 1024);
    const digest = sha256(bytes);
    await sendHalfThenDrop("POST", `/v2/alpha/interrupted/blobs/uploads/?digest=${digest}`, bytes, {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await oci("HEAD", `/v2/alpha/interrupted/blobs/${digest}`, ann)).statusCode).toBe(404);
    const uploads = await r.server.db
      .selectFrom("image_uploads" as never)
      .select("id" as never)
      .where("repository" as never, "=", "alpha/interrupted" as never)
      .execute();
    expect(uploads).toEqual([]);
  });

  it("keeps nothing of a PATCH interrupted midway, and resumes from the last whole chunk", async () => {
    const location = await startUpload();
    const bytes = randomBytes(256 * 1024);
    const digest = sha256(bytes);
    const first = await oci("PATCH", location, ann, {
      payload: bytes.subarray(0, 1000),
      headers: { "content-range": "0-999" },
    });
    expect(first.statusCode).toBe(202);

    await sendHalfThenDrop("PATCH", location, bytes.subarray(1000), {
      "content-range": `1000-${bytes.byteLength - 1}`,
    });
    // Give the server time to notice and clean up.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const status = await oci("GET", location, ann);
    expect(status.statusCode).toBe(204);
    expect(status.headers.range).toBe("0-999");
    expect((await headBlob(digest)).statusCode).toBe(404);

    const rest = await oci("PATCH", location, ann, {
      payload: bytes.subarray(1000),
      headers: { "content-range": `1000-${bytes.byteLength - 1}` },
    });
    expect(rest.statusCode).toBe(202);
    expect((await oci("PUT", `${location}?digest=${digest}`, ann)).statusCode).toBe(201);
    expect((await oci("GET", `/v2/${repo}/blobs/${digest}`, ann)).rawPayload.equals(bytes)).toBe(true);
  });
});

describe("cross-repository mount", () => {
  it("mounts a blob the source has with 201, without moving bytes", async () => {
    const bytes = randomBytes(500);
    const digest = await pushBlob("alpha/mount-source", bytes, ann);
    const response = await oci(
      "POST",
      `/v2/alpha/mount-target/blobs/uploads/?mount=${digest}&from=alpha/mount-source`,
      ann,
    );
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/v2/alpha/mount-target/blobs/${digest}`);
    expect(response.headers["docker-content-digest"]).toBe(digest);
    expect((await oci("GET", `/v2/alpha/mount-target/blobs/${digest}`, ann)).rawPayload.equals(bytes)).toBe(
      true,
    );
  });

  it("mounts from another team's repository, which everyone may pull", async () => {
    const digest = await pushBlob("beta/shared", randomBytes(300), ben);
    const response = await oci(
      "POST",
      `/v2/alpha/from-beta/blobs/uploads/?mount=${digest}&from=beta/shared`,
      ann,
    );
    expect(response.statusCode).toBe(201);
  });

  it("falls back to an upload with 202 when the source lacks the blob", async () => {
    const digest = sha256(randomBytes(10));
    const response = await oci(
      "POST",
      `/v2/alpha/mount-target/blobs/uploads/?mount=${digest}&from=alpha/mount-source`,
      ann,
    );
    expect(response.statusCode).toBe(202);
    expect(response.headers.location).toMatch(/^\/v2\/alpha\/mount-target\/blobs\/uploads\/[0-9a-f-]{36}$/);
    expect((await oci("HEAD", `/v2/alpha/mount-target/blobs/${digest}`, ann)).statusCode).toBe(404);
  });

  it("falls back to an upload with 202 when the caller may not pull the source", async () => {
    const digest = await pushBlob("alpha/secret-source", randomBytes(200), ann);
    const scope = encodeURIComponent("repository:alpha/mount-narrow:pull,push");
    const token = (await oci("GET", `/v2/token?service=${r.host}&scope=${scope}`, ann)).json()
      .token as string;
    const response = await oci(
      "POST",
      `/v2/alpha/mount-narrow/blobs/uploads/?mount=${digest}&from=alpha/secret-source`,
      { bearer: token },
    );
    expect(response.statusCode).toBe(202);
    expect((await oci("HEAD", `/v2/alpha/mount-narrow/blobs/${digest}`, ann)).statusCode).toBe(404);
  });

  it("falls back with 202 for a malformed source or digest, and for a mount without a source", async () => {
    const digest = await pushBlob("alpha/mount-source", randomBytes(20), ann);
    for (const query of [
      `mount=${digest}&from=a/b/c`,
      `mount=${digest}&from=Alpha/mount-source`,
      "mount=sha256:abc&from=alpha/mount-source",
      `mount=${digest}`,
    ]) {
      const response = await oci("POST", `/v2/alpha/mount-odd/blobs/uploads/?${query}`, ann);
      expect(response.statusCode, query).toBe(202);
      expect(response.headers.location).toMatch(/^\/v2\/alpha\/mount-odd\/blobs\/uploads\//);
    }
    expect((await oci("HEAD", `/v2/alpha/mount-odd/blobs/${digest}`, ann)).statusCode).toBe(404);
  });
});

describe("manifest push", () => {
  it("stores a manifest by tag with 201, Location and Docker-Content-Digest, and audits it", async () => {
    await pushBlobsOf("alpha/shop", shop, ann);
    const response = await putManifest("alpha/shop", "1.0.0", shop.manifest, ann);
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/v2/alpha/shop/manifests/${shop.manifestDigest}`);
    expect(response.headers["docker-content-digest"]).toBe(shop.manifestDigest);
    expect(response.headers["oci-subject"]).toBeUndefined();
    expect(await auditActions("image/alpha/shop:1.0.0")).toEqual(["image.tag.push"]);
  });

  it("answers a manifest naming a blob the repository lacks with 400 MANIFEST_BLOB_UNKNOWN", async () => {
    // The layers are in alpha/shop, not in alpha/lacking.
    await pushBlob("alpha/lacking", await layoutBlob(shop, shop.configDigest), ann);
    const response = await putManifest("alpha/lacking", "1.0.0", shop.manifest, ann);
    expectError(response, 400, "MANIFEST_BLOB_UNKNOWN");
    expectError(await oci("GET", "/v2/alpha/lacking/manifests/1.0.0", ann), 404, "MANIFEST_UNKNOWN");
  });

  it("answers an invalid manifest with 400 MANIFEST_INVALID", async () => {
    const invalid = [
      "not json",
      JSON.stringify([]),
      JSON.stringify({ schemaVersion: 1, mediaType: OCI_MANIFEST }),
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }),
      JSON.stringify({ schemaVersion: 2, mediaType: "text/plain", config: {} }),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: "x", digest: "nope", size: 1 },
      }),
    ];
    for (const body of invalid) {
      expectError(
        await putManifest("alpha/shop", "2.0.0-bad", new TextEncoder().encode(body), ann),
        400,
        "MANIFEST_INVALID",
      );
    }
    // The Content-Type and the manifest's own mediaType must agree.
    expectError(
      await putManifest("alpha/shop", "2.0.0-bad", shop.manifest, ann, OCI_INDEX),
      400,
      "MANIFEST_INVALID",
    );
    expectError(await oci("GET", "/v2/alpha/shop/manifests/2.0.0-bad", ann), 404, "MANIFEST_UNKNOWN");
  });

  it("answers a manifest over 4 MiB with 413 and an OCI error body, and keeps nothing", async () => {
    const big = json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: JSON.parse(Buffer.from(shop.manifest).toString("utf8")).config,
      layers: [],
      annotations: { padding: "x".repeat(4 * 1024 * 1024) },
    });
    const response = await putManifest("alpha/shop", "huge", big, ann);
    expectError(response, 413, "SIZE_INVALID");
    expectError(await oci("GET", "/v2/alpha/shop/manifests/huge", ann), 404, "MANIFEST_UNKNOWN");
    expectError(await oci("GET", `/v2/alpha/shop/manifests/${sha256(big)}`, ann), 404, "MANIFEST_UNKNOWN");
  });

  it("checks a manifest pushed by digest against that digest", async () => {
    const ok = await putManifest("alpha/shop", shop.manifestDigest, shop.manifest, ann);
    expect(ok.statusCode).toBe(201);
    const wrong = await putManifest("alpha/shop", `sha256:${"2".repeat(64)}`, shop.manifest, ann);
    expectError(wrong, 400, "DIGEST_INVALID");
  });

  it("keeps tags immutable: other content is 409 TAG_INVALID, the same content 201", async () => {
    await pushBlobsOf("alpha/shop", shop2, ann);
    const overwrite = await putManifest("alpha/shop", "1.0.0", shop2.manifest, ann);
    expectError(overwrite, 409, "TAG_INVALID");
    const still = await oci("GET", "/v2/alpha/shop/manifests/1.0.0", ann);
    expect(still.headers["docker-content-digest"]).toBe(shop.manifestDigest);
    const again = await putManifest("alpha/shop", "1.0.0", shop.manifest, ann);
    expect(again.statusCode).toBe(201);
    expect(again.headers["docker-content-digest"]).toBe(shop.manifestDigest);
    // Neither the refused overwrite nor the identical re-push is recorded as a change of the tag.
    expect(await auditActions("image/alpha/shop:1.0.0")).toEqual(["image.tag.push"]);
  });

  it("refuses the tag latest with 409 TAG_INVALID, and an invalid tag with 400", async () => {
    expectError(await putManifest("alpha/shop", "latest", shop.manifest, ann), 409, "TAG_INVALID");
    expectError(await oci("GET", "/v2/alpha/shop/manifests/latest", ann), 404, "MANIFEST_UNKNOWN");
    expectError(await putManifest("alpha/shop", "-bad", shop.manifest, ann), 400, "TAG_INVALID");
    expectError(await putManifest("alpha/shop", "a.b:c", shop.manifest, ann), 400, "TAG_INVALID");
  });

  // Fastify's default maxParamLength (100) is shorter than a 128-character tag and a sha512 digest
  // (135 characters); createHttpApp raises it.
  it("takes tags of up to 128 characters and manifests by sha512 digest", async () => {
    const long = `v${"1".repeat(127)}`;
    expect((await putManifest("alpha/shop", long, shop.manifest, ann)).statusCode).toBe(201);
    expect((await oci("GET", `/v2/alpha/shop/manifests/${long}`, ann)).statusCode).toBe(200);
    expectError(await putManifest("alpha/shop", `${long}1`, shop.manifest, ann), 400, "TAG_INVALID");
    const sha512 = `sha512:${createHash("sha512").update(shop.manifest).digest("hex")}`;
    const byDigest = await putManifest("alpha/shop", sha512, shop.manifest, ann);
    expect(byDigest.statusCode, byDigest.body).toBe(201);
    expect(byDigest.headers["docker-content-digest"]).toBe(sha512);
    const got = await oci("GET", `/v2/alpha/shop/manifests/${sha512}`, ann);
    expect(got.statusCode).toBe(200);
    expect(got.headers["docker-content-digest"]).toBe(sha512);
  });

  it("refuses a push into another team's namespace with 403 DENIED and creates nothing", async () => {
    const upload = await oci("POST", "/v2/alpha/intruded/blobs/uploads/", ben);
    expectError(upload, 403, "DENIED");
    const monolithic = await oci(
      "POST",
      `/v2/alpha/intruded/blobs/uploads/?digest=${shop.configDigest}`,
      ben,
      {
        payload: await layoutBlob(shop, shop.configDigest),
      },
    );
    expectError(monolithic, 403, "DENIED");
    const mount = await oci(
      "POST",
      `/v2/alpha/intruded/blobs/uploads/?mount=${shop.configDigest}&from=alpha/shop`,
      ben,
    );
    expectError(mount, 403, "DENIED");
    expectError(await putManifest("alpha/intruded", "1.0.0", shop.manifest, ben), 403, "DENIED");
    expectError(await putManifest("alpha/shop", "6.6.6", shop.manifest, ben), 403, "DENIED");
    expectError(await oci("DELETE", `/v2/alpha/shop/manifests/${shop.manifestDigest}`, ben), 403, "DENIED");
    const catalog = (await oci("GET", "/v2/_catalog", admin)).json().repositories as string[];
    expect(catalog).not.toContain("alpha/intruded");
    expectError(await oci("GET", "/v2/alpha/shop/manifests/6.6.6", ann), 404, "MANIFEST_UNKNOWN");
    const uploads = await r.server.db
      .selectFrom("image_uploads" as never)
      .select("id" as never)
      .where("started_by" as never, "=", "ben" as never)
      .execute();
    expect(uploads).toEqual([]);
  });

  it("refuses a push into a team that does not exist", async () => {
    const response = await oci("POST", "/v2/nobody/thing/blobs/uploads/", admin);
    expect(response.statusCode).toBe(404);
    expect(errorCode(response)).toBe("NAME_UNKNOWN");
  });

  it("lets a service client of the team push only with scope images.write", async () => {
    expectError(await oci("POST", "/v2/alpha/by-ci/blobs/uploads/", ciReader), 403, "DENIED");
    await pushImage("alpha/by-ci", "1.0.0", shop, ciWriter);
    expectError(await oci("POST", "/v2/beta/by-ci/blobs/uploads/", ciWriter), 403, "DENIED");
    // Pulling needs no scope.
    expect((await oci("GET", "/v2/alpha/by-ci/manifests/1.0.0", ciReader)).statusCode).toBe(200);
    const tag = await api(admin, "GET", "/api/images/alpha/by-ci/tags/1.0.0");
    expect(tag.json().pushed_by).toBe("alpha-ci");
  });
});

describe("indexes and Docker manifests", () => {
  it("stores an OCI index whose manifests are there, and refuses one with a missing child", async () => {
    await pushImage("alpha/multi", "amd64-1.0.0", shop, ann);
    await pushBlobsOf("alpha/multi", shop2, ann);
    expect((await putManifest("alpha/multi", shop2.manifestDigest, shop2.manifest, ann)).statusCode).toBe(
      201,
    );
    const index = json({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { ...shop.descriptor, platform: { os: "linux", architecture: "amd64" } },
        { ...shop2.descriptor, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      ],
    });
    const pushed = await putManifest("alpha/multi", "1.0.0", index, ann, OCI_INDEX);
    expect(pushed.statusCode, pushed.body).toBe(201);
    expect(pushed.headers["docker-content-digest"]).toBe(sha256(index));
    const got = await oci("GET", "/v2/alpha/multi/manifests/1.0.0", ann);
    expect(got.headers["content-type"]).toBe(OCI_INDEX);
    expect(got.rawPayload.equals(Buffer.from(index))).toBe(true);
    const tag = (await api(ann, "GET", "/api/images/alpha/multi/tags/1.0.0")).json();
    expect(tag).toMatchObject({ media_type: OCI_INDEX, platforms: ["linux/amd64", "linux/arm64/v8"] });
    expect(tag.size).toBe(index.byteLength + shop.totalSize + shop2.totalSize);

    const missing = json({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: `sha256:${"3".repeat(64)}`, size: 10 }],
    });
    expectError(
      await putManifest("alpha/multi", "2.0.0", missing, ann, OCI_INDEX),
      400,
      "MANIFEST_BLOB_UNKNOWN",
    );
    // A manifest an index lists cannot be deleted from under it.
    expectError(
      await oci("DELETE", `/v2/alpha/multi/manifests/${shop2.manifestDigest}`, ann),
      405,
      "UNSUPPORTED",
    );
  });

  it("stores a Docker v2 schema 2 manifest and a Docker manifest list", async () => {
    const config = await layoutBlob(shop, shop.configDigest);
    const layer = await layoutBlob(shop, shop.layerDigests[0]!);
    await pushBlob("alpha/docker", config, ann);
    await pushBlob("alpha/docker", layer, ann);
    const manifest = json({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, digest: sha256(config), size: config.byteLength },
      layers: [{ mediaType: DOCKER_LAYER, digest: sha256(layer), size: layer.byteLength }],
    });
    expect((await putManifest("alpha/docker", "1.0.0", manifest, ann, DOCKER_MANIFEST)).statusCode).toBe(201);
    const got = await oci("GET", "/v2/alpha/docker/manifests/1.0.0", ann);
    expect(got.headers["content-type"]).toBe(DOCKER_MANIFEST);
    expect(got.headers["docker-content-digest"]).toBe(sha256(manifest));
    const list = json({
      schemaVersion: 2,
      mediaType: DOCKER_LIST,
      manifests: [
        {
          mediaType: DOCKER_MANIFEST,
          digest: sha256(manifest),
          size: manifest.byteLength,
          platform: { os: "linux", architecture: "amd64" },
        },
      ],
    });
    expect((await putManifest("alpha/docker", "1.0.0-multi", list, ann, DOCKER_LIST)).statusCode).toBe(201);
    const head = await oci("HEAD", "/v2/alpha/docker/manifests/1.0.0-multi", ann);
    expect(head.headers["content-type"]).toBe(DOCKER_LIST);
    expect(head.headers["docker-content-digest"]).toBe(sha256(list));
    // A Docker manifest without layers is not one.
    const empty = json({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: JSON.parse(Buffer.from(manifest).toString()).config,
      layers: [],
    });
    expectError(
      await putManifest("alpha/docker", "1.0.1", empty, ann, DOCKER_MANIFEST),
      400,
      "MANIFEST_INVALID",
    );
  });
});

describe("referrers", () => {
  it("lists a subject's referrers, filters by artifactType, and answers OCI-Subject on push", async () => {
    await pushImage("alpha/signed", "1.0.0", shop, ann);
    const sbom = ociArtifact({
      subject: shop.descriptor,
      content: { sbom: true },
      artifactType: "application/spdx+json",
    });
    const source = ociArtifact({
      subject: shop.descriptor,
      content: { url: "https://github.com/acme/shop", revision: "abc123" },
      annotations: { "org.example": "yes" },
    });
    for (const artifact of [sbom, source]) {
      for (const bytes of artifact.blobs.values()) await pushBlob("alpha/signed", bytes, ann);
      const pushed = await putManifest("alpha/signed", artifact.digest, artifact.manifest, ann);
      expect(pushed.statusCode, pushed.body).toBe(201);
      expect(pushed.headers["oci-subject"]).toBe(shop.manifestDigest);
    }
    const all = await oci("GET", `/v2/alpha/signed/referrers/${shop.manifestDigest}`, ben);
    expect(all.statusCode).toBe(200);
    expect(all.headers["content-type"]).toMatch(/^application\/vnd\.oci\.image\.index\.v1\+json/);
    expect(all.headers["oci-filters-applied"]).toBeUndefined();
    const index = all.json();
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: OCI_INDEX });
    const byDigest = new Map((index.manifests as Array<{ digest: string }>).map((m) => [m.digest, m]));
    expect(byDigest.size).toBe(2);
    expect(byDigest.get(sbom.digest)).toEqual({
      mediaType: OCI_MANIFEST,
      digest: sbom.digest,
      size: sbom.size,
      artifactType: "application/spdx+json",
    });
    expect(byDigest.get(source.digest)).toEqual({
      mediaType: OCI_MANIFEST,
      digest: source.digest,
      size: source.size,
      artifactType: source.artifactType,
      annotations: { "org.example": "yes" },
    });

    const filtered = await oci(
      "GET",
      `/v2/alpha/signed/referrers/${shop.manifestDigest}?artifactType=${encodeURIComponent("application/spdx+json")}`,
      ben,
    );
    expect(filtered.statusCode).toBe(200);
    expect(filtered.headers["oci-filters-applied"]).toBe("artifactType");
    expect(filtered.json().manifests.map((m: { digest: string }) => m.digest)).toEqual([sbom.digest]);
  });

  it("lists an artifact without artifactType by its config's media type, and forgets a deleted referrer", async () => {
    const config = json({ signer: "ci" });
    const signature = randomBytes(64);
    await pushBlob("alpha/signed", config, ann);
    await pushBlob("alpha/signed", signature, ann);
    const manifest = json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: "application/vnd.example.signature.config+json",
        digest: sha256(config),
        size: config.byteLength,
      },
      layers: [
        { mediaType: "application/octet-stream", digest: sha256(signature), size: signature.byteLength },
      ],
      subject: shop.descriptor,
    });
    expect((await putManifest("alpha/signed", sha256(manifest), manifest, ann)).statusCode).toBe(201);
    const type = encodeURIComponent("application/vnd.example.signature.config+json");
    const listed = await oci(
      "GET",
      `/v2/alpha/signed/referrers/${shop.manifestDigest}?artifactType=${type}`,
      ann,
    );
    expect(listed.json().manifests).toEqual([
      {
        mediaType: OCI_MANIFEST,
        digest: sha256(manifest),
        size: manifest.byteLength,
        artifactType: "application/vnd.example.signature.config+json",
      },
    ]);
    expect((await oci("DELETE", `/v2/alpha/signed/manifests/${sha256(manifest)}`, ann)).statusCode).toBe(202);
    const after = await oci(
      "GET",
      `/v2/alpha/signed/referrers/${shop.manifestDigest}?artifactType=${type}`,
      ann,
    );
    expect(after.json().manifests).toEqual([]);
  });

  it("answers a subject without referrers with an empty index, never 404", async () => {
    const response = await oci("GET", `/v2/alpha/signed/referrers/sha256:${"4".repeat(64)}`, ben);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    expectError(await oci("GET", "/v2/alpha/signed/referrers/not-a-digest", ben), 400, "DIGEST_INVALID");
  });

  it("accepts a referrer before its subject, and lists it once the subject arrives", async () => {
    const artifact = ociArtifact({
      subject: shop2.descriptor,
      content: { sbom: 2 },
      artifactType: "application/spdx+json",
    });
    for (const bytes of artifact.blobs.values()) await pushBlob("alpha/early", bytes, ann);
    const pushed = await putManifest("alpha/early", artifact.digest, artifact.manifest, ann);
    expect(pushed.statusCode).toBe(201);
    expect(pushed.headers["oci-subject"]).toBe(shop2.manifestDigest);
    const list = await oci("GET", `/v2/alpha/early/referrers/${shop2.manifestDigest}`, ann);
    expect(list.json().manifests.map((m: { digest: string }) => m.digest)).toEqual([artifact.digest]);
  });
});

describe("manifest deletion", () => {
  it("refuses to delete a tagged manifest or a tag with 405 UNSUPPORTED, deletes an untagged one with 202", async () => {
    await pushImage("alpha/deletable", "1.0.0", shop, ann);
    await pushBlobsOf("alpha/deletable", shop2, ann);
    expect((await putManifest("alpha/deletable", shop2.manifestDigest, shop2.manifest, ann)).statusCode).toBe(
      201,
    );
    expectError(
      await oci("DELETE", `/v2/alpha/deletable/manifests/${shop.manifestDigest}`, ann),
      405,
      "UNSUPPORTED",
    );
    expectError(await oci("DELETE", "/v2/alpha/deletable/manifests/1.0.0", ann), 405, "UNSUPPORTED");
    expect((await oci("GET", "/v2/alpha/deletable/manifests/1.0.0", ann)).statusCode).toBe(200);
    const deleted = await oci("DELETE", `/v2/alpha/deletable/manifests/${shop2.manifestDigest}`, ann);
    expect(deleted.statusCode).toBe(202);
    expectError(
      await oci("GET", `/v2/alpha/deletable/manifests/${shop2.manifestDigest}`, ann),
      404,
      "MANIFEST_UNKNOWN",
    );
    expectError(
      await oci("DELETE", `/v2/alpha/deletable/manifests/${shop2.manifestDigest}`, ann),
      404,
      "MANIFEST_UNKNOWN",
    );
    expect(await auditActions(`image/alpha/deletable@${shop2.manifestDigest}`)).toEqual([
      "image.manifest.push",
      "image.manifest.delete",
    ]);
  });
});

describe("listings", () => {
  const tags = ["1.0.0", "1.0.1", "1.1.0", "2.0.0", "2.0.0-rc1"];

  beforeAll(async () => {
    await pushBlobsOf("alpha/listed", shop, ann);
    for (const tag of tags)
      expect((await putManifest("alpha/listed", tag, shop.manifest, ann)).statusCode).toBe(201);
  });

  it("lists tags in lexical order", async () => {
    const response = await oci("GET", "/v2/alpha/listed/tags/list", ben);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: "alpha/listed", tags: [...tags].sort() });
    expect(response.headers.link).toBeUndefined();
  });

  it("pages tags with n and last, with a Link header to the next page", async () => {
    const first = await oci("GET", "/v2/alpha/listed/tags/list?n=2", ben);
    expect(first.json().tags).toEqual(["1.0.0", "1.0.1"]);
    expect(first.headers.link).toBe('</v2/alpha/listed/tags/list?n=2&last=1.0.1>; rel="next"');
    const next = /^<([^>]+)>/.exec(first.headers.link as string)![1]!;
    const second = await oci("GET", next, ben);
    expect(second.json().tags).toEqual(["1.1.0", "2.0.0"]);
    const third = await oci("GET", "/v2/alpha/listed/tags/list?n=2&last=2.0.0", ben);
    expect(third.json().tags).toEqual(["2.0.0-rc1"]);
    expect(third.headers.link).toBeUndefined();
    const exact = await oci("GET", "/v2/alpha/listed/tags/list?n=5", ben);
    expect(exact.json().tags).toHaveLength(5);
    expect(exact.headers.link).toBeUndefined();
    const afterAll = await oci("GET", "/v2/alpha/listed/tags/list?last=3", ben);
    expect(afterAll.json().tags).toEqual([]);
  });

  it("answers n=0 with an empty page, and a malformed n with 400", async () => {
    const none = await oci("GET", "/v2/alpha/listed/tags/list?n=0", ben);
    expect(none.statusCode).toBe(200);
    expect(none.json().tags).toEqual([]);
    expect(none.headers.link ?? "").not.toContain("undefined");
    for (const n of ["-1", "abc", "1.5"]) {
      const response = await oci("GET", `/v2/alpha/listed/tags/list?n=${n}`, ben);
      expect(response.statusCode, n).toBe(400);
      errorCode(response);
    }
    expect((await oci("GET", "/v2/_catalog?n=x", ben)).statusCode).toBe(400);
  });

  it("answers tags of an unknown repository with 404 NAME_UNKNOWN", async () => {
    expectError(await oci("GET", "/v2/alpha/never/tags/list", ben), 404, "NAME_UNKNOWN");
  });

  it("pages the catalog with n and last", async () => {
    const all = (await oci("GET", "/v2/_catalog", ben)).json().repositories as string[];
    expect(all).toEqual([...all].sort());
    expect(all).toContain("alpha/listed");
    const first = await oci("GET", "/v2/_catalog?n=2", ben);
    expect(first.json().repositories).toEqual(all.slice(0, 2));
    expect(first.headers.link).toBe(`</v2/_catalog?n=2&last=${encodeURIComponent(all[1]!)}>; rel="next"`);
    const second = await oci("GET", `/v2/_catalog?n=2&last=${encodeURIComponent(all[1]!)}`, ben);
    expect(second.json().repositories).toEqual(all.slice(2, 4));
    expectError(await oci("GET", "/v2/_catalog", undefined), 401, "UNAUTHORIZED");
  });

  it("refuses a catalog request with a registry token that does not grant it", async () => {
    const pull = encodeURIComponent("repository:alpha/listed:pull");
    const narrow = (await oci("GET", `/v2/token?service=${r.host}&scope=${pull}`, ben)).json()
      .token as string;
    const refused = await oci("GET", "/v2/_catalog", { bearer: narrow });
    expectError(refused, 401, "UNAUTHORIZED");
    expect(refused.headers["www-authenticate"]).toContain('scope="registry:catalog:*"');
    const catalog = encodeURIComponent("registry:catalog:*");
    const wide = (await oci("GET", `/v2/token?service=${r.host}&scope=${catalog}`, ben)).json()
      .token as string;
    expect((await oci("GET", "/v2/_catalog", { bearer: wide })).statusCode).toBe(200);
  });

  it("answers unknown endpoints under /v2/ with an OCI error", async () => {
    const response = await oci("GET", "/v2/alpha/listed/nothing", ben);
    expect(response.statusCode).toBe(404);
    errorCode(response);
  });
});

describe("settings", () => {
  let open: TestServer;
  let openAdmin: string;

  const inject = (
    method: InjectOptions["method"],
    url: string,
    credentials: Credentials,
    payload?: Uint8Array,
  ) =>
    open.server.app.inject({
      method,
      url,
      headers: { ...authorization(credentials), "content-type": OCI_MANIFEST },
      ...(payload === undefined ? {} : { payload: Buffer.from(payload) }),
    });

  beforeAll(async () => {
    open = await startTestServer({
      CHARTER_REGISTRY_ANONYMOUS_PULL: "true",
      CHARTER_REGISTRY_MUTABLE_TAGS: "-SNAPSHOT$",
    });
    openAdmin = await passwordToken(open.server, "admin", TEST_ADMIN_PASSWORD);
    for (const image of [shop, shop2]) {
      for (const digest of [image.configDigest, ...image.layerDigests]) {
        const bytes = await layoutBlob(image, digest);
        expect(
          (await inject("POST", `/v2/platform/open/blobs/uploads/?digest=${digest}`, openAdmin, bytes))
            .statusCode,
        ).toBe(201);
      }
    }
    expect(
      (await inject("PUT", "/v2/platform/open/manifests/1.0.0", openAdmin, shop.manifest)).statusCode,
    ).toBe(201);
  }, 60_000);

  afterAll(async () => open?.close());

  it("refuses anonymous pulls by default", async () => {
    expectError(await oci("GET", "/v2/alpha/shop/manifests/1.0.0", undefined), 401, "UNAUTHORIZED");
    expectError(
      await oci("GET", `/v2/alpha/shop/blobs/${shop.configDigest}`, undefined),
      401,
      "UNAUTHORIZED",
    );
    expectError(await oci("GET", "/v2/alpha/shop/tags/list", undefined), 401, "UNAUTHORIZED");
  });

  it("allows anonymous pulls with CHARTER_REGISTRY_ANONYMOUS_PULL=true, but no push", async () => {
    expect((await inject("GET", "/v2/", undefined)).statusCode).toBe(200);
    const manifest = await inject("GET", "/v2/platform/open/manifests/1.0.0", undefined);
    expect(manifest.statusCode).toBe(200);
    expect(manifest.headers["docker-content-digest"]).toBe(shop.manifestDigest);
    expect((await inject("GET", `/v2/platform/open/blobs/${shop.configDigest}`, undefined)).statusCode).toBe(
      200,
    );
    expect((await inject("GET", "/v2/platform/open/tags/list", undefined)).json().tags).toEqual(["1.0.0"]);
    const push = await inject("POST", "/v2/platform/open/blobs/uploads/", undefined);
    expectError(push, 401, "UNAUTHORIZED");
    expect(push.headers["www-authenticate"]).toContain('scope="repository:platform/open:pull,push"');
    expectError(
      await inject("PUT", "/v2/platform/open/manifests/1.0.1", undefined, shop.manifest),
      401,
      "UNAUTHORIZED",
    );
    expectError(await inject("GET", "/v2/_catalog", undefined), 401, "UNAUTHORIZED");
  });

  it("lets tags matching CHARTER_REGISTRY_MUTABLE_TAGS move, audited as image.tag.move", async () => {
    expect(
      (await inject("PUT", "/v2/platform/open/manifests/1.1-SNAPSHOT", openAdmin, shop.manifest)).statusCode,
    ).toBe(201);
    const moved = await inject("PUT", "/v2/platform/open/manifests/1.1-SNAPSHOT", openAdmin, shop2.manifest);
    expect(moved.statusCode).toBe(201);
    const now = await inject("GET", "/v2/platform/open/manifests/1.1-SNAPSHOT", openAdmin);
    expect(now.headers["docker-content-digest"]).toBe(shop2.manifestDigest);
    const rows = await open.server.db
      .selectFrom("audit_entries")
      .select(["action"])
      .where("target", "=", "image/platform/open:1.1-SNAPSHOT")
      .orderBy("seq")
      .execute();
    expect(rows.map((row: { action: string }) => row.action)).toEqual(["image.tag.push", "image.tag.move"]);
    // Other tags stay immutable.
    expectError(
      await inject("PUT", "/v2/platform/open/manifests/1.0.0", openAdmin, shop2.manifest),
      409,
      "TAG_INVALID",
    );
    expectError(
      await inject("PUT", "/v2/platform/open/manifests/latest", openAdmin, shop2.manifest),
      409,
      "TAG_INVALID",
    );
  });
});

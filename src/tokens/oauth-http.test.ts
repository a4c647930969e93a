import { randomBytes } from "node:crypto";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { CoreErrors, createHttpApp, createLogger, type HttpApp, ManualClock } from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { oauthHttp } from "./oauth-http.js";
import { s256ChallengeOf } from "./pkce.js";
import { FakeCredentials, startTestProvider } from "./testing.js";
import type { TokenProvider } from "./token-provider.js";

const ISSUER = "http://127.0.0.1:8080";
const TOKEN = "/oauth2/access_token";
const CLI_REDIRECT = "http://127.0.0.1/callback";
const PASSWORD = "correct horse battery";

let handle: DatabaseHandle;
let provider: TokenProvider;
let app: HttpApp;
const clock = new ManualClock();
const credentials = new FakeCredentials()
  .addClient({ id: "billing", secret: "billing-secret", scopes: ["billing.read", "billing.write"] })
  .addClient({ id: "charter-cli", redirectUris: [CLI_REDIRECT] })
  .addClient({ id: "webapp", redirectUris: ["https://app.example.org/cb"] })
  .addPerson("jane", PASSWORD, ["apps.read", "charter.admin", "<script>x</script>"]);

beforeAll(async () => {
  handle = await createTestDatabase();
  provider = await startTestProvider({
    db: handle.db,
    credentials,
    clock,
    scopeNames: ["apps.read", "charter.admin"],
    issuer: ISSUER,
  });
  app = await createHttpApp({
    logger: createLogger({ level: "silent" }),
    authenticate: async () => {
      throw CoreErrors.CORE_UNAUTHENTICATED("no tokens in this test");
    },
  });
  await app.register(oauthHttp(provider));
  await app.ready();
});

afterAll(async () => {
  await provider.stop();
  await app.close();
  await handle.close();
});

beforeEach(() => {
  provider.invalidateClient();
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

function postToken(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: TOKEN,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
}

async function verify(token: string) {
  const jwks = (await app.inject({ method: "GET", url: "/oauth2/connect/keys" })).json<JSONWebKeySet>();
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, currentDate: clock.now() });
}

function expectOAuthError(
  response: { statusCode: number; json: () => unknown; headers: Record<string, unknown> },
  status: number,
  error: string,
) {
  expect({ status: response.statusCode, error: (response.json() as { error: string }).error }).toEqual({
    status,
    error,
  });
  expect(response.headers["cache-control"]).toBe("no-store");
  expect(Object.keys(response.json() as object).sort()).toEqual(["error", "error_description"]);
}

describe("client_credentials grant", () => {
  it("issues a services token to a confidential client authenticated with HTTP Basic", async () => {
    const response = await postToken(
      { grant_type: "client_credentials" },
      { authorization: basic("billing", "billing-secret") },
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers.pragma).toBe("no-cache");
    const body = response.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 3600,
      scope: "billing.read billing.write",
      realm: "services",
    });
    const { payload, protectedHeader } = await verify(body.access_token);
    const iat = Math.floor(clock.now().getTime() / 1000);
    expect(payload).toEqual({
      sub: "billing",
      realm: "services",
      scope: ["billing.read", "billing.write"],
      iss: ISSUER,
      iat,
      exp: iat + 3600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(protectedHeader).toEqual({ alg: "ES256", kid: provider.keys.activeKid(), typ: "JWT" });
  });

  it("accepts client_id and client_secret form fields and a requested subset of scopes", async () => {
    const response = await postToken({
      grant_type: "client_credentials",
      client_id: "billing",
      client_secret: "billing-secret",
      scope: "billing.read",
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().scope).toBe("billing.read");
    expect((await verify(response.json().access_token)).payload.scope).toEqual(["billing.read"]);
  });

  it("refuses a scope the client does not hold", async () => {
    const response = await postToken(
      { grant_type: "client_credentials", scope: "billing.read charter.admin" },
      { authorization: basic("billing", "billing-secret") },
    );
    expectOAuthError(response, 400, "invalid_scope");
  });

  it("answers a wrong secret in Basic with 401 and a Basic challenge", async () => {
    const response = await postToken(
      { grant_type: "client_credentials" },
      { authorization: basic("billing", "nope") },
    );
    expectOAuthError(response, 401, "invalid_client");
    expect(response.headers["www-authenticate"]).toMatch(/^Basic realm="charter"/);
  });

  it("answers a wrong secret in the form with invalid_client", async () => {
    const response = await postToken({
      grant_type: "client_credentials",
      client_id: "billing",
      client_secret: "nope",
    });
    expectOAuthError(response, 401, "invalid_client");
  });

  it("answers a request without client authentication with invalid_client", async () => {
    expectOAuthError(await postToken({ grant_type: "client_credentials" }), 401, "invalid_client");
  });

  it("refuses the grant to a public client", async () => {
    const response = await postToken({ grant_type: "client_credentials", client_id: "charter-cli" });
    expectOAuthError(response, 400, "unauthorized_client");
  });

  it("refuses a client that authenticates with Basic and client_secret at once", async () => {
    const response = await postToken(
      { grant_type: "client_credentials", client_secret: "billing-secret" },
      { authorization: basic("billing", "billing-secret") },
    );
    expectOAuthError(response, 400, "invalid_request");
  });

  it("checks a client's secret once and then serves from the cache", async () => {
    const before = credentials.clientChecks;
    for (let i = 0; i < 5; i++) {
      await postToken(
        { grant_type: "client_credentials" },
        { authorization: basic("billing", "billing-secret") },
      );
    }
    expect(credentials.clientChecks - before).toBe(1);
  });
});

describe("password grant", () => {
  it("issues an employees token with azp to the public CLI client", async () => {
    const response = await postToken({
      grant_type: "password",
      client_id: "charter-cli",
      username: "jane",
      password: PASSWORD,
      scope: "apps.read",
      realm: "employees",
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ realm: "employees", expires_in: 8 * 3600, scope: "apps.read" });
    const { payload } = await verify(response.json().access_token);
    expect(payload).toMatchObject({
      sub: "jane",
      realm: "employees",
      azp: "charter-cli",
      scope: ["apps.read"],
    });
  });

  it("gives every scope the person holds when none is requested, and accepts Plan B's /employees", async () => {
    const response = await postToken({
      grant_type: "password",
      client_id: "charter-cli",
      username: "jane",
      password: PASSWORD,
      realm: "/employees",
    });
    expect(response.json().scope).toBe("<script>x</script> apps.read charter.admin");
  });

  it("answers a wrong password with invalid_grant", async () => {
    const response = await postToken({
      grant_type: "password",
      client_id: "charter-cli",
      username: "jane",
      password: "x",
    });
    expectOAuthError(response, 400, "invalid_grant");
  });

  it("answers a missing password, and a realm other than employees, with invalid_request", async () => {
    expectOAuthError(
      await postToken({ grant_type: "password", client_id: "charter-cli", username: "jane" }),
      400,
      "invalid_request",
    );
    const wrongRealm = await postToken({
      grant_type: "password",
      client_id: "charter-cli",
      username: "jane",
      password: PASSWORD,
      realm: "services",
    });
    expectOAuthError(wrongRealm, 400, "invalid_request");
  });

  it("refuses a scope the person does not hold", async () => {
    const response = await postToken({
      grant_type: "password",
      client_id: "charter-cli",
      username: "jane",
      password: PASSWORD,
      scope: "billing.write",
    });
    expectOAuthError(response, 400, "invalid_scope");
  });

  it("needs an authenticated client", async () => {
    expectOAuthError(
      await postToken({ grant_type: "password", username: "jane", password: PASSWORD }),
      401,
      "invalid_client",
    );
    const unknown = await postToken({
      grant_type: "password",
      client_id: "nobody",
      username: "jane",
      password: PASSWORD,
    });
    expectOAuthError(unknown, 401, "invalid_client");
  });
});

describe("malformed token requests", () => {
  it("answers a missing grant_type with invalid_request and an unknown one with unsupported_grant_type", async () => {
    expectOAuthError(await postToken({ client_id: "charter-cli" }), 400, "invalid_request");
    expectOAuthError(
      await postToken({ grant_type: "implicit", client_id: "charter-cli" }),
      400,
      "unsupported_grant_type",
    );
  });

  it("answers a JSON body, an empty body and a repeated parameter with invalid_request", async () => {
    const json = await app.inject({
      method: "POST",
      url: TOKEN,
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ grant_type: "client_credentials" }),
    });
    expectOAuthError(json, 400, "invalid_request");
    expectOAuthError(await app.inject({ method: "POST", url: TOKEN }), 400, "invalid_request");
    const repeated = await app.inject({
      method: "POST",
      url: TOKEN,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "grant_type=client_credentials&grant_type=password&client_id=charter-cli",
    });
    expectOAuthError(repeated, 400, "invalid_request");
  });

  it("answers an oversized body with invalid_request", async () => {
    const response = await postToken({ grant_type: "client_credentials", padding: "x".repeat(20_000) });
    expectOAuthError(response, 400, "invalid_request");
  });

  it("ignores parameters it does not know (RFC 6749 §3.2)", async () => {
    const response = await postToken(
      { grant_type: "client_credentials", audience: "anything" },
      { authorization: basic("billing", "billing-secret") },
    );
    expect(response.statusCode).toBe(200);
  });
});

// Authorization code flow

const verifier = () => randomBytes(32).toString("base64url");

interface Authorization {
  readonly verifier: string;
  readonly redirectUri: string;
  readonly cookie: string;
  readonly formToken: string;
}

async function openLoginForm(
  options: { redirectUri?: string; scope?: string; clientId?: string } = {},
): Promise<Authorization> {
  const codeVerifier = verifier();
  const redirectUri = options.redirectUri ?? "http://127.0.0.1:53219/callback";
  const query = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId ?? "charter-cli",
    redirect_uri: redirectUri,
    state: "st-123",
    code_challenge: s256ChallengeOf(codeVerifier),
    code_challenge_method: "S256",
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  });
  const response = await app.inject({ method: "GET", url: `/oauth2/authorize?${query}` });
  expect(response.statusCode).toBe(200);
  const cookie = String(response.headers["set-cookie"]).split(";")[0]!;
  const formToken = /name="form_token" value="([^"]+)"/.exec(response.body)?.[1];
  expect(formToken).toBeDefined();
  return { verifier: codeVerifier, redirectUri, cookie, formToken: formToken! };
}

/** `cookie: null` posts as a page on another site would: without the browser's cookie. */
function submitLogin(
  auth: Authorization,
  fields: Record<string, string> = {},
  cookie: string | null = auth.cookie,
) {
  return app.inject({
    method: "POST",
    url: "/oauth2/authorize",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie === null ? {} : { cookie }) },
    payload: new URLSearchParams({
      form_token: auth.formToken,
      username: "jane",
      password: PASSWORD,
      ...fields,
    }).toString(),
  });
}

async function codeFor(auth: Authorization): Promise<string> {
  const response = await submitLogin(auth);
  expect(response.statusCode).toBe(303);
  const location = new URL(String(response.headers.location));
  expect(location.searchParams.get("state")).toBe("st-123");
  expect(location.searchParams.get("iss")).toBe(ISSUER);
  return location.searchParams.get("code")!;
}

function exchange(auth: Authorization, code: string, overrides: Record<string, string> = {}) {
  return postToken({
    grant_type: "authorization_code",
    client_id: "charter-cli",
    code,
    redirect_uri: auth.redirectUri,
    code_verifier: auth.verifier,
    ...overrides,
  });
}

describe("authorization code flow with PKCE", () => {
  it("renders a self-contained login form with strict security headers", async () => {
    const query = new URLSearchParams({
      response_type: "code",
      client_id: "charter-cli",
      redirect_uri: CLI_REDIRECT,
      code_challenge: s256ChallengeOf(verifier()),
      code_challenge_method: "S256",
      scope: "<script>x</script>",
    });
    const response = await app.inject({ method: "GET", url: `/oauth2/authorize?${query}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(response.headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    expect(response.headers["set-cookie"]).toMatch(/HttpOnly; SameSite=Lax/);
    expect(response.body).not.toContain("<script>");
    expect(response.body).toContain("&lt;script&gt;x&lt;/script&gt;");
    expect(response.body).toMatch(/<label for="password">/);
    expect(response.body).not.toMatch(/src=|href=/);
  });

  it("redirects with a code that the client exchanges once for the person's token", async () => {
    const auth = await openLoginForm({ scope: "apps.read" });
    const code = await codeFor(auth);
    const response = await exchange(auth, code);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ realm: "employees", scope: "apps.read", token_type: "Bearer" });
    const { payload } = await verify(response.json().access_token);
    expect(payload).toMatchObject({
      sub: "jane",
      realm: "employees",
      azp: "charter-cli",
      scope: ["apps.read"],
    });

    expectOAuthError(await exchange(auth, code), 400, "invalid_grant");
  });

  it("refuses a wrong code_verifier, and the code is spent afterwards", async () => {
    const auth = await openLoginForm();
    const code = await codeFor(auth);
    expectOAuthError(await exchange(auth, code, { code_verifier: verifier() }), 400, "invalid_grant");
    expectOAuthError(await exchange(auth, code), 400, "invalid_grant");
  });

  it("refuses a malformed code_verifier without spending the code", async () => {
    const auth = await openLoginForm();
    const code = await codeFor(auth);
    expectOAuthError(await exchange(auth, code, { code_verifier: "short" }), 400, "invalid_request");
    expect((await exchange(auth, code)).statusCode).toBe(200);
  });

  it("refuses a code after its 60 s lifetime", async () => {
    const auth = await openLoginForm();
    const code = await codeFor(auth);
    clock.advance(60_000);
    expectOAuthError(await exchange(auth, code), 400, "invalid_grant");
  });

  it("refuses a redirect_uri that differs from the authorization request", async () => {
    const auth = await openLoginForm();
    const code = await codeFor(auth);
    expectOAuthError(
      await exchange(auth, code, { redirect_uri: "http://127.0.0.1:1/callback" }),
      400,
      "invalid_grant",
    );
  });

  it("refuses a code redeemed by another client", async () => {
    const auth = await openLoginForm();
    const code = await codeFor(auth);
    expectOAuthError(await exchange(auth, code, { client_id: "webapp" }), 400, "invalid_grant");
  });

  it("shows an error page, and redirects nowhere, for an unregistered redirect_uri or unknown client", async () => {
    const queries: Array<Record<string, string>> = [
      { client_id: "charter-cli", redirect_uri: "https://evil.example/cb" },
      { client_id: "charter-cli", redirect_uri: "http://127.0.0.1:4000/other" },
      { client_id: "nobody", redirect_uri: CLI_REDIRECT },
      { client_id: "billing", redirect_uri: CLI_REDIRECT },
      { redirect_uri: CLI_REDIRECT },
    ];
    for (const query of queries) {
      const params = new URLSearchParams({
        response_type: "code",
        code_challenge: s256ChallengeOf(verifier()),
        code_challenge_method: "S256",
        ...query,
      });
      const response = await app.inject({ method: "GET", url: `/oauth2/authorize?${params}` });
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers["content-type"]).toMatch(/^text\/html/);
      expect(response.headers["x-frame-options"]).toBe("DENY");
    }
  });

  it("sends other request errors back to the client with its state", async () => {
    const base = {
      response_type: "code",
      client_id: "charter-cli",
      redirect_uri: CLI_REDIRECT,
      state: "s1",
      code_challenge: s256ChallengeOf(verifier()),
      code_challenge_method: "S256",
    };
    const cases: Array<[Record<string, string>, string]> = [
      [{ response_type: "token" }, "unsupported_response_type"],
      [{ code_challenge: "" }, "invalid_request"],
      [{ code_challenge_method: "plain" }, "invalid_request"],
      [{ scope: 'a"b' }, "invalid_scope"],
    ];
    for (const [override, error] of cases) {
      const response = await app.inject({
        method: "GET",
        url: `/oauth2/authorize?${new URLSearchParams({ ...base, ...override })}`,
      });
      expect(response.statusCode).toBe(303);
      const location = new URL(String(response.headers.location));
      expect(location.origin + location.pathname).toBe(CLI_REDIRECT);
      expect(location.searchParams.get("error")).toBe(error);
      expect(location.searchParams.get("state")).toBe("s1");
    }
  });

  it("shows the form again, with an error and no code, after a wrong password", async () => {
    const auth = await openLoginForm();
    const response = await submitLogin(auth, { password: "wrong" });
    expect(response.statusCode).toBe(200);
    expect(response.headers.location).toBeUndefined();
    expect(response.body).toMatch(/role="alert">The user id or password is wrong/);
    expect(response.body).toContain('value="jane"');
    expect(response.body).toContain(auth.formToken);
  });

  it("refuses a login form posted without the browser's cookie, or altered", async () => {
    const auth = await openLoginForm();
    const crossSite = await submitLogin(auth, {}, null);
    expect(crossSite.statusCode).toBe(400);
    expect(crossSite.headers.location).toBeUndefined();
    const otherBrowser = await submitLogin(
      auth,
      {},
      `charter_authorize=${randomBytes(24).toString("base64url")}`,
    );
    expect(otherBrowser.statusCode).toBe(400);
    const altered = await submitLogin({ ...auth, formToken: `${auth.formToken.slice(0, -2)}AA` });
    expect(altered.statusCode).toBe(400);
  });

  it("refuses a login form after its lifetime", async () => {
    const auth = await openLoginForm();
    clock.advance(10 * 60_000);
    expect((await submitLogin(auth)).statusCode).toBe(400);
  });

  it("sends invalid_scope back to the client when the person lacks a requested scope", async () => {
    const auth = await openLoginForm({ scope: "billing.read" });
    const response = await submitLogin(auth);
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers.location));
    expect(location.searchParams.get("error")).toBe("invalid_scope");
    expect(location.searchParams.get("code")).toBeNull();
  });
});

describe("discovery", () => {
  it("publishes the signing keys with a short cache lifetime and no private members", async () => {
    const response = await app.inject({ method: "GET", url: "/oauth2/connect/keys" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("public, max-age=30");
    const { keys } = response.json<JSONWebKeySet>();
    expect(keys.map((k) => k.kid)).toContain(provider.keys.activeKid());
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
    }
  });

  it("serves the OpenID Provider Metadata", async () => {
    const response = await app.inject({ method: "GET", url: "/.well-known/openid-configuration" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth2/authorize`,
      token_endpoint: `${ISSUER}/oauth2/access_token`,
      jwks_uri: `${ISSUER}/oauth2/connect/keys`,
      tokeninfo_endpoint: `${ISSUER}/oauth2/tokeninfo`,
      grant_types_supported: ["authorization_code", "client_credentials", "password"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      id_token_signing_alg_values_supported: ["ES256"],
      scopes_supported: ["apps.read", "charter.admin"],
    });
  });

  it("documents every OAuth2 route in the OpenAPI document", () => {
    const document = app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
    expect(document.paths["/oauth2/access_token"]?.post?.operationId).toBe("createAccessToken");
    expect(Object.keys(document.paths["/oauth2/authorize"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(document.paths["/oauth2/connect/keys"]?.get?.operationId).toBe("getJwks");
    expect(document.paths["/.well-known/openid-configuration"]?.get?.operationId).toBe(
      "getOpenIdConfiguration",
    );
  });
});

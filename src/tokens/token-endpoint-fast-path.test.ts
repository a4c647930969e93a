import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import {
  CoreErrors,
  createHttpApp,
  createLogger,
  type FastPath,
  type HttpApp,
  ManualClock,
  requestIdOf,
} from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { FakeCredentials, startTestProvider } from "./testing.js";
import type { TokenEndpoint } from "./token-endpoint.js";
import { tokenEndpointFastPath } from "./token-endpoint-fast-path.js";
import { tokenEndpointHttp } from "./token-endpoint-http.js";
import type { TokenProvider } from "./token-provider.js";

const ISSUER = "http://127.0.0.1:8080";
const TOKEN = "/oauth2/access_token";
const FORM = "application/x-www-form-urlencoded";
const PASSWORD = "correct horse battery";

let handle: DatabaseHandle;
let provider: TokenProvider;
const clock = new ManualClock();
const credentials = new FakeCredentials()
  .addClient({ id: "billing", secret: "billing-secret", scopes: ["billing.read", "billing.write"] })
  .addClient({ id: "charter-cli", redirectUris: ["http://127.0.0.1/callback"] })
  .addPerson("jane", PASSWORD, ["apps.read"]);

interface Served {
  readonly app: HttpApp;
  readonly base: string;
  /** Requests the fast path took. */
  taken: number;
  readonly answered: number[];
  readonly serverErrors: unknown[];
}

/** A real listening server with the token route, and the fast path in front of it when asked. */
async function serve(endpoint: TokenEndpoint, withFastPath: boolean): Promise<Served> {
  const answered: number[] = [];
  const serverErrors: unknown[] = [];
  const fast = tokenEndpointFastPath(endpoint, {
    requestId: requestIdOf,
    onAnswered: (status) => answered.push(status),
    onServerError: (error) => serverErrors.push(error),
  });
  const counting: FastPath = (request, response) => {
    const taken = fast(request, response);
    if (taken) served.taken++;
    return taken;
  };
  const app = await createHttpApp({
    logger: createLogger({ level: "silent" }),
    authenticate: async () => {
      throw CoreErrors.CORE_UNAUTHENTICATED("no tokens in this test");
    },
    fastPaths: withFastPath ? [counting] : [],
  });
  await app.register(tokenEndpointHttp(endpoint));
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  const served: Served = { app, base, taken: 0, answered, serverErrors };
  return served;
}

let fast: Served;
let plain: Served;

beforeAll(async () => {
  handle = await createTestDatabase();
  provider = await startTestProvider({
    db: handle.db,
    credentials,
    clock,
    scopeNames: ["apps.read"],
    issuer: ISSUER,
  });
  fast = await serve(provider.tokenEndpoint, true);
  plain = await serve(provider.tokenEndpoint, false);
});

afterAll(async () => {
  await fast.app.close();
  await plain.app.close();
  await provider.stop();
  await handle.close();
});

beforeEach(() => {
  provider.invalidateClient();
  fast.taken = 0;
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

interface Sent {
  /** A function for a streamed (chunked) body, made anew for each request. */
  readonly body?: string | (() => ReadableStream<Uint8Array>);
  readonly headers?: Record<string, string>;
}

const KEPT_HEADERS = ["content-type", "cache-control", "pragma", "www-authenticate"];

/** What a server answered, with the access token's varying parts (its id and signature) left out. */
async function post(server: Served, sent: Sent) {
  const streamed = typeof sent.body === "function";
  const response = await fetch(`${server.base}${TOKEN}`, {
    method: "POST",
    headers: { "content-type": FORM, ...sent.headers },
    body: typeof sent.body === "function" ? sent.body() : (sent.body ?? null),
    ...(streamed ? { duplex: "half" } : {}),
  } as RequestInit);
  const body = (await response.json()) as Record<string, unknown>;
  if (typeof body.access_token === "string") {
    const claims = JSON.parse(Buffer.from(body.access_token.split(".")[1]!, "base64url").toString());
    body.access_token = { ...claims, jti: typeof claims.jti };
  }
  return {
    status: response.status,
    headers: Object.fromEntries(KEPT_HEADERS.map((name) => [name, response.headers.get(name)])),
    requestId: response.headers.get("x-request-id"),
    body,
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const billing = { authorization: basic("billing", "billing-secret") };

/** Requests of the shape the fast path takes; each must be answered exactly as the Fastify route answers it. */
const TAKEN: Record<string, Sent> = {
  "client_credentials with HTTP Basic": {
    body: form({ grant_type: "client_credentials" }),
    headers: billing,
  },
  "client_credentials with form fields": {
    body: form({ grant_type: "client_credentials", client_id: "billing", client_secret: "billing-secret" }),
  },
  "a narrower scope": {
    body: form({ grant_type: "client_credentials", scope: "billing.read" }),
    headers: billing,
  },
  "an unknown parameter, ignored": {
    body: `${form({ grant_type: "client_credentials" })}&extra=1`,
    headers: billing,
  },
  "a charset in the media type": {
    body: form({ grant_type: "client_credentials" }),
    headers: { ...billing, "content-type": `${FORM}; charset=UTF-8` },
  },
  "the password grant": {
    body: form({ grant_type: "password", username: "jane", password: PASSWORD, client_id: "charter-cli" }),
  },
  "a wrong secret": {
    body: form({ grant_type: "client_credentials" }),
    headers: { authorization: basic("billing", "nope") },
  },
  "no client": { body: form({ grant_type: "client_credentials" }) },
  "a malformed Basic header": {
    body: form({ grant_type: "client_credentials" }),
    headers: { authorization: "Basic !!" },
  },
  "Basic credentials that need form-decoding": {
    body: form({ grant_type: "client_credentials" }),
    headers: { authorization: `Basic ${Buffer.from("bill%69ng:billing-secret").toString("base64")}` },
  },
  "Basic and client_secret together": {
    body: form({ grant_type: "client_credentials", client_secret: "billing-secret" }),
    headers: billing,
  },
  "no grant_type": { body: form({ scope: "billing.read" }), headers: billing },
  "an unsupported grant_type": { body: form({ grant_type: "implicit" }), headers: billing },
  "a scope that was not granted": {
    body: form({ grant_type: "client_credentials", scope: "apps.read" }),
    headers: billing,
  },
  "a repeated grant_type": { body: "grant_type=client_credentials&grant_type=password", headers: billing },
  "an over-long scope": {
    body: form({ grant_type: "client_credentials", scope: "x".repeat(4097) }),
    headers: billing,
  },
  "an empty body": { body: "", headers: billing },
  "a public client asking for client_credentials": {
    body: form({ grant_type: "client_credentials", client_id: "charter-cli" }),
  },
};

/** Requests the fast path leaves to Fastify. */
const LEFT: Record<string, Sent> = {
  "a JSON body": {
    body: JSON.stringify({ grant_type: "client_credentials" }),
    headers: { ...billing, "content-type": "application/json" },
  },
  "a body over the limit": {
    body: form({ grant_type: "client_credentials", x: "y".repeat(20_000) }),
    headers: billing,
  },
  "a chunked body": {
    body: () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(form({ grant_type: "client_credentials" })));
          controller.close();
        },
      }),
    headers: billing,
  },
};

describe("the token endpoint's fast path", () => {
  it.each(Object.entries(TAKEN))("answers %s exactly as the Fastify route does", async (_name, sent) => {
    const fromFastify = await post(plain, sent);
    const fromFastPath = await post(fast, sent);
    expect(fast.taken).toBe(1);
    expect(fromFastPath).toEqual({ ...fromFastify, requestId: expect.any(String) });
    expect(fromFastPath.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(Object.entries(LEFT))("leaves %s to the Fastify route", async (_name, sent) => {
    const fromFastify = await post(plain, sent);
    const fromFastPath = await post(fast, sent);
    expect(fast.taken).toBe(0);
    expect(fromFastPath).toEqual({ ...fromFastify, requestId: expect.any(String) });
  });

  it("issues a token that carries what the grant allowed", async () => {
    const { status, body } = await post(fast, TAKEN["a narrower scope"]!);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      token_type: "Bearer",
      scope: "billing.read",
      realm: "services",
      access_token: { sub: "billing", realm: "services", scope: ["billing.read"], iss: ISSUER },
    });
  });

  it("keeps a caller's request id and reports every answer for the metrics", async () => {
    const before = fast.answered.length;
    const response = await fetch(`${fast.base}${TOKEN}`, {
      method: "POST",
      headers: { ...billing, "content-type": FORM, "x-request-id": "trace-42" },
      body: form({ grant_type: "client_credentials" }),
    });
    await response.body?.cancel();
    await post(fast, TAKEN["a wrong secret"]!);
    expect(response.headers.get("x-request-id")).toBe("trace-42");
    expect(fast.answered.slice(before)).toEqual([200, 401]);
  });

  it("answers a failure that is not the client's as a bare server_error and reports it", async () => {
    const broken = {
      exchange: async () => {
        throw new Error("connection to the database lost: password=hunter2");
      },
    } as unknown as TokenEndpoint;
    const server = await serve(broken, true);
    try {
      const answer = await post(server, TAKEN["client_credentials with HTTP Basic"]!);
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        error: "server_error",
        error_description: "an unexpected error occurred",
      });
      expect(server.serverErrors).toHaveLength(1);
    } finally {
      await server.app.close();
    }
  });
});

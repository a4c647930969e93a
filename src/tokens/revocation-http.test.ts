import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPgliteTestDatabase, resetDatabase } from "../../test/support/database.js";
import {
  type AuditRecord,
  type AuditSink,
  createHttpApp,
  createLogger,
  type HttpApp,
  ManualClock,
} from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { JwksKeySource } from "./jwks-key-source.js";
import { AuthorizedRevocationService } from "./revocation-authorized-service.js";
import { hashRevocationValue, tokenRevocationInput } from "./revocation-hash.js";
import { revocationsHttp } from "./revocation-http.js";
import { parseRevocationFeed, revocationFeedFromUrl } from "./revocation-http-feed.js";
import { RevocationList } from "./revocation-list.js";
import { RevocationRefresher } from "./revocation-refresher.js";
import { RevocationService } from "./revocation-service.js";
import { authenticateWith, TokenVerifier } from "./token-verifier.js";
import {
  createTestSigner,
  jwksOf,
  mintTestToken,
  TEST_ISSUER,
  type TestSigner,
} from "./verification-fixtures.js";

const SALT = "revocation-test-salt";
const START = Date.UTC(2026, 0, 1);
const NOW = START / 1000;

let handle: DatabaseHandle;
let signer: TestSigner;
let clock: ManualClock;
let audit: AuditRecord[];
let failAudit: boolean;
let list: RevocationList;
let sink: AuditSink;
let verifier: TokenVerifier;
let app: HttpApp;

beforeAll(async () => {
  [handle, signer] = await Promise.all([createPgliteTestDatabase(), createTestSigner("ES256")]);
});

afterAll(async () => {
  await handle.close();
});

beforeEach(async () => {
  await resetDatabase(handle.db);
  clock = new ManualClock(START);
  audit = [];
  failAudit = false;
  sink = {
    append: async (_tx, record) => {
      if (failAudit) throw new Error("audit log unavailable");
      audit.push(record);
    },
  };
  list = new RevocationList({ salt: SALT });
  const keys = new JwksKeySource({ fetchKeys: async () => jwksOf(signer), clock });
  verifier = new TokenVerifier({ keys, issuer: TEST_ISSUER, clock, revocations: list });
  const service = new RevocationService({ db: handle.db, audit: sink, list, clock });
  app = await appFor(new AuthorizedRevocationService(service, { verifier }));
});

async function appFor(service: AuthorizedRevocationService): Promise<HttpApp> {
  const built = await createHttpApp({
    logger: createLogger({ level: "silent" }),
    authenticate: authenticateWith(verifier),
  });
  await built.register(revocationsHttp(service));
  await built.ready();
  return built;
}

/** The payload segment of a token, for forging tokens whose claims say whatever one likes. */
function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function tokenFor(sub: string, options: { realm?: string; scope?: string[]; iat?: number } = {}) {
  return mintTestToken(signer, {
    now: options.iat ?? NOW,
    claims: { sub, realm: options.realm ?? "employees", scope: options.scope ?? ["uid"] },
  });
}

const admin = () => tokenFor("root", { scope: ["uid", "charter.admin"] });

async function post(token: string, body: unknown) {
  return app.inject({
    method: "POST",
    url: "/revocations",
    headers: { authorization: `Bearer ${token}` },
    payload: body as object,
  });
}

async function rows() {
  return handle.db.selectFrom("revocations").selectAll().execute();
}

describe("POST /revocations", () => {
  it("revokes one's own token, stores only its hash, audits it, and refuses the token at once", async () => {
    const token = await tokenFor("jdoe");
    const response = await post(token, { type: "TOKEN", data: { token } });
    expect(response.statusCode).toBe(201);
    const tokenHash = hashRevocationValue(SALT, tokenRevocationInput(token));
    expect(response.json()).toEqual({
      type: "TOKEN",
      revoked_at: NOW,
      data: { token_hash: tokenHash, hash_algorithm: "SHA-256" },
    });
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token.split(".")[1]!);
    expect(stored[0]).toMatchObject({ type: "TOKEN", token_hash: tokenHash, revoked_by: "employees/jdoe" });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: { sub: "jdoe", realm: "employees" },
      action: "revocation.create",
    });
    expect(JSON.stringify(audit[0])).not.toContain(token.split(".")[1]!);

    const again = await app.inject({ url: "/revocations", headers: { authorization: `Bearer ${token}` } });
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe("TOKENS_REVOKED");
  });

  it("lets only an admin revoke somebody else's token", async () => {
    const victim = await tokenFor("jane");
    const namesake = await tokenFor("jdoe", { realm: "services" });
    const mine = await tokenFor("jdoe");
    expect((await post(mine, { type: "TOKEN", data: { token: victim } })).json().code).toBe(
      "TOKENS_REVOCATION_FORBIDDEN",
    );
    expect((await post(mine, { type: "TOKEN", data: { token: namesake } })).statusCode).toBe(403);
    expect((await post(mine, { type: "TOKEN", data: { token: "a.b.c" } })).statusCode).toBe(403);
    expect((await post(await admin(), { type: "TOKEN", data: { token: victim } })).statusCode).toBe(201);
    expect((await post(await admin(), { type: "TOKEN", data: { token: "not-a-jws" } })).json().code).toBe(
      "TOKENS_REVOCATION_INVALID",
    );
  });

  it("refuses a forged token that merely claims the caller's sub and realm, storing nothing", async () => {
    const mine = await tokenFor("jdoe");
    const [header, , signature] = mine.split(".");
    const forged = (n: number) =>
      [
        header,
        segment({
          sub: "jdoe",
          realm: "employees",
          scope: ["uid"],
          iss: TEST_ISSUER,
          iat: NOW,
          exp: NOW + n,
        }),
        signature,
      ].join(".");
    const unsigned = `${segment({ alg: "none" })}.${segment({ sub: "jdoe", realm: "employees" })}.x`;
    const stranger = await createTestSigner("ES256", signer.kid);
    const foreignKey = await mintTestToken(stranger, {
      now: NOW,
      claims: { sub: "jdoe", realm: "employees" },
    });
    const foreignIssuer = await mintTestToken(signer, {
      now: NOW,
      claims: { sub: "jdoe", realm: "employees", iss: "https://elsewhere.test" },
    });
    for (const token of [forged(1), forged(2), unsigned, foreignKey, foreignIssuer]) {
      const response = await post(mine, { type: "TOKEN", data: { token } });
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe("TOKENS_REVOCATION_FORBIDDEN");
    }
    expect(await rows()).toHaveLength(0);
    expect(list.size).toBe(0);
  });

  it("answers an expired or already revoked token without storing another row", async () => {
    const mine = await tokenFor("jdoe");
    const expired = await mintTestToken(signer, {
      now: NOW - 7200,
      claims: { sub: "jdoe", realm: "employees", scope: ["uid"] },
    });
    const gone = await post(mine, { type: "TOKEN", data: { token: expired } });
    expect(gone.statusCode).toBe(400);
    expect(gone.json()).toMatchObject({ code: "TOKENS_REVOCATION_TOKEN_EXPIRED", field: "data.token" });
    expect(await rows()).toHaveLength(0);

    const other = await tokenFor("jdoe", { iat: NOW - 1 });
    expect((await post(mine, { type: "TOKEN", data: { token: other } })).statusCode).toBe(201);
    const again = await post(mine, { type: "TOKEN", data: { token: other } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("TOKENS_REVOCATION_ALREADY_REVOKED");
    expect(await rows()).toHaveLength(1);
  });

  it("refuses a non-admin TOKEN revocation when no verifier is configured", async () => {
    const service = new RevocationService({ db: handle.db, audit: sink, list, clock });
    const unverified = await appFor(new AuthorizedRevocationService(service));
    const mine = await tokenFor("jdoe");
    const response = await unverified.inject({
      method: "POST",
      url: "/revocations",
      headers: { authorization: `Bearer ${mine}` },
      payload: { type: "TOKEN", data: { token: mine } },
    });
    expect(response.json().code).toBe("TOKENS_REVOCATION_FORBIDDEN");
    expect(await rows()).toHaveLength(0);
    await unverified.close();
  });

  it("lets anyone revoke all of their own tokens by claim, narrowed to their realm", async () => {
    const mine = await tokenFor("jdoe");
    const response = await post(mine, { type: "CLAIM", data: { claims: { sub: "jdoe" } } });
    expect(response.statusCode).toBe(201);
    expect(response.json().data).toEqual({
      names: "realm|sub",
      value_hash: hashRevocationValue(SALT, "employees|jdoe"),
      issued_before: NOW,
      hash_algorithm: "SHA-256",
    });
    expect((await post(mine, { type: "CLAIM", data: { claims: { sub: "jdoe" } } })).statusCode).toBe(401);
    clock.advance(1_000);
    const fresh = await tokenFor("jdoe", { iat: NOW + 1 });
    for (const claims of [{ sub: "jane" }, { sub: "jdoe", realm: "services" }, { sub: "jdoe", azp: "x" }]) {
      expect((await post(fresh, { type: "CLAIM", data: { claims } })).statusCode).toBe(403);
    }
  });

  it("lets an admin revoke by any claims, hashing the values in sorted name order", async () => {
    const response = await post(await admin(), {
      type: "CLAIM",
      data: { claims: { sub: "billing", azp: "billing-ui" }, issued_before: NOW - 60 },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().data).toMatchObject({
      names: "azp|sub",
      value_hash: hashRevocationValue(SALT, "billing-ui|billing"),
      issued_before: NOW - 60,
    });
    expect(list.size).toBe(1);
  });

  it("needs charter.admin for a GLOBAL revocation and refuses issued_before beyond 5 s ahead", async () => {
    expect(
      (await post(await tokenFor("jdoe"), { type: "GLOBAL", data: { issued_before: NOW } })).statusCode,
    ).toBe(403);
    const tooLate = await post(await admin(), { type: "GLOBAL", data: { issued_before: NOW + 6 } });
    expect(tooLate.statusCode).toBe(400);
    expect(tooLate.json()).toMatchObject({ code: "TOKENS_REVOCATION_INVALID", field: "data.issued_before" });
    const claimTooLate = await post(await admin(), {
      type: "CLAIM",
      data: { claims: { sub: "x" }, issued_before: NOW + 6 },
    });
    expect(claimTooLate.statusCode).toBe(400);
    expect((await post(await admin(), { type: "GLOBAL", data: { issued_before: NOW + 5 } })).statusCode).toBe(
      201,
    );
  });

  it("refuses malformed bodies", async () => {
    const token = await admin();
    for (const body of [
      { type: "EVERYTHING", data: {} },
      { type: "CLAIM", data: { claims: {} } },
      { type: "CLAIM", data: { claims: { sub: { id: "x" } } } },
      { type: "CLAIM", data: { claims: { "bad name": "x" } } },
      { type: "CLAIM", data: { claims: { sub: "a|b" } } },
      { type: "TOKEN", data: { token: "a.b.c", extra: true } },
    ]) {
      expect((await post(token, body)).statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(await rows()).toHaveLength(0);
  });

  it("stores nothing and changes nothing when the audit log refuses the record", async () => {
    failAudit = true;
    const token = await tokenFor("jdoe");
    expect((await post(token, { type: "TOKEN", data: { token } })).statusCode).toBe(500);
    expect(await rows()).toHaveLength(0);
    expect(list.size).toBe(0);
  });
});

describe("GET /revocations", () => {
  it("serves revocations made at or after from, in Plan B's shape, to any valid token", async () => {
    const root = await admin();
    await post(root, { type: "GLOBAL", data: { issued_before: NOW - 3600 } });
    clock.advance(100_000);
    await post(root, { type: "CLAIM", data: { claims: { sub: "jane" } } });

    const reader = await tokenFor("billing", { realm: "services", iat: NOW + 100 });
    const all = await app.inject({
      url: "/revocations?from=0",
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({
      meta: {},
      revocations: [
        { type: "GLOBAL", revoked_at: NOW, data: { issued_before: NOW - 3600 } },
        {
          type: "CLAIM",
          revoked_at: NOW + 100,
          data: {
            names: "sub",
            value_hash: hashRevocationValue(SALT, "jane"),
            issued_before: NOW + 100,
            hash_algorithm: "SHA-256",
          },
        },
      ],
    });
    const recent = await app.inject({
      url: `/revocations?from=${NOW + 50}`,
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(recent.json().revocations.map((r: { type: string }) => r.type)).toEqual(["CLAIM"]);
    const defaultWindow = await app.inject({
      url: "/revocations",
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(defaultWindow.json().revocations).toHaveLength(2);
  });

  it("needs a token", async () => {
    const response = await app.inject({ url: "/revocations" });
    expect(response.statusCode).toBe(401);
  });
});

describe("GET /revocations in pages", () => {
  const pageSize = 3;

  async function pagedApp() {
    const service = new RevocationService({ db: handle.db, audit: sink, list, clock, pageSize });
    return { service, paged: await appFor(new AuthorizedRevocationService(service, { verifier })) };
  }

  /** Admin CLAIM revocations of `sub` `u<i>-<n>`, `perSecond[i]` of them in second NOW + i. */
  async function revokeOver(service: RevocationService, perSecond: number[]) {
    const actor = { sub: "root", realm: "employees" } as const;
    for (const [i, count] of perSecond.entries()) {
      clock.set(START + i * 1000);
      for (let n = 0; n < count; n++) {
        await service.revoke(actor, { type: "CLAIM", data: { claims: { sub: `u${i}-${n}` } } });
      }
    }
  }

  it("caps an answer, cuts only between seconds and tells where to read on", async () => {
    const { service, paged } = await pagedApp();
    await revokeOver(service, [2, 2, 1, 4, 1]);
    const reader = await tokenFor("billing", { realm: "services", iat: NOW + 4 });
    const page = async (from: number) => {
      const response = await paged.inject({
        url: `/revocations?from=${from}`,
        headers: { authorization: `Bearer ${reader}` },
      });
      expect(response.statusCode).toBe(200);
      const body = response.json() as { meta: { NEXT_FROM?: number }; revocations: { revoked_at: number }[] };
      return { next: body.meta.NEXT_FROM, at: body.revocations.map((r) => r.revoked_at - NOW) };
    };
    expect(await page(NOW)).toEqual({ next: NOW + 1, at: [0, 0] });
    expect(await page(NOW + 1)).toEqual({ next: NOW + 3, at: [1, 1, 2] });
    // One second holding more than a page is answered whole, so a reader always advances.
    expect(await page(NOW + 3)).toEqual({ next: NOW + 4, at: [3, 3, 3, 3] });
    expect(await page(NOW + 4)).toEqual({ next: undefined, at: [4] });
    await paged.close();
  });

  it("is followed to the end by the refresher, in process and over HTTP", async () => {
    const { service, paged } = await pagedApp();
    await revokeOver(service, [2, 2, 1, 4, 1]);
    clock.set(START + 10_000);
    const direct = new RevocationList({ salt: SALT });
    const pages: number[] = [];
    const inProcess = new RevocationRefresher({
      list: direct,
      clock,
      fetchFeed: async (from) => {
        pages.push(from);
        return service.feed(from);
      },
    });
    expect(await inProcess.refresh()).toBe(true);
    expect(pages).toHaveLength(4);
    expect(direct.size).toBe(10);

    const reader = await tokenFor("billing", { realm: "services", iat: NOW + 10 });
    const fetch = (async (input: URL | string, init?: RequestInit) => {
      const url = new URL(String(input));
      const response = await paged.inject({
        url: `${url.pathname}${url.search}`,
        headers: init?.headers as Record<string, string>,
      });
      return new Response(response.body, { status: response.statusCode });
    }) as typeof globalThis.fetch;
    const overHttp = new RevocationList({ salt: SALT });
    const remote = new RevocationRefresher({
      list: overHttp,
      clock,
      fetchFeed: revocationFeedFromUrl("http://charter.test/revocations", {
        credentials: { token: async () => reader, invalidate: () => {} },
        fetch,
      }),
    });
    expect(await remote.refresh()).toBe(true);
    expect(overHttp.size).toBe(10);
    expect(overHttp.isRevoked({ signedPart: "h.p", claims: { sub: "u3-3" }, iat: NOW })).toBe(true);
    await paged.close();
  });

  it("keeps NEXT_FROM when reading a feed from JSON", () => {
    expect(parseRevocationFeed({ meta: { NEXT_FROM: NOW }, revocations: [] }).meta).toEqual({
      NEXT_FROM: NOW,
    });
  });
});

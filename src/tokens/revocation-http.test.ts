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
import { RevocationList } from "./revocation-list.js";
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
  const sink: AuditSink = {
    append: async (_tx, record) => {
      if (failAudit) throw new Error("audit log unavailable");
      audit.push(record);
    },
  };
  list = new RevocationList({ salt: SALT });
  const keys = new JwksKeySource({ fetchKeys: async () => jwksOf(signer), clock });
  const verifier = new TokenVerifier({ keys, issuer: TEST_ISSUER, clock, revocations: list });
  const service = new RevocationService({ db: handle.db, audit: sink, list, clock });
  app = await createHttpApp({
    logger: createLogger({ level: "silent" }),
    authenticate: authenticateWith(verifier),
  });
  await app.register(revocationsHttp(new AuthorizedRevocationService(service)));
  await app.ready();
});

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

import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase, testEngines } from "../../test/support/database.js";
import { Duration, ManualClock } from "../core/index.js";
import type { DatabaseHandle } from "../db/index.js";
import { KeyRing } from "./key-ring.js";
import { KeyRotation } from "./key-rotation.js";
import { RecordingAuditSink, testSecretBox } from "./testing.js";

const MIN = 60_000;
const HOUR = 60 * MIN;

// Rotation relies on advisory locks and concurrent transactions, so it runs on every engine.
describe.each(testEngines())("KeyRotation on $name", (engine) => {
  let handle: DatabaseHandle;
  let clock: ManualClock;
  let audit: RecordingAuditSink;
  const secretBox = testSecretBox();

  beforeAll(async () => {
    handle = await engine.create();
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await resetDatabase(handle.db);
    clock = new ManualClock();
    audit = new RecordingAuditSink();
  });

  /** One server replica: its own ring and rotation job on the shared database. */
  function replica() {
    const ring = new KeyRing({ db: handle.db, secretBox, clock });
    const rotation = new KeyRotation({
      db: handle.db,
      secretBox,
      audit,
      ring,
      clock,
      maxTokenLifetime: Duration.hours(8),
    });
    return { ring, rotation };
  }

  const kids = (ring: KeyRing) => ring.publishedJwks().keys.map((k) => k.kid);

  it("creates a first key that signs at once, sealed, and records it", async () => {
    const { ring, rotation } = replica();
    const outcome = await rotation.rotateIfDue();
    expect(outcome.locked).toBe(true);
    expect(outcome.created).toBeDefined();
    expect(ring.signingKey().kid).toBe(outcome.created);
    expect(ring.signingKey().alg).toBe("ES256");
    expect(kids(ring)).toEqual([outcome.created]);
    expect(audit.actions()).toEqual([`signing-key.create signing-key/${outcome.created}`]);

    const { rows } = await sql<{ sealed: Uint8Array; jwk: Record<string, unknown> }>`
        select sealed_private_key as sealed, public_jwk as jwk from signing_keys`.execute(handle.db);
    expect(rows[0]?.jwk).not.toHaveProperty("d");
    expect(Buffer.from(rows[0]!.sealed).toString("latin1")).not.toContain("BEGIN");
  });

  it("publishes the next key at least prepublish before it signs, then switches", async () => {
    const { ring, rotation } = replica();
    const first = (await rotation.rotateIfDue()).created!;
    expect(rotation.policy.prepublish).toBeGreaterThanOrEqual(5 * MIN);

    clock.advance(23 * HOUR);
    expect((await rotation.rotateIfDue()).created).toBeUndefined();

    clock.advance(HOUR - rotation.policy.prepublish);
    const next = (await rotation.rotateIfDue()).created!;
    expect(next).toBeDefined();
    expect(kids(ring)).toEqual([next, first]);
    expect(ring.signingKey().kid).toBe(first);

    clock.advance(rotation.policy.prepublish - 1);
    expect(ring.signingKey().kid).toBe(first);
    clock.advance(1);
    expect(ring.signingKey().kid).toBe(next);
  });

  it("keeps a retired key published until its tokens expire, then removes it", async () => {
    const { ring, rotation } = replica();
    const first = (await rotation.rotateIfDue()).created!;
    clock.advance(24 * HOUR - rotation.policy.prepublish);
    const second = (await rotation.rotateIfDue()).created!;
    clock.advance(rotation.policy.prepublish);
    expect(ring.signingKey().kid).toBe(second);

    // The longest token (8 h) signed just before the switch must still verify.
    clock.advance(8 * HOUR);
    await rotation.rotateIfDue();
    expect(kids(ring)).toContain(first);

    clock.advance(rotation.policy.retention - 8 * HOUR);
    expect(kids(ring)).toEqual([second]);
    const outcome = await rotation.rotateIfDue();
    expect(outcome.removed).toEqual([first]);
    expect(audit.actions()).toContain(`signing-key.remove signing-key/${first}`);
    const { rows } = await sql<{ kid: string }>`select kid from signing_keys`.execute(handle.db);
    expect(rows.map((r) => r.kid)).toEqual([second]);
  });

  it("lets two replicas on one database agree on the signing key and create one key per rotation", async () => {
    const a = replica();
    const b = replica();
    const [first, second] = await Promise.all([a.rotation.rotateIfDue(), b.rotation.rotateIfDue()]);
    expect([first.created, second.created].filter((kid) => kid !== undefined)).toHaveLength(1);
    await Promise.all([a.ring.load(), b.ring.load()]);
    expect(a.ring.activeKid()).toBe(b.ring.activeKid());

    clock.advance(24 * HOUR - a.rotation.policy.prepublish);
    await Promise.all([a.rotation.rotateIfDue(), b.rotation.rotateIfDue()]);
    await Promise.all([a.ring.load(), b.ring.load()]);
    expect(kids(a.ring)).toHaveLength(2);
    expect(kids(a.ring)).toEqual(kids(b.ring));
    for (const step of [0, a.rotation.policy.prepublish - 1, 1, HOUR]) {
      clock.advance(step);
      expect(a.ring.signingKey().kid).toBe(b.ring.signingKey().kid);
    }
  });

  it("starts two replicas at once with a single first key that both sign with", async () => {
    const a = replica();
    const b = replica();
    await Promise.all([a.rotation.start(), b.rotation.start()]);
    await Promise.all([a.rotation.stop(), b.rotation.stop()]);
    await Promise.all([a.ring.load(), b.ring.load()]);
    expect(kids(a.ring)).toHaveLength(1);
    expect(a.ring.signingKey().kid).toBe(b.ring.signingKey().kid);
  });

  it("signs with keys other replicas created once it reloads", async () => {
    const a = replica();
    const b = replica();
    await a.rotation.rotateIfDue();
    expect(() => b.ring.signingKey()).toThrowError(
      expect.objectContaining({ code: "TOKENS_NO_SIGNING_KEY" }),
    );
    await b.ring.load();
    expect(b.ring.signingKey().kid).toBe(a.ring.signingKey().kid);
  });

  it("creates keys of the configured algorithm", async () => {
    for (const algorithm of ["ES384", "RS256"] as const) {
      await resetDatabase(handle.db);
      const ring = new KeyRing({ db: handle.db, secretBox, clock });
      const rotation = new KeyRotation({
        db: handle.db,
        secretBox,
        audit,
        ring,
        clock,
        algorithm,
        maxTokenLifetime: Duration.hours(1),
      });
      await rotation.rotateIfDue();
      expect(ring.signingKey().alg).toBe(algorithm);
      expect(ring.publishedJwks().keys[0]).toMatchObject({ alg: algorithm, use: "sig" });
    }
  });

  it("refuses a pre-publication shorter than verifiers and replicas need to see a key", () => {
    expect(
      () =>
        new KeyRotation({
          db: handle.db,
          secretBox,
          audit,
          maxTokenLifetime: Duration.hours(1),
          prepublish: Duration.seconds(30),
        }),
    ).toThrow(/prepublish/);
  });
});

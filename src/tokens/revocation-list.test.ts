import { afterEach, describe, expect, it, vi } from "vitest";
import { Duration, ManualClock } from "../core/index.js";
import { hashRevocationValue, tokenRevocationInput } from "./revocation-hash.js";
import { RevocationList, type RevocationSubject } from "./revocation-list.js";
import { RevocationRefresher } from "./revocation-refresher.js";
import type { Revocation, RevocationFeed } from "./revocation-types.js";

const SALT = "pepper";
const NOW = 1_767_225_600;

function subject(claims: Record<string, unknown>, iat = NOW): RevocationSubject {
  return { signedPart: `h.${JSON.stringify(claims)}`, claims, iat };
}

function claimRevocation(names: string, values: string, issuedBefore = NOW): Revocation {
  return {
    type: "CLAIM",
    revoked_at: NOW,
    data: {
      names,
      value_hash: hashRevocationValue(SALT, values),
      issued_before: issuedBefore,
      hash_algorithm: "SHA-256",
    },
  };
}

describe("hashRevocationValue", () => {
  it("is SHA-256 of salt and value in padded URL-safe Base64, as Plan B writes it", () => {
    // Computed with Python's hashlib and base64.urlsafe_b64encode.
    expect(hashRevocationValue("seasaltisthebest", "jdoe")).toBe(
      "w2sGZC-G0eNf6ByQOgNOjgCXmz3XPZmQ9aEdtrWVafY=",
    );
  });

  it("hashes a token's signed part, so re-signed twins share the hash", () => {
    expect(tokenRevocationInput("a.b.sig1")).toBe("a.b");
    expect(tokenRevocationInput("a.b.sig2")).toBe("a.b");
  });
});

describe("RevocationList", () => {
  it("revokes a token by the hash of its signed part", () => {
    const list = new RevocationList({ salt: SALT });
    const token = subject({ sub: "a" });
    expect(list.isRevoked(token)).toBe(false);
    list.add({
      type: "TOKEN",
      revoked_at: NOW,
      data: { token_hash: hashRevocationValue(SALT, token.signedPart), hash_algorithm: "SHA-256" },
    });
    expect(list.isRevoked(token)).toBe(true);
    expect(list.isRevoked(subject({ sub: "b" }))).toBe(false);
  });

  it("revokes by a combination of claim values issued at or before issued_before", () => {
    const list = new RevocationList({ salt: SALT });
    list.add(claimRevocation("realm|sub", "services|billing"));
    expect(list.isRevoked(subject({ sub: "billing", realm: "services" }))).toBe(true);
    expect(list.isRevoked(subject({ sub: "billing", realm: "services" }, NOW - 10))).toBe(true);
    expect(list.isRevoked(subject({ sub: "billing", realm: "services" }, NOW + 1))).toBe(false);
    expect(list.isRevoked(subject({ sub: "billing", realm: "employees" }))).toBe(false);
    expect(list.isRevoked(subject({ sub: "billing" }))).toBe(false);
    expect(list.isRevoked(subject({ sub: ["billing"], realm: "services" }))).toBe(false);
  });

  it("hashes no claim values of a token issued after every claim revocation of those names", () => {
    const list = new RevocationList({ salt: SALT });
    list.add(claimRevocation("sub", "a", NOW - 100));
    list.add(claimRevocation("sub", "b", NOW));
    const hash = vi.spyOn(list, "hash");
    expect(list.isRevoked(subject({ sub: "a" }, NOW + 1))).toBe(false);
    expect(hash).not.toHaveBeenCalled();
    // At or before the latest, every value is looked up, each against its own issued_before.
    expect(list.isRevoked(subject({ sub: "a" }, NOW))).toBe(false);
    expect(list.isRevoked(subject({ sub: "a" }, NOW - 100))).toBe(true);
    expect(list.isRevoked(subject({ sub: "b" }, NOW))).toBe(true);
    expect(hash).toHaveBeenCalledTimes(3);
  });

  it("skips hashing only after the latest issued_before, whatever order revocations arrive in", () => {
    const list = new RevocationList({ salt: SALT });
    list.add(claimRevocation("sub", "a", NOW + 100));
    list.add(claimRevocation("sub", "b", NOW));
    expect(list.isRevoked(subject({ sub: "a" }, NOW + 50))).toBe(true);
    expect(list.isRevoked(subject({ sub: "b" }, NOW + 50))).toBe(false);
  });

  it("keeps the latest issued_before of a claim whatever the order of arrival", () => {
    const list = new RevocationList({ salt: SALT });
    list.add(claimRevocation("sub", "a", NOW + 100));
    const version = list.version;
    expect(list.add(claimRevocation("sub", "a", NOW))).toBe(false);
    expect(list.version).toBe(version);
    expect(list.isRevoked(subject({ sub: "a" }, NOW + 50))).toBe(true);
    expect(list.size).toBe(1);
  });

  it("revokes everything issued at or before a global issued_before", () => {
    const list = new RevocationList({ salt: SALT });
    list.add({ type: "GLOBAL", revoked_at: NOW, data: { issued_before: NOW } });
    expect(list.isRevoked(subject({}, NOW))).toBe(true);
    expect(list.isRevoked(subject({}, NOW + 1))).toBe(false);
  });

  it("changes its version only when something changes", () => {
    const list = new RevocationList({ salt: SALT });
    const revocation = claimRevocation("sub", "a");
    list.addAll([revocation]);
    const version = list.version;
    list.addAll([revocation, revocation]);
    expect(list.version).toBe(version);
    list.clear();
    expect(list.version).toBe(version + 1);
    expect(list.isRevoked(subject({ sub: "a" }))).toBe(false);
  });

  it("insists on a salt", () => {
    expect(() => new RevocationList({ salt: "" })).toThrow(RangeError);
  });
});

describe("RevocationRefresher", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(feeds: RevocationFeed[]) {
    const clock = new ManualClock(NOW * 1000);
    const list = new RevocationList({ salt: SALT });
    const froms: number[] = [];
    let i = 0;
    const refresher = new RevocationRefresher({
      list,
      clock,
      lookBack: Duration.days(1),
      fetchFeed: async (from) => {
        froms.push(from);
        return feeds[Math.min(i++, feeds.length - 1)]!;
      },
    });
    return { clock, list, froms, refresher };
  }

  it("polls from the look-back first, then from the last poll minus the tolerance", async () => {
    const { clock, list, froms, refresher } = setup([
      { meta: {}, revocations: [claimRevocation("sub", "a")] },
      { meta: {}, revocations: [claimRevocation("sub", "a"), claimRevocation("sub", "b")] },
    ]);
    expect(refresher.loaded).toBe(false);
    await refresher.refresh();
    clock.advance(10_000);
    await refresher.refresh();
    expect(froms).toEqual([NOW - 86_400, NOW - 60]);
    expect(refresher.loaded).toBe(true);
    expect(list.size).toBe(2);
  });

  it("rebuilds the list when the feed announces a newer REFRESH_TIMESTAMP", async () => {
    const { clock, list, froms, refresher } = setup([
      {
        meta: { REFRESH_FROM: NOW - 100, REFRESH_TIMESTAMP: NOW - 5 },
        revocations: [claimRevocation("sub", "a")],
      },
      { meta: { REFRESH_FROM: NOW - 100, REFRESH_TIMESTAMP: NOW + 5 }, revocations: [] },
      {
        meta: { REFRESH_FROM: NOW - 100, REFRESH_TIMESTAMP: NOW + 5 },
        revocations: [claimRevocation("sub", "b")],
      },
    ]);
    await refresher.refresh();
    expect(list.isRevoked(subject({ sub: "a" }))).toBe(true);
    clock.advance(10_000);
    await refresher.refresh();
    expect(froms).toEqual([NOW - 86_400, NOW - 60, NOW + 10 - 86_400]);
    expect(list.isRevoked(subject({ sub: "a" }))).toBe(false);
    expect(list.isRevoked(subject({ sub: "b" }))).toBe(true);
  });

  it("follows NEXT_FROM page by page and applies the pages together", async () => {
    const pages = new Map<number, RevocationFeed>([
      [NOW - 86_400, { meta: { NEXT_FROM: NOW - 50 }, revocations: [claimRevocation("sub", "a")] }],
      [NOW - 50, { meta: { NEXT_FROM: NOW - 10 }, revocations: [claimRevocation("sub", "b")] }],
      [NOW - 10, { meta: {}, revocations: [claimRevocation("sub", "c")] }],
    ]);
    const froms: number[] = [];
    const list = new RevocationList({ salt: SALT });
    const refresher = new RevocationRefresher({
      list,
      clock: new ManualClock(NOW * 1000),
      lookBack: Duration.days(1),
      fetchFeed: async (from) => {
        froms.push(from);
        return pages.get(from)!;
      },
    });
    expect(await refresher.refresh()).toBe(true);
    expect(froms).toEqual([NOW - 86_400, NOW - 50, NOW - 10]);
    expect(list.size).toBe(3);
    expect(list.version).toBe(1);
  });

  it("refuses a feed whose NEXT_FROM does not advance, and a page failing halfway, keeping the list", async () => {
    for (const second of [
      () => Promise.resolve<RevocationFeed>({ meta: { NEXT_FROM: NOW - 86_400 }, revocations: [] }),
      () => Promise.reject(new Error("down")),
    ]) {
      const errors: unknown[] = [];
      const list = new RevocationList({ salt: SALT });
      let calls = 0;
      const refresher = new RevocationRefresher({
        list,
        clock: new ManualClock(NOW * 1000),
        lookBack: Duration.days(1),
        fetchFeed: async () =>
          ++calls === 1
            ? { meta: { NEXT_FROM: NOW - 86_400 + 5 }, revocations: [claimRevocation("sub", "a")] }
            : second(),
        onError: (e) => errors.push(e),
      });
      expect(await refresher.refresh()).toBe(false);
      expect(errors).toHaveLength(1);
      expect(list.size).toBe(0);
      expect(refresher.loaded).toBe(false);
    }
  });

  it("keeps polling on schedule when its error listener throws", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const refresher = new RevocationRefresher({
      list: new RevocationList({ salt: SALT }),
      interval: Duration.seconds(10),
      fetchFeed: async () => {
        calls++;
        throw new Error("down");
      },
      onError: () => {
        throw new Error("listener failed");
      },
    });
    await refresher.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toBe(4);
    refresher.stop();
  });

  it("keeps the list and reports when a poll fails", async () => {
    const errors: unknown[] = [];
    const list = new RevocationList({ salt: SALT });
    list.add(claimRevocation("sub", "a"));
    const refresher = new RevocationRefresher({
      list,
      fetchFeed: () => Promise.reject(new Error("down")),
      onError: (e) => errors.push(e),
    });
    expect(await refresher.refresh()).toBe(false);
    expect(errors).toHaveLength(1);
    expect(list.size).toBe(1);
    expect(refresher.loaded).toBe(false);
  });
});

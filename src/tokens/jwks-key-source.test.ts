import { exportJWK, generateKeyPair, type JSONWebKeySet } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Duration } from "../core/index.js";
import { JwksKeySource } from "./jwks-key-source.js";
import { fetchOpenIdConfiguration, jwksFromUrl, jwksViaDiscovery } from "./jwks-key-source-fetch.js";
import { createTestSigner, jwksOf, type TestSigner } from "./verification-fixtures.js";

let a: TestSigner;
let b: TestSigner;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestSigner("ES256", "a"), createTestSigner("ES256", "b")]);
});

afterEach(() => {
  vi.useRealTimers();
});

function sourceOf(
  sets: (JSONWebKeySet | Error)[],
  onRejectedKey?: (kid: string | undefined, reason: string) => void,
) {
  const errors: unknown[] = [];
  let i = 0;
  const keys = new JwksKeySource({
    fetchKeys: async () => {
      const next = sets[Math.min(i++, sets.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    },
    onError: (e) => errors.push(e),
    ...(onRejectedKey === undefined ? {} : { onRejectedKey }),
  });
  return { keys, errors };
}

describe("JwksKeySource", () => {
  it("is not ready until a load yields a usable key", async () => {
    const { keys } = sourceOf([{ keys: [] }, jwksOf(a)]);
    expect(keys.ready).toBe(false);
    await keys.refresh();
    expect(keys.ready).toBe(false);
    await keys.refresh();
    expect(keys.ready).toBe(true);
    expect(keys.get("a")?.alg).toBe("ES256");
  });

  it("removes keys that disappear from the set and adds new ones", async () => {
    const { keys } = sourceOf([jwksOf(a, b), jwksOf(b)]);
    await keys.refresh();
    expect(keys.kids).toEqual(["a", "b"]);
    const heldB = keys.get("b");
    await keys.refresh();
    expect(keys.kids).toEqual(["b"]);
    expect(keys.get("a")).toBeUndefined();
    expect(keys.get("b")).toBe(heldB);
  });

  it("keeps its keys when a load fails, and reports the failure", async () => {
    const { keys, errors } = sourceOf([jwksOf(a), new Error("down"), { nope: true } as never]);
    await keys.refresh();
    expect(await keys.refresh()).toBe(false);
    expect(await keys.refresh()).toBe(false);
    expect(keys.kids).toEqual(["a"]);
    expect(errors).toHaveLength(2);
  });

  it("skips unusable keys and publishes only public members", async () => {
    const rejected: [string | undefined, string][] = [];
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const leaked = { ...(await exportJWK(privateKey)), kid: "leaked" };
    const rsaSmall = { kty: "RSA", kid: "small", n: "AQAB", e: "AQAB" };
    const { keys } = sourceOf(
      [
        {
          keys: [
            { ...a.jwk, use: "enc" },
            { ...b.jwk, kid: undefined },
            { kty: "oct", k: "c2VjcmV0", kid: "hmac" },
            { ...a.jwk, kid: "wrong-alg", alg: "ES384" },
            rsaSmall,
            leaked,
            { ...b.jwk, kid: "dup" },
            { ...a.jwk, kid: "dup" },
          ],
        },
      ],
      (kid, reason) => rejected.push([kid, reason]),
    );
    await keys.refresh();
    expect(keys.kids).toEqual(["leaked", "dup"]);
    expect(rejected.map(([kid]) => kid)).toEqual(["a", undefined, "hmac", "wrong-alg", "small", "dup"]);
    expect(keys.document.keys.find((k) => k.kid === "leaked")).not.toHaveProperty("d");
    expect(keys.get("dup")?.jwk.x).toBe(b.jwk.x);
  });

  it("skips keys that are not objects, such as null, instead of throwing", async () => {
    const rejected: [string | undefined, string][] = [];
    const { keys, errors } = sourceOf(
      [{ keys: [null, 42, "a", [a.jwk], a.jwk] } as unknown as JSONWebKeySet],
      (kid, reason) => rejected.push([kid, reason]),
    );
    expect(await keys.refresh()).toBe(true);
    expect(keys.kids).toEqual(["a"]);
    expect(rejected).toHaveLength(4);
    expect(rejected.every(([kid]) => kid === undefined)).toBe(true);
    expect(errors).toEqual([]);
  });

  it("keeps its keys and its schedule when a listener throws during a scheduled reload", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const keys = new JwksKeySource({
      fetchKeys: async () => {
        calls++;
        return (calls === 1 ? jwksOf(a) : { keys: [null, a.jwk] }) as JSONWebKeySet;
      },
      refreshInterval: Duration.seconds(30),
      onRejectedKey: () => {
        throw new Error("listener failed");
      },
      onError: () => {
        throw new Error("listener failed too");
      },
    });
    await keys.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(3);
    expect(keys.kids).toEqual(["a"]);
    keys.stop();
  });

  it("reloads on its interval once started, retrying quickly while it holds no key", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const keys = new JwksKeySource({
      fetchKeys: async () => (++calls < 3 ? Promise.reject(new Error("not yet")) : jwksOf(a)),
      refreshInterval: Duration.seconds(30),
      retryInterval: Duration.seconds(1),
    });
    await keys.start();
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toBe(3);
    expect(keys.ready).toBe(true);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(4);
    keys.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(4);
  });
});

describe("fetching key sets over HTTP", () => {
  function stubFetch(routes: Record<string, unknown>): typeof fetch {
    return (async (input: URL | string) => {
      const url = String(input);
      if (!(url in routes)) return new Response("no", { status: 404 });
      return Response.json(routes[url]);
    }) as typeof fetch;
  }

  it("follows the discovery document to the JWKS", async () => {
    const fetch = stubFetch({
      "http://charter.test/.well-known/openid-configuration": {
        issuer: "http://charter.test",
        jwks_uri: "/oauth2/connect/keys",
      },
      "http://charter.test/oauth2/connect/keys": jwksOf(a),
    });
    expect(await fetchOpenIdConfiguration("http://charter.test", { fetch })).toEqual({
      issuer: "http://charter.test",
      jwksUri: "http://charter.test/oauth2/connect/keys",
    });
    expect((await jwksViaDiscovery("http://charter.test", { fetch })()).keys).toHaveLength(1);
    expect((await jwksFromUrl("http://charter.test/oauth2/connect/keys", { fetch })()).keys).toHaveLength(1);
  });

  it("fails on an error status or an incomplete discovery document", async () => {
    const fetch = stubFetch({ "http://charter.test/.well-known/openid-configuration": { issuer: "x" } });
    await expect(fetchOpenIdConfiguration("http://charter.test", { fetch })).rejects.toThrow(/jwks_uri/);
    await expect(jwksFromUrl("http://charter.test/keys", { fetch })()).rejects.toThrow(/404/);
  });
});

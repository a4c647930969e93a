import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bodySha256, EMPTY_BODY_SHA256, isSecretFieldName } from "./body-digest.js";
import { canonicalJson } from "./canonical-json.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("canonicalJson", () => {
  it("sorts members at every depth and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[true,null]},"b":1}',
    );
  });

  it("follows JSON.stringify for undefined, functions, toJSON and non-finite numbers", () => {
    expect(canonicalJson({ u: undefined, f: () => 1, d: new Date(0), n: Number.NaN, a: [undefined] })).toBe(
      '{"a":[null],"d":"1970-01-01T00:00:00.000Z","n":null}',
    );
    expect(canonicalJson(undefined)).toBeUndefined();
  });

  it("rejects a cycle instead of recursing forever", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });
});

describe("bodySha256", () => {
  it("gives the same digest with or without the secret fields", () => {
    const plain = { id: "billing-api", scopes: ["a"], nested: [{ name: "x" }] };
    const withSecrets = {
      ...plain,
      password: "hunter2",
      client_secret: "s3cr3t",
      nested: [{ name: "x", accessToken: "t", "refresh-token": "r" }],
      Code: "abc",
      code_verifier: "v",
      private_key: "-----BEGIN",
      current_password: "old",
    };
    expect(bodySha256(withSecrets)).toBe(bodySha256(plain));
    expect(bodySha256({ ...plain, password: "other" })).toBe(bodySha256(plain));
  });

  it("depends on the non-secret fields and not on their order", () => {
    expect(bodySha256({ a: 1, b: 2 })).toBe(bodySha256({ b: 2, a: 1 }));
    expect(bodySha256({ a: 1 })).not.toBe(bodySha256({ a: 2 }));
  });

  it("hashes an absent body as zero bytes and null as the text null", () => {
    expect(bodySha256(undefined)).toBe(EMPTY_BODY_SHA256);
    expect(EMPTY_BODY_SHA256).toBe(sha256(""));
    expect(bodySha256(null)).toBe(sha256("null"));
  });

  it.each([
    ["password", true],
    ["newPassword", true],
    ["CLIENT_SECRET", true],
    ["id_token", true],
    ["code", true],
    ["ssh_private_key", true],
    ["status_code", false],
    ["token_type", false],
    ["public_key", false],
    ["name", false],
  ])("reads %s as secret: %s", (name, secret) => {
    expect(isSecretFieldName(name)).toBe(secret);
  });
});

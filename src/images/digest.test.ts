import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { digestOf, HashingCounter, isDigest, parseDigest, sha256Of } from "./digest.js";

const hex = (algorithm: string, bytes: string) => createHash(algorithm).update(bytes).digest("hex");

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let size = 0;
  for await (const chunk of source) size += chunk.byteLength;
  return size;
}

describe("parseDigest", () => {
  it("parses sha256 and sha512 digests", () => {
    const sha256 = `sha256:${hex("sha256", "x")}`;
    expect(parseDigest(sha256)).toEqual({ algorithm: "sha256", hex: hex("sha256", "x"), value: sha256 });
    const sha512 = `sha512:${hex("sha512", "x")}`;
    expect(parseDigest(sha512)).toMatchObject({ algorithm: "sha512", value: sha512 });
  });

  it("refuses other algorithms, wrong lengths, upper case and junk with IMAGES_DIGEST_INVALID", () => {
    for (const value of [
      "",
      "sha256",
      "sha256:",
      `sha256:${"a".repeat(63)}`,
      `sha256:${"a".repeat(65)}`,
      `sha256:${"A".repeat(64)}`,
      `sha512:${"a".repeat(64)}`,
      `md5:${"a".repeat(32)}`,
      `sha384:${"a".repeat(96)}`,
      ` sha256:${"a".repeat(64)}`,
      `sha256:${"g".repeat(64)}`,
    ]) {
      expect(() => parseDigest(value), value).toThrow(
        expect.objectContaining({ code: "IMAGES_DIGEST_INVALID" }),
      );
      expect(isDigest(value), value).toBe(false);
    }
  });

  it("keeps a long junk value out of the error message", () => {
    try {
      parseDigest(`sha256:${"z".repeat(10_000)}`);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(300);
    }
  });
});

describe("digestOf", () => {
  it("hashes with sha256 by default and sha512 on request", () => {
    const bytes = new TextEncoder().encode("hello");
    expect(digestOf(bytes)).toBe(`sha256:${hex("sha256", "hello")}`);
    expect(sha256Of(bytes)).toBe(digestOf(bytes));
    expect(digestOf(bytes, "sha512")).toBe(`sha512:${hex("sha512", "hello")}`);
    expect(isDigest(digestOf(bytes, "sha512"))).toBe(true);
  });
});

describe("HashingCounter", () => {
  it("counts and hashes what streams past, unchanged", async () => {
    const counter = new HashingCounter();
    expect(await drain(counter.pass(chunks("hel", "lo", "")))).toBe(5);
    expect(counter.size).toBe(5);
    expect(counter.digest()).toBe(`sha256:${hex("sha256", "hello")}`);
    const sha512 = new HashingCounter("sha512");
    await drain(sha512.pass(chunks("hello")));
    expect(sha512.digest()).toBe(`sha512:${hex("sha512", "hello")}`);
  });

  it("stops a stream that grows beyond its limit with IMAGES_SIZE_INVALID", async () => {
    const counter = new HashingCounter();
    await expect(drain(counter.pass(chunks("abc", "def"), 4))).rejects.toMatchObject({
      code: "IMAGES_SIZE_INVALID",
    });
  });

  it("passes errors of the source on", async () => {
    async function* failing(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(1);
      throw new Error("reset");
    }
    await expect(drain(new HashingCounter().pass(failing()))).rejects.toThrow("reset");
  });
});

import { describe, expect, it } from "vitest";
import { MAX_SCM_SOURCE_BYTES, parseScmSource } from "./scm-source.js";

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const REVISION = "0f3a5c9e2b7d41f08e6a2c4b9d1e7f3a5c8b2d4e";

function reasonOf(bytes: Uint8Array): string {
  const result = parseScmSource(bytes, "scm-source.json");
  if (result.ok) throw new Error("expected a refusal");
  return result.reason;
}

describe("parseScmSource", () => {
  it("reads a clean STUPS scm-source.json", () => {
    const result = parseScmSource(
      json({ url: "git:git@github.com:acme/shop.git", revision: REVISION, author: "ann", status: "" }),
      "scm-source.json",
    );
    expect(result).toEqual({
      ok: true,
      provenance: {
        origin: "scm-source.json",
        url: "git:git@github.com:acme/shop.git",
        revision: REVISION,
        author: "ann",
        clean: true,
      },
    });
  });

  it("keeps the origin it is given", () => {
    const result = parseScmSource(json({ url: "https://x.example/r", revision: REVISION }), "referrer");
    expect(result.ok && result.provenance.origin).toBe("referrer");
  });

  it("treats absent author and status as unknown author and a clean tree", () => {
    const result = parseScmSource(
      json({ url: "https://x.example/r", revision: REVISION }),
      "scm-source.json",
    );
    expect(result.ok && result.provenance).toMatchObject({ author: null, clean: true });
  });

  it("marks a non-empty status as dirty", () => {
    const result = parseScmSource(
      json({ url: "https://x.example/r", revision: REVISION, status: " M src/main.ts\n?? notes.txt" }),
      "scm-source.json",
    );
    expect(result.ok && result.provenance.clean).toBe(false);
  });

  it("strips the locally-modified suffix from the revision and marks it dirty", () => {
    const result = parseScmSource(
      json({ url: "https://x.example/r", revision: `${REVISION} (locally modified)`, status: "" }),
      "scm-source.json",
    );
    expect(result.ok && result.provenance).toMatchObject({ revision: REVISION, clean: false });
  });

  it("ignores fields it does not know", () => {
    const result = parseScmSource(
      json({ url: "https://x.example/r", revision: REVISION, branch: "main" }),
      "scm-source.json",
    );
    expect(result.ok).toBe(true);
  });

  it("refuses a missing url or revision", () => {
    expect(reasonOf(json({ revision: REVISION }))).toBe("scm-source.json has no url");
    expect(reasonOf(json({ url: "https://x.example/r" }))).toBe("scm-source.json has no revision");
    expect(reasonOf(json({ url: null, revision: REVISION }))).toBe("scm-source.json has no url");
  });

  it("refuses empty, blank and non-string fields", () => {
    expect(reasonOf(json({ url: "", revision: REVISION }))).toBe("scm-source.json url is empty");
    expect(reasonOf(json({ url: "https://x.example/r", revision: "  " }))).toBe(
      "scm-source.json revision is empty",
    );
    expect(reasonOf(json({ url: "https://x.example/r", revision: " (locally modified)" }))).toBe(
      "scm-source.json revision names no commit",
    );
    expect(reasonOf(json({ url: 42, revision: REVISION }))).toBe("scm-source.json url is not a string");
    expect(reasonOf(json({ url: "https://x.example/r", revision: REVISION, author: ["ann"] }))).toBe(
      "scm-source.json author is not a string",
    );
    expect(reasonOf(json({ url: "https://x.example/r", revision: REVISION, status: true }))).toBe(
      "scm-source.json status is not a string",
    );
  });

  it("refuses fields longer than 2000 characters", () => {
    expect(reasonOf(json({ url: `https://x.example/${"a".repeat(2000)}`, revision: REVISION }))).toBe(
      "scm-source.json url is longer than 2000 characters",
    );
    expect(reasonOf(json({ url: "https://x.example/r", revision: "a".repeat(2001) }))).toBe(
      "scm-source.json revision is longer than 2000 characters",
    );
    expect(
      parseScmSource(json({ url: "https://x.example/r", revision: "a".repeat(2000) }), "scm-source.json").ok,
    ).toBe(true);
  });

  it("refuses control characters that could rewrite a terminal", () => {
    expect(reasonOf(json({ url: "https://x.example/r", revision: REVISION, author: "\u001b[2Jann" }))).toBe(
      "scm-source.json author contains control characters",
    );
  });

  it("refuses a file over 64 KiB", () => {
    const padded = json({
      url: "https://x.example/r",
      revision: REVISION,
      pad: "x".repeat(MAX_SCM_SOURCE_BYTES),
    });
    expect(reasonOf(padded)).toMatch(/^scm-source.json is \d+ bytes, more than the 65536 allowed$/);
  });

  it("refuses bytes that are not a JSON object", () => {
    expect(reasonOf(new TextEncoder().encode("{url: 'x'}"))).toBe("scm-source.json is not valid UTF-8 JSON");
    expect(reasonOf(new Uint8Array([0x7b, 0xff, 0x7d]))).toBe("scm-source.json is not valid UTF-8 JSON");
    expect(reasonOf(json([REVISION]))).toBe("scm-source.json is not a JSON object");
    expect(reasonOf(json(null))).toBe("scm-source.json is not a JSON object");
  });
});

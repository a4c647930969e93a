import { describe, expect, it } from "vitest";
import { provenanceFromAnnotations } from "./annotations.js";

const SOURCE = "org.opencontainers.image.source";
const REVISION = "org.opencontainers.image.revision";
const AUTHORS = "org.opencontainers.image.authors";
const COMMIT = "0f3a5c9e2b7d41f08e6a2c4b9d1e7f3a5c8b2d4e";

describe("provenanceFromAnnotations", () => {
  it("reads source, revision and authors from manifest annotations", () => {
    expect(
      provenanceFromAnnotations({
        [SOURCE]: "https://github.com/acme/shop",
        [REVISION]: COMMIT,
        [AUTHORS]: "ann@example.com",
      }),
    ).toEqual({
      origin: "annotations",
      url: "https://github.com/acme/shop",
      revision: COMMIT,
      author: "ann@example.com",
      clean: null,
    });
  });

  it("falls back to the image config labels", () => {
    expect(
      provenanceFromAnnotations(undefined, { [SOURCE]: "https://github.com/acme/shop", [REVISION]: COMMIT }),
    ).toMatchObject({ url: "https://github.com/acme/shop", revision: COMMIT, author: null });
  });

  it("prefers annotations over labels, key by key", () => {
    expect(
      provenanceFromAnnotations(
        { [SOURCE]: "https://github.com/acme/shop" },
        { [SOURCE]: "https://github.com/acme/other", [REVISION]: COMMIT, [AUTHORS]: "bob" },
      ),
    ).toMatchObject({ url: "https://github.com/acme/shop", revision: COMMIT, author: "bob" });
  });

  it("is undefined without both a source and a revision", () => {
    expect(provenanceFromAnnotations(undefined)).toBeUndefined();
    expect(provenanceFromAnnotations({ [SOURCE]: "https://github.com/acme/shop" })).toBeUndefined();
    expect(provenanceFromAnnotations({ [REVISION]: COMMIT }, {})).toBeUndefined();
  });

  it("ignores unusable values and takes the label instead", () => {
    expect(
      provenanceFromAnnotations(
        { [SOURCE]: "", [REVISION]: "x".repeat(2001) },
        { [SOURCE]: "https://github.com/acme/shop", [REVISION]: COMMIT },
      ),
    ).toMatchObject({ url: "https://github.com/acme/shop", revision: COMMIT });
    expect(
      provenanceFromAnnotations({ [SOURCE]: "https://github.com/acme/shop\u001b[2J", [REVISION]: COMMIT }),
    ).toBeUndefined();
  });

  it("marks a locally-modified revision as not clean", () => {
    expect(
      provenanceFromAnnotations({
        [SOURCE]: "https://github.com/acme/shop",
        [REVISION]: `${COMMIT} (locally modified)`,
      }),
    ).toMatchObject({ revision: COMMIT, clean: false });
  });
});

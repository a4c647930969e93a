import { describe, expect, it } from "vitest";
import { isTag, parseRepositoryName, parseRepositoryPath } from "./names.js";

describe("parseRepositoryName", () => {
  it("names <team>/<artifact>", () => {
    expect(parseRepositoryName("alpha", "shop")).toEqual({
      team: "alpha",
      artifact: "shop",
      name: "alpha/shop",
    });
    for (const artifact of [
      "a",
      "shop-api",
      "shop.api",
      "shop_api",
      "shop__api",
      "shop--api",
      "a1",
      "1a",
      "x".repeat(128),
    ]) {
      expect(parseRepositoryName("alpha", artifact).artifact).toBe(artifact);
    }
  });

  it("refuses artifacts outside the OCI path-component grammar with IMAGES_NAME_INVALID", () => {
    for (const artifact of [
      "",
      "Shop",
      "-shop",
      "shop-",
      ".shop",
      "shop.",
      "shop..api",
      "shop___api",
      "shop/api",
      "shop api",
      "x".repeat(129),
    ]) {
      expect(() => parseRepositoryName("alpha", artifact), artifact).toThrow(
        expect.objectContaining({ code: "IMAGES_NAME_INVALID" }),
      );
    }
  });

  it("refuses teams that are not team ids", () => {
    for (const team of ["", "Alpha", "al pha", "al/pha", "-alpha"]) {
      expect(() => parseRepositoryName(team, "shop"), team).toThrow(
        expect.objectContaining({ code: "IMAGES_NAME_INVALID" }),
      );
    }
  });
});

describe("parseRepositoryPath", () => {
  it("takes exactly two components", () => {
    expect(parseRepositoryPath("alpha/shop").name).toBe("alpha/shop");
    for (const path of ["shop", "alpha/shop/api", "/alpha/shop", "alpha/", ""]) {
      expect(() => parseRepositoryPath(path), path).toThrow(
        expect.objectContaining({ code: "IMAGES_NAME_INVALID" }),
      );
    }
  });
});

describe("isTag", () => {
  it("follows the OCI tag grammar: up to 128 of [A-Za-z0-9._-], not starting with . or -", () => {
    for (const tag of ["1.0.0", "v1", "_x", "A-b_c.d", "latest", "a".repeat(128)])
      expect(isTag(tag), tag).toBe(true);
    for (const tag of [
      "",
      ".x",
      "-x",
      "a:b",
      "a/b",
      "a@b",
      "a b",
      "a".repeat(129),
      `sha256:${"a".repeat(64)}`,
    ]) {
      expect(isTag(tag), tag).toBe(false);
    }
  });
});

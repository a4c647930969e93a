import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { generateErrorReference, generateOpenApi } from "./reference-docs.js";

const docs = new URL("../../../docs/", import.meta.url);

describe("generated reference documents", () => {
  it("docs/openapi.json matches the route schemas (run `npm run docs` after changing a route)", async () => {
    const committed = await readFile(new URL("openapi.json", docs), "utf8");
    expect(JSON.parse(committed)).toEqual(JSON.parse(await generateOpenApi()));
  });

  it("the OpenAPI document is 3.1 and describes every part's routes", async () => {
    const spec = JSON.parse(await generateOpenApi());
    expect(spec.openapi).toBe("3.1.0");
    for (const path of [
      "/api/teams",
      "/api/users",
      "/api/clients",
      "/oauth2/access_token",
      "/api/audit",
      "/revocations",
    ]) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
  });

  it("docs/errors.md documents every error code (run `npm run docs` after adding one)", async () => {
    const committed = await readFile(new URL("errors.md", docs), "utf8");
    expect(committed).toBe(generateErrorReference());
  });
});

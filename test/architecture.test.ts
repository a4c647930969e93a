import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { environmentReaders, importViolations, type SourceFile } from "./support/architecture-rules.js";

const root = resolve(import.meta.dirname, "..");
const src = join(root, "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const sources: SourceFile[] = files(src).map((path) => ({ path, text: readFileSync(path, "utf8") }));

describe("architecture", () => {
  it("finds the source tree", () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it("parts import other parts only through their index.ts, and only downwards", () => {
    expect(importViolations(root, sources)).toEqual([]);
  });

  it("nothing outside src/programs reads process.env", () => {
    expect(environmentReaders(root, sources)).toEqual([]);
  });

  it("every part has an index.ts as its surface", () => {
    const parts = readdirSync(src).filter((d) => d !== "programs" && statSync(join(src, d)).isDirectory());
    const missing = parts.filter((p) => !sources.some((s) => s.path === join(src, p, "index.ts")));
    expect(missing).toEqual([]);
  });
});

describe("the architecture rules catch", () => {
  const at = (path: string, text: string): SourceFile => ({ path: join(root, path), text });

  it("a part reaching into another part's files", () => {
    const violations = importViolations(root, [
      at("src/tokens/x.ts", 'import { IdentityStore } from "../identity/store.js";'),
    ]);
    expect(violations).toEqual([
      "src/tokens/x.ts imports ../identity/store.js; use identity/index.js instead",
    ]);
  });

  it("a part importing upwards", () => {
    const violations = importViolations(root, [
      at("src/identity/x.ts", 'export { x } from "../tokens/index.js";'),
    ]);
    expect(violations).toEqual([
      'src/identity/x.ts imports part "tokens", which "identity" may not depend on',
    ]);
  });

  it("a part reading the environment, but not a program", () => {
    const readers = environmentReaders(root, [
      at("src/audit/x.ts", "const level = process.env.LEVEL;"),
      at("src/programs/server/config.ts", "const port = process.env.CHARTER_PORT;"),
    ]);
    expect(readers).toEqual(["src/audit/x.ts"]);
  });
});

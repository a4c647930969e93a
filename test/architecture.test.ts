import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const src = join(root, "src");

/**
 * Which parts each part may import (through their index.ts only). Programs may import anything.
 * Direction from ARCHITECTURE.md: core <- db, cloud <- parts <- programs; audit sits on top of parts.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  db: ["core"],
  cloud: ["core"],
  identity: ["core", "db", "cloud"],
  tokens: ["core", "db", "cloud", "identity"],
  audit: ["core", "db", "cloud"],
  apps: ["core", "db", "cloud", "identity", "tokens"],
  images: ["core", "db", "cloud", "identity", "tokens", "apps"],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

function partOf(path: string): string | undefined {
  const rel = relative(src, path);
  if (rel.startsWith("..")) return undefined;
  return rel.split(sep)[0];
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!).filter((s) => s.startsWith("."));
}

const sources = files(src);

describe("architecture", () => {
  it("finds the source tree", () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it("parts import other parts only through their index.ts, and only downwards", () => {
    const violations: string[] = [];
    for (const file of sources) {
      const from = partOf(file)!;
      if (from === "programs") continue;
      for (const spec of importsOf(file)) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
        const to = partOf(target);
        if (to === undefined) {
          if (!file.endsWith(".test.ts"))
            violations.push(`${relative(root, file)} imports ${spec} outside src/`);
          continue;
        }
        if (to === from) continue;
        const allowed = ALLOWED[from] ?? ["core", "db", "cloud", "identity", "tokens"];
        if (!allowed.includes(to)) {
          violations.push(`${relative(root, file)} imports part "${to}", which "${from}" may not depend on`);
        } else if (relative(join(src, to), target) !== "index.ts") {
          violations.push(`${relative(root, file)} imports ${spec}; use ${to}/index.js instead`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("nothing outside src/programs reads process.env", () => {
    const offenders = sources
      .filter((f) => partOf(f) !== "programs")
      .filter((f) => /process\.env\b/.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });

  it("every part has an index.ts as its surface", () => {
    const parts = readdirSync(src).filter((d) => d !== "programs" && statSync(join(src, d)).isDirectory());
    const missing = parts.filter((p) => !sources.includes(join(src, p, "index.ts")));
    expect(missing).toEqual([]);
  });
});

import { dirname, join, relative, resolve, sep } from "node:path";

/**
 * Which parts each part may import (through their index.ts only). Programs may import anything.
 * Direction from ARCHITECTURE.md: core <- db, cloud <- parts <- programs; audit sits on top of parts.
 */
export const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  db: ["core"],
  cloud: ["core"],
  identity: ["core", "db", "cloud"],
  tokens: ["core", "db", "cloud", "identity"],
  audit: ["core", "db", "cloud"],
  apps: ["core", "db", "cloud", "identity", "tokens"],
  images: ["core", "db", "cloud", "identity", "tokens", "apps"],
};

/** A source file: absolute path and text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function partOf(src: string, path: string): string | undefined {
  const rel = relative(src, path);
  if (rel.startsWith("..")) return undefined;
  return rel.split(sep)[0];
}

/** Imports that reach into another part's files, go upwards, or (outside tests) leave src/. */
export function importViolations(root: string, sources: readonly SourceFile[]): string[] {
  const src = join(root, "src");
  const violations: string[] = [];
  for (const { path, text } of sources) {
    const from = partOf(src, path);
    if (from === undefined || from === "programs") continue;
    const specs = [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!).filter((s) => s.startsWith("."));
    for (const spec of specs) {
      const target = resolve(dirname(path), spec).replace(/\.js$/, ".ts");
      const to = partOf(src, target);
      if (to === undefined) {
        if (!path.endsWith(".test.ts"))
          violations.push(`${relative(root, path)} imports ${spec} outside src/`);
        continue;
      }
      if (to === from) continue;
      const allowed = ALLOWED[from] ?? ["core", "db", "cloud", "identity", "tokens"];
      if (!allowed.includes(to)) {
        violations.push(`${relative(root, path)} imports part "${to}", which "${from}" may not depend on`);
      } else if (relative(join(src, to), target) !== "index.ts") {
        violations.push(`${relative(root, path)} imports ${spec}; use ${to}/index.js instead`);
      }
    }
  }
  return violations;
}

/** Files outside src/programs that read the environment. */
export function environmentReaders(root: string, sources: readonly SourceFile[]): string[] {
  const src = join(root, "src");
  return sources
    .filter((f) => partOf(src, f.path) !== undefined && partOf(src, f.path) !== "programs")
    .filter((f) => /process\.env\b/.test(f.text))
    .map((f) => relative(root, f.path));
}

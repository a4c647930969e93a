import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";

/** The first executable `name` in `dirs` (the directories of `PATH`), or undefined. */
export async function executableOnPath(dirs: readonly string[], name: string): Promise<string | undefined> {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return undefined;
}

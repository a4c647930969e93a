import { rm } from "node:fs/promises";
import { join } from "node:path";
import { FileObjectStore } from "../../src/cloud/index.js";
import type { Database } from "../../src/db/index.js";
import { BlobStorage } from "../../src/images/index.js";
import { resetDatabase } from "./database.js";

/**
 * A clean slate for a registry test: empty tables, the given teams (the owners of repositories),
 * and blob storage on a new, empty file store under `work`.
 */
export async function freshRegistry(
  db: Database,
  work: string,
  teams: readonly string[] = ["alpha"],
): Promise<{ objects: FileObjectStore; blobs: BlobStorage }> {
  await resetDatabase(db);
  const now = new Date();
  for (const id of teams) {
    await db
      .insertInto("teams")
      .values({ id, name: id, created_at: now, created_by: "test", modified_at: now })
      .execute();
  }
  await rm(join(work, "objects"), { recursive: true, force: true });
  const objects = await FileObjectStore.open(join(work, "objects"));
  return { objects, blobs: new BlobStorage(objects) };
}

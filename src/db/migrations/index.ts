import type { Migration } from "kysely";
import * as m0001 from "./0001_identity.js";
import * as m0002 from "./0002_tokens.js";
import * as m0003 from "./0003_audit.js";
import * as m0004 from "./0004_revocations.js";
import * as m0005 from "./0005_apps.js";
import * as m0006 from "./0006_images.js";
import * as m0007 from "./0007_app_search_terms.js";

/** Every migration, in the order it applies. Append only. */
export const migrations: Record<string, Migration> = {
  "0001_identity": m0001,
  "0002_tokens": m0002,
  "0003_audit": m0003,
  "0004_revocations": m0004,
  "0005_apps": m0005,
  "0006_images": m0006,
  "0007_app_search_terms": m0007,
};

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { type Child, startPinned } from "../tokens/processes.js";

/** The Debian package `docker-registry`: CNCF Distribution 2.x. */
export const DISTRIBUTION_BINARY = "/usr/bin/docker-registry";

/**
 * Starts CNCF Distribution pinned to `core`, listening on 127.0.0.1:`port` over plain http, without
 * authentication, with files under `<dir>/storage` and its configuration in `<dir>/config.yml`. The
 * configuration is the package's default (in-memory blob descriptor cache, deletion enabled) with
 * logging reduced to warnings and no access log, as Charter runs here at log level warn.
 */
export function startDistribution(core: number, dir: string, port: number): Child {
  const storage = join(dir, "storage");
  mkdirSync(storage, { recursive: true });
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    stringify({
      version: 0.1,
      log: { level: "warn", accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: storage },
        cache: { blobdescriptor: "inmemory" },
        delete: { enabled: true },
      },
      http: {
        addr: `127.0.0.1:${port}`,
        // Without a secret every start logs a warning and makes one up; state it instead.
        secret: randomBytes(16).toString("hex"),
        headers: { "X-Content-Type-Options": ["nosniff"] },
      },
    }),
  );
  return startPinned(core, DISTRIBUTION_BINARY, ["serve", config]);
}

import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
// Straight from the modules, not core/index.js: that one also loads Fastify, which would
// triple the start-up time of every command.
import type { Clock } from "../../../core/clock.js";
import { Duration } from "../../../core/duration.js";
import { CliError } from "../cli-error.js";

/** One server's access token as the CLI keeps it. */
export interface CachedToken {
  readonly access_token: string;
  readonly token_type: string;
  /** When the token stops being valid (ISO 8601), from its `exp` claim or the `expires_in` answer. */
  readonly expires_at: string;
  readonly scope: readonly string[];
  /** Who the token is for, when the token says so. */
  readonly sub?: string;
  readonly obtained_at: string;
}

interface CacheFile {
  readonly version: 1;
  readonly servers: Readonly<Record<string, CachedToken>>;
}

/** `charter token` reuses a token only while it has more than this left (zign's rule). */
export const TOKEN_MINIMUM_VALIDITY = Duration.minutes(5);

/** API calls use a cached token while it has more than this left. */
export const REQUEST_MINIMUM_VALIDITY = Duration.seconds(30);

/**
 * Access tokens per server in `<config dir>/tokens.json`. The directory is made 0700 and the file
 * 0600; writes go to a temporary file that is renamed over the old one, so a crash never leaves a
 * half-written cache and a reader never sees one.
 */
export class TokenCache {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = join(dir, "tokens.json");
  }

  async get(server: string): Promise<CachedToken | undefined> {
    return (await this.#load()).servers[server];
  }

  /** Every server with a cached token, and its token. */
  async entries(): Promise<readonly (readonly [string, CachedToken])[]> {
    return Object.entries((await this.#load()).servers);
  }

  async put(server: string, token: CachedToken): Promise<void> {
    const current = await this.#load();
    await this.#save({ version: 1, servers: { ...current.servers, [server]: token } });
  }

  /** Forgets the server's token; says whether there was one. */
  async delete(server: string): Promise<boolean> {
    const current = await this.#load();
    if (current.servers[server] === undefined) return false;
    const { [server]: _removed, ...rest } = current.servers;
    await this.#save({ version: 1, servers: rest });
    return true;
  }

  async #load(): Promise<CacheFile> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, servers: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<CacheFile>;
      if (parsed.version !== 1 || typeof parsed.servers !== "object" || parsed.servers === null) {
        throw new Error("unknown layout");
      }
      return { version: 1, servers: parsed.servers };
    } catch {
      throw new CliError(`the token cache ${this.file} is damaged; delete it and log in again`);
    }
  }

  async #save(content: CacheFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const temporary = join(this.dir, `.tokens.json.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: "wx" });
      // The mode given to open() is masked by the umask; set it outright.
      await chmod(temporary, 0o600);
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/** Milliseconds the token is still valid for; negative once it has expired. */
export function remainingValidity(token: CachedToken, clock: Clock): number {
  return Date.parse(token.expires_at) - clock.now().getTime();
}

/** Whether the token has more than `minimum` left. */
export function isFresh(token: CachedToken, clock: Clock, minimum: Duration): boolean {
  return remainingValidity(token, clock) > minimum.milliseconds;
}

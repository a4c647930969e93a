import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CliError } from "../cli-error.js";

/** The name Docker appends to `docker-credential-` to find Charter's helper. */
export const CREDENTIAL_HELPER = "charter";

/** What `configureCredentialHelper` did to Docker's configuration. */
export interface CredentialHelperSetup {
  /** The `config.json` it read and, if `changed`, wrote. */
  readonly file: string;
  /** The file did not exist and was created (mode 0600). */
  readonly created: boolean;
  /** False when the host already used the helper: nothing was written. */
  readonly changed: boolean;
  /** The helper the host used before, when it was another one. */
  readonly replaced?: string;
  /**
   * The file still holds an `auths` entry for the host (from `docker login`). Docker asks the
   * helper instead from now on; `docker logout <host>` removes the stale entry.
   */
  readonly staleAuth: boolean;
}

type JsonObject = Record<string, unknown>;

/**
 * Makes Docker ask `docker-credential-<helper>` for the credentials of `host`, by setting
 * `credHelpers[host]` in `<dir>/config.json`. Every other key is kept as it was, no credential is
 * written, and running it again changes nothing. A new file is created with mode 0600 (its directory
 * 0700); an existing file keeps its mode. The write goes to a temporary file renamed over the old
 * one, so Docker never reads half a file.
 */
export async function configureCredentialHelper(
  dir: string,
  host: string,
  helper: string = CREDENTIAL_HELPER,
): Promise<CredentialHelperSetup> {
  const file = join(dir, "config.json");
  const current = await readConfig(file);
  const config = current ?? {};
  const credHelpers = objectMember(config, "credHelpers", file);
  const staleAuth = hasAuthFor(objectMember(config, "auths", file), host);
  const previous = credHelpers[host];
  if (previous === helper) return { file, created: false, changed: false, staleAuth };
  const updated: JsonObject = { ...config, credHelpers: { ...credHelpers, [host]: helper } };
  await writeConfig(file, updated, current === undefined);
  return {
    file,
    created: current === undefined,
    changed: true,
    ...(typeof previous === "string" ? { replaced: previous } : {}),
    staleAuth,
  };
}

/** The parsed file; undefined when it does not exist. Docker reads an empty file as `{}`. */
async function readConfig(file: string): Promise<JsonObject | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`cannot read Docker's configuration ${file}: ${(error as Error).message}`);
  }
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`Docker's configuration ${file} is not valid JSON; fix it, then run this again`);
  }
  if (!isObject(parsed)) {
    throw new CliError(`Docker's configuration ${file} is not a JSON object; fix it, then run this again`);
  }
  return parsed;
}

async function writeConfig(file: string, config: JsonObject, create: boolean): Promise<void> {
  // Follow a symlinked config.json (dotfile managers do that) instead of replacing the link.
  const target = create ? file : await realpath(file);
  const mode = create ? 0o600 : (await stat(target)).mode & 0o777;
  if (create) await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const temporary = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    // Docker writes its configuration indented with tabs; so do we, to keep diffs small.
    await writeFile(temporary, `${JSON.stringify(config, null, "\t")}\n`, { mode, flag: "wx" });
    // The mode given to open() is masked by the umask; set it outright.
    await chmod(temporary, mode);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write Docker's configuration ${target}: ${(error as Error).message}`);
  }
}

function objectMember(config: JsonObject, key: string, file: string): JsonObject {
  const value = config[key];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    throw new CliError(
      `"${key}" in Docker's configuration ${file} is not a JSON object; fix it, then run this again`,
    );
  }
  return value;
}

// `docker login` keys auths by the host, or for old entries by a URL of it.
function hasAuthFor(auths: JsonObject, host: string): boolean {
  return Object.keys(auths).some(
    (key) => key === host || key.replace(/^https?:\/\//, "").replace(/\/.*$/, "") === host,
  );
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

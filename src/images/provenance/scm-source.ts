import type { Provenance, ProvenanceOrigin } from "./provenance.js";
import { fieldProblem, splitRevision } from "./source-field.js";

/** The largest scm-source.json Charter reads; STUPS' files are a few hundred bytes. */
export const MAX_SCM_SOURCE_BYTES = 64 * 1024;

/** The outcome of reading an scm-source.json: its provenance, or why it cannot be used. */
export type ScmSourceResult =
  | { readonly ok: true; readonly provenance: Provenance }
  | { readonly ok: false; readonly reason: string };

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads the STUPS `scm-source.json` format: `{ url, revision, author?, status? }`, where a non-empty
 * `status` (the output of `git status --porcelain`) or a revision ending in ` (locally modified)` means
 * the image was built from a dirty working tree. Other fields are ignored.
 *
 * @example
 * ```ts
 * const result = parseScmSource(bytes, "scm-source.json");
 * if (result.ok) record(result.provenance);
 * else recordMissing(result.reason); // e.g. "scm-source.json has no url"
 * ```
 */
export function parseScmSource(bytes: Uint8Array, origin: ProvenanceOrigin): ScmSourceResult {
  if (bytes.byteLength > MAX_SCM_SOURCE_BYTES) {
    return fail(`is ${bytes.byteLength} bytes, more than the ${MAX_SCM_SOURCE_BYTES} allowed`);
  }
  let document: unknown;
  try {
    document = JSON.parse(decoder.decode(bytes));
  } catch {
    return fail("is not valid UTF-8 JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return fail("is not a JSON object");
  }
  const fields = document as Record<string, unknown>;

  const url = requiredField(fields, "url");
  if (typeof url !== "string") return url;
  const rawRevision = requiredField(fields, "revision");
  if (typeof rawRevision !== "string") return rawRevision;
  const { revision, modified } = splitRevision(rawRevision);
  if (revision.length === 0) return fail("revision names no commit");

  const author = fields.author;
  if (author !== undefined && author !== null && typeof author !== "string") {
    return fail("author is not a string");
  }
  // STUPS tooling writes an empty author when git has none configured.
  const named = typeof author === "string" && author.trim() !== "" ? author : null;
  const authorProblem = named === null ? undefined : fieldProblem(named);
  if (authorProblem) return fail(`author ${authorProblem}`);

  const status = fields.status;
  if (status !== undefined && status !== null && typeof status !== "string") {
    return fail("status is not a string");
  }
  const dirty = modified || (typeof status === "string" && status.trim() !== "");

  return {
    ok: true,
    provenance: {
      origin,
      url,
      revision,
      author: named,
      clean: !dirty,
    },
  };
}

function requiredField(fields: Record<string, unknown>, name: string): string | ScmSourceResult {
  const value = fields[name];
  if (value === undefined || value === null) return fail(`has no ${name}`);
  if (typeof value !== "string") return fail(`${name} is not a string`);
  const problem = fieldProblem(value);
  return problem ? fail(`${name} ${problem}`) : value;
}

function fail(detail: string): ScmSourceResult {
  return { ok: false, reason: `scm-source.json ${detail}` };
}

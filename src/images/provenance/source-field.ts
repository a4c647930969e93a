/** The longest URL, revision or author a provenance record keeps. */
export const MAX_PROVENANCE_FIELD_LENGTH = 2000;

/** What STUPS' scm-source tooling appends to the revision when the working tree had changes. */
export const LOCALLY_MODIFIED_SUFFIX = " (locally modified)";

// Control characters would let a pushed image rewrite the terminal of whoever lists its tags.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `value` cannot be a provenance field, or undefined when it can. */
export function fieldProblem(value: string): string | undefined {
  if (value.trim().length === 0) return "is empty";
  if (value.length > MAX_PROVENANCE_FIELD_LENGTH)
    return `is longer than ${MAX_PROVENANCE_FIELD_LENGTH} characters`;
  if (CONTROL.test(value)) return "contains control characters";
  return undefined;
}

/** The revision without the "locally modified" suffix, and whether the suffix was there. */
export function splitRevision(revision: string): { readonly revision: string; readonly modified: boolean } {
  return revision.endsWith(LOCALLY_MODIFIED_SUFFIX)
    ? { revision: revision.slice(0, -LOCALLY_MODIFIED_SUFFIX.length).trimEnd(), modified: true }
    : { revision, modified: false };
}

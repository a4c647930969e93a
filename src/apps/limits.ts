/** Version ids, as Kio has them: alphanumeric runs joined by single dots, dashes or underscores. */
export const VERSION_PATTERN = "^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$";
export const VERSION_MAX = 64;

/** Approval types are upper-case words joined by underscores (`CODE_CHANGE`). */
export const APPROVAL_TYPE_PATTERN = "^[A-Z][A-Z0-9_]*$";

/** The types every installation has; they cannot be deleted. */
export const BUILT_IN_APPROVAL_TYPES: readonly string[] = ["SPECIFICATION", "CODE_CHANGE", "TEST", "DEPLOY"];

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

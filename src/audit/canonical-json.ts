export interface CanonicalJsonOptions {
  /** Object members whose name this returns true for are left out, at every depth. */
  readonly omit?: (name: string) => boolean;
}

/**
 * One fixed text for a JSON value, so that equal values hash equally: object members sorted by
 * their names' UTF-16 code units and no whitespace (as RFC 8785 does), numbers as ECMAScript writes
 * them. Otherwise as `JSON.stringify`: `toJSON` is honoured, `undefined` and functions are dropped
 * from objects and become `null` in arrays, non-finite numbers become `null`. A bigint is written as
 * its decimal digits. Returns `undefined` for a value JSON cannot represent at the top.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string | undefined {
  return encode(value, options.omit ?? (() => false), new Set());
}

function encode(input: unknown, omit: (name: string) => boolean, path: Set<object>): string | undefined {
  const value = hasToJson(input) ? input.toJSON() : input;
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null) return "null";
  if (path.has(value)) throw new TypeError("canonicalJson: the value contains a cycle");
  path.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item) => encode(item, omit, path) ?? "null").join(",")}]`;
    }
    const members: string[] = [];
    for (const name of Object.keys(value).sort()) {
      if (omit(name)) continue;
      const encoded = encode((value as Record<string, unknown>)[name], omit, path);
      if (encoded !== undefined) members.push(`${JSON.stringify(name)}:${encoded}`);
    }
    return `{${members.join(",")}}`;
  } finally {
    path.delete(value);
  }
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  );
}

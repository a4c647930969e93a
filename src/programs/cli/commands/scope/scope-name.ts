import { InvalidArgumentError } from "commander";

/** A scope's full name `<resource type>.<scope>`, split in two. */
export interface ScopeName {
  readonly type: string;
  readonly scope: string;
}

/**
 * Splits `sales-order.read` at its last dot: a resource type may itself contain a dot
 * (`billing.invoice.read`), a scope id never does.
 */
export function parseScopeName(value: string): ScopeName {
  const dot = value.lastIndexOf(".");
  if (dot <= 0 || dot === value.length - 1) {
    throw new InvalidArgumentError(
      `"${value}" is not a scope name; use <resource type>.<scope>, such as charter.admin`,
    );
  }
  return { type: value.slice(0, dot), scope: value.slice(dot + 1) };
}

import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";

/** The digest of an absent body (`undefined`): SHA-256 of zero bytes. `null` hashes as `"null"`. */
export const EMPTY_BODY_SHA256 = createHash("sha256").digest("hex");

const SECRET_NAMES = new Set([
  "token",
  "code",
  "code_verifier",
  "otp",
  "authorization",
  "cookie",
  "api_key",
  "apikey",
  "credentials",
]);

/**
 * Whether a field name looks like it holds a secret. Names are compared case-insensitively, with
 * camelCase and dashes read as snake_case (`clientSecret`, `client-secret`, `CLIENT_SECRET`). A name
 * is secret when it contains `password`, `passphrase` or `secret`; ends in `token` or `private_key`;
 * or is one of `code`, `code_verifier`, `otp`, `authorization`, `cookie`, `api_key`, `apikey`,
 * `credentials`. Erring wide only costs a little evidence: the digest is of the rest.
 */
export function isSecretFieldName(name: string): boolean {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replaceAll("-", "_");
  return (
    SECRET_NAMES.has(snake) ||
    snake.includes("password") ||
    snake.includes("passphrase") ||
    snake.includes("secret") ||
    snake.endsWith("token") ||
    snake.endsWith("private_key")
  );
}

/**
 * Lower-case hex SHA-256 of a request body's canonical JSON after removing, at every depth, the
 * members whose names look secret. Secrets are removed, not just left unhashed, because a digest of
 * a short password can be reversed by guessing; so a body hashes the same with or without them.
 *
 * @example bodySha256({ id: "jane", password: "x" }) === bodySha256({ id: "jane" })
 */
export function bodySha256(body: unknown): string {
  const text = canonicalJson(body, { omit: isSecretFieldName });
  if (text === undefined) return EMPTY_BODY_SHA256;
  return createHash("sha256").update(text, "utf8").digest("hex");
}

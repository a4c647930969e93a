import { parse } from "fast-querystring";
import { Type } from "typebox";
import { TokensErrors } from "./errors.js";
import type { TokenRequest } from "./types.js";

/** The token endpoint's form parameters and the longest value each may have. */
const FIELDS = {
  grant_type: 64,
  client_id: 128,
  client_secret: 1024,
  scope: 4096,
  realm: 64,
  username: 128,
  password: 1024,
  code: 128,
  redirect_uri: 2048,
  code_verifier: 128,
} as const;

type Field = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as Field[];

/** A token request's parameters as sent, every known one at most once. */
export type TokenForm = { readonly [F in Field]?: string };

/** Largest accepted body of a token request. */
export const TOKEN_FORM_LIMIT = 16 * 1024;

/**
 * The form as OpenAPI documents it. Parsing already enforces it (`parseTokenForm`), so Fastify's
 * validation never refuses what the parser let through. RFC 6749 §3.2: unknown parameters must be
 * ignored, so the body admits them.
 */
export const TokenFormSchema = Type.Object(
  Object.fromEntries(
    Object.entries(FIELDS).map(([name, maxLength]) => [name, Type.Optional(Type.String({ maxLength }))]),
  ) as { [F in Field]: ReturnType<typeof Type.Optional<ReturnType<typeof Type.String>>> },
  { additionalProperties: true },
);

/**
 * Parses an `application/x-www-form-urlencoded` token request, as both HTTP paths to the token
 * endpoint do, so they refuse the same requests with the same words. A known parameter sent twice
 * is refused (RFC 6749 §3.2), as is an over-long one; unknown parameters are dropped.
 */
export function parseTokenForm(text: string): TokenForm {
  const raw = parse(text) as Record<string, string | string[]>;
  const form: { [F in Field]?: string } = {};
  for (const name of FIELD_NAMES) {
    if (!Object.hasOwn(raw, name)) continue;
    const value = raw[name];
    if (typeof value !== "string") {
      throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST(`${name} must be sent at most once`);
    }
    if (value.length > FIELDS[name]) {
      throw TokensErrors.TOKENS_OAUTH_INVALID_REQUEST(
        `${name} must not be longer than ${FIELDS[name]} characters`,
      );
    }
    form[name] = value;
  }
  return form;
}

/** The grant parameters of a parsed form (client authentication is read separately). */
export function tokenRequestOf(form: TokenForm): TokenRequest {
  return {
    grantType: form.grant_type,
    scope: form.scope,
    realm: form.realm,
    username: form.username,
    password: form.password,
    code: form.code,
    redirectUri: form.redirect_uri,
    codeVerifier: form.code_verifier,
  };
}

import type { VerifiedToken } from "./token-verifier.js";

/** Plan B's tokeninfo answer: fixed members plus one `"<scope>": true` member per scope. */
export interface TokeninfoBody {
  readonly access_token: string;
  readonly uid: string;
  readonly grant_type: "password";
  readonly scope: readonly string[];
  /** The realm with a leading slash (`/services`), as Plan B tokens and tokeninfo carry it. */
  readonly realm: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
  readonly client_id?: string;
  readonly [scope: string]: unknown;
}

const FIXED_MEMBERS = new Set([
  "access_token",
  "uid",
  "grant_type",
  "scope",
  "realm",
  "token_type",
  "expires_in",
  "client_id",
]);

/**
 * A token's tokeninfo body as JSON text in two pieces around the only member that changes,
 * `expires_in`, so that answering for a cached token is one string concatenation.
 */
export interface TokeninfoPieces {
  /** Everything up to and including `"expires_in":`. */
  readonly head: string;
  readonly exp: number;
}

/**
 * Builds the Plan B tokeninfo answer. Compatibility choices: `grant_type` is always `"password"`
 * (Plan B never said anything else), `realm` is `"/employees"` or `"/services"` with the leading
 * slash Plan B clients compare against, and a scope named like a fixed member (`uid` is a common
 * Plan B scope) gets no `"<scope>": true` member, so `uid` stays the subject.
 */
export function tokeninfoPieces(verified: VerifiedToken): TokeninfoPieces {
  const { claims } = verified;
  const scopeKeys = claims.scope
    .filter((scope, i) => !FIXED_MEMBERS.has(scope) && claims.scope.indexOf(scope) === i)
    .map((scope) => `${JSON.stringify(scope)}:true,`)
    .join("");
  const clientId = claims.azp !== undefined && claims.azp !== claims.sub ? claims.azp : undefined;
  // A verified token is a compact JWS, base64url characters and dots: nothing in it needs escaping.
  const head =
    `{"access_token":"${verified.token}","uid":${JSON.stringify(claims.sub)},` +
    `"grant_type":"password","scope":${JSON.stringify(claims.scope)},` +
    `"realm":${JSON.stringify(`/${claims.realm}`)},"token_type":"Bearer",` +
    (clientId === undefined ? "" : `"client_id":${JSON.stringify(clientId)},`) +
    `${scopeKeys}"expires_in":`;
  return { head, exp: claims.exp };
}

/** The JSON text of the answer at `nowSeconds`. */
export function tokeninfoJson(pieces: TokeninfoPieces, nowSeconds: number): string {
  return `${pieces.head}${Math.max(0, Math.floor(pieces.exp - nowSeconds))}}`;
}

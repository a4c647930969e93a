import { type Clock, isCharterError, systemClock } from "../core/index.js";
import type { TokenVerification } from "./token-verifier.js";
import { tokeninfoJson, tokeninfoPieces } from "./tokeninfo-response.js";

/** What `GET /oauth2/tokeninfo` answers, whichever HTTP layer sends it. */
export interface TokeninfoAnswer {
  readonly status: 200 | 401;
  /** JSON text, sent as it is. */
  readonly body: string;
}

export const TOKENINFO_CONTENT_TYPE = "application/json; charset=utf-8";
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

// The same answer for every refusal (missing, malformed, expired, revoked, unknown key): the reason
// would only help someone probing with tokens that are not theirs.
const INVALID_TOKEN: TokeninfoAnswer = {
  status: 401,
  body: JSON.stringify({ error: "invalid_token", error_description: "Access Token not valid" }),
};

/**
 * Verifies a token and answers in Plan B's shape. The answer's JSON is built once per verified
 * token and kept with it, so a cached token costs one string concatenation. Errors other than a
 * refused token (a key source that cannot be reached, say) are thrown.
 */
export async function answerTokeninfo(
  verifier: TokenVerification,
  token: string | undefined,
  nowSeconds: number,
): Promise<TokeninfoAnswer> {
  if (token === undefined || token.length === 0) return INVALID_TOKEN;
  try {
    const verified = await verifier.verify(token);
    verified.tokeninfo ??= tokeninfoPieces(verified);
    return { status: 200, body: tokeninfoJson(verified.tokeninfo, nowSeconds) };
  } catch (error) {
    if (isCharterError(error) && error.kind === "unauthenticated") return INVALID_TOKEN;
    throw error;
  }
}

/** Seconds since the epoch from a clock, without a `Date` per call for the system clock. */
export function secondsOf(clock: Clock): () => number {
  return clock === systemClock ? () => Date.now() / 1000 : () => clock.now().getTime() / 1000;
}

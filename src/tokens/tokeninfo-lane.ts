import { bearerTokenOf, type Clock, type FastLane, type LaneAnswer, systemClock } from "../core/index.js";
import type { TokenVerification } from "./token-verifier.js";
import {
  answerTokeninfo,
  INVALID_TOKEN_CHALLENGE,
  secondsOf,
  TOKENINFO_CONTENT_TYPE,
  type TokeninfoAnswer,
} from "./tokeninfo-answer.js";

export interface TokeninfoLaneOptions {
  /** For `expires_in`; default the system clock. */
  readonly clock?: Clock;
  /** Told about an error that is not a refused token; the client gets a bare 500. */
  readonly onError?: (error: unknown) => void;
}

const HEADERS = `Content-Type: ${TOKENINFO_CONTENT_TYPE}\r\nCache-Control: no-store\r\n`;
const REFUSED_HEADERS = `${HEADERS}WWW-Authenticate: ${INVALID_TOKEN_CHALLENGE}\r\n`;
const SERVER_ERROR: LaneAnswer = {
  status: 500,
  headerLines: HEADERS,
  body: JSON.stringify({ error: "server_error" }),
};

/*
 * Why a lane: a sidecar answers tokeninfo for every call its application receives. Tokens it has
 * seen cost one string concatenation, and never-seen ones one signature verification; around
 * either, node:http's and Fastify's per-request work was the largest cost left (see `FastLane`).
 * Only the common shape is taken, `GET /oauth2/tokeninfo` with a bearer header and no query;
 * anything else (query parameter, HEAD, another scheme, another path) goes to the Fastify route,
 * which answers the same way through the same `answerTokeninfo`.
 */

/**
 * The hot path of `GET /oauth2/tokeninfo`, for a server built with
 * `httpServerFactory({ fastLanes: [tokeninfoLane(verifier)] })`.
 */
export function tokeninfoLane(verifier: TokenVerification, options: TokeninfoLaneOptions = {}): FastLane {
  const nowSeconds = secondsOf(options.clock ?? systemClock);
  const onError = options.onError ?? (() => {});
  const toLaneAnswer = ({ status, body }: TokeninfoAnswer): LaneAnswer => ({
    status,
    headerLines: status === 401 ? REFUSED_HEADERS : HEADERS,
    body,
  });
  const failed = (error: unknown): LaneAnswer => {
    onError(error);
    return SERVER_ERROR;
  };
  return (request) => {
    if (request.target !== "/oauth2/tokeninfo") return undefined;
    const token = bearerTokenOf(request.header("authorization"));
    if (token === undefined) return undefined;
    return () => answerTokeninfo(verifier, token, nowSeconds()).then(toLaneAnswer, failed);
  };
}

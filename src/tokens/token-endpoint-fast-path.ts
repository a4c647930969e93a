import type { IncomingMessage, ServerResponse } from "node:http";
import { type FastPath, turnBatch } from "../core/index.js";
import { OAUTH_PATHS } from "./discovery.js";
import { answerTokenRequest, type TokenAnswer, tokenErrorAnswer } from "./token-answer.js";
import type { TokenEndpoint } from "./token-endpoint.js";
import { parseTokenForm, TOKEN_FORM_LIMIT } from "./token-form.js";

export interface TokenEndpointFastPathOptions {
  /** The id a request is known by in logs and in its `x-request-id` answer header. */
  readonly requestId: (request: IncomingMessage) => string;
  /** Told about errors that are not the client's; the client gets a bare `server_error`. */
  readonly onServerError?: (error: unknown, requestId: string) => void;
  /** Told about every answer, for the server's request metrics. */
  readonly onAnswered?: (status: number, seconds: number) => void;
}

const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded(?:[ ]*;[ ]*charset=utf-8)?$/i;
const DECIMAL = /^[0-9]{1,6}$/;

/*
 * Why beneath Fastify: services ask for tokens all the time, and issuing one costs little more
 * than its ES256 signature, so Fastify's per-request work (routing, hooks, a child logger, body
 * parsing through its content-type machinery, validation, serialization) was the largest share
 * left. Measured on this project's 2-core machine (client_credentials, 16 connections, server and
 * wrk on their own cores, alternating runs, CPU per token): 82–89 µs here against 91–100 µs through
 * the Fastify route, of which the ES256 signature is about 30 µs. Headers go to `writeHead` as a
 * flat list, and the token into the body unescaped (a compact JWS needs no escaping): a first
 * version that spread header objects and escaped the token was no faster than Fastify.
 *
 * Only the plain shape is taken: `POST /oauth2/access_token` with a form body of a declared length
 * within the limit. Anything else (chunked bodies, other media types, oversized bodies) goes to the
 * Fastify route, which parses with the same `parseTokenForm` and answers with the same
 * `answerTokenRequest`, so both paths refuse the same requests with the same words.
 */

/**
 * The hot path of `POST /oauth2/access_token`, for a server built with `httpServerFactory`.
 *
 * @example
 * createHttpApp({ ..., fastPaths: [tokenEndpointFastPath(provider.tokenEndpoint, { requestId })] });
 */
export function tokenEndpointFastPath(
  endpoint: TokenEndpoint,
  options: TokenEndpointFastPathOptions,
): FastPath {
  const { requestId } = options;
  const onServerError = options.onServerError ?? (() => {});
  const onAnswered = options.onAnswered ?? (() => {});
  // The requests of a turn are answered back to back (see turnBatch).
  const batch = turnBatch();
  return (request, response) => {
    if (request.method !== "POST" || request.url !== OAUTH_PATHS.token) return false;
    const { headers } = request;
    const contentType = headers["content-type"];
    const length = headers["content-length"];
    if (
      contentType === undefined ||
      !FORM_CONTENT_TYPE.test(contentType) ||
      length === undefined ||
      !DECIMAL.test(length) ||
      Number(length) > TOKEN_FORM_LIMIT ||
      headers["transfer-encoding"] !== undefined
    ) {
      return false;
    }
    const started = performance.now();
    const id = requestId(request);
    const failed = (error: unknown) => onServerError(error, id);
    const answer = (result: TokenAnswer) => {
      send(response, id, result);
      onAnswered(result.status, (performance.now() - started) / 1000);
    };
    readBody(request, (text) =>
      batch(() => {
        let form: ReturnType<typeof parseTokenForm>;
        try {
          form = parseTokenForm(text);
        } catch (error) {
          answer(tokenErrorAnswer(error, failed));
          return;
        }
        answerTokenRequest(endpoint, headers.authorization, form, failed).then(answer, (error: unknown) =>
          answer(tokenErrorAnswer(error, failed)),
        );
      }),
    );
    return true;
  };
}

/** The whole body as text; node:http has already held it to the declared length. */
function readBody(request: IncomingMessage, then: (text: string) => void): void {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.once("end", () =>
    then(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")),
  );
  // An aborted request has nobody left to answer; node:http closes the socket.
  request.once("error", () => {});
}

function send(response: ServerResponse, requestId: string, answer: TokenAnswer): void {
  response
    .writeHead(answer.status, [
      ...answer.headers,
      "content-length",
      String(Buffer.byteLength(answer.body)),
      "x-request-id",
      requestId,
    ])
    .end(answer.body);
}

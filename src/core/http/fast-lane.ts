import { maxHeaderSize, type Server, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { type TurnBatch, turnBatch } from "./turn-batch.js";

/** A request a fast lane is offered: `GET`, HTTP/1.1, no body, its whole head in one read. */
export interface LaneRequest {
  /** The request target exactly as sent, query included, such as `/oauth2/tokeninfo`. */
  readonly target: string;
  /** A header's value by its lower-case name, without surrounding blanks; each name occurs at most once. */
  header(name: string): string | undefined;
}

/** What a fast lane answers. `Content-Length`, `Date` and the connection headers are added. */
export interface LaneAnswer {
  /** A status that carries a body: not 1xx, 204 or 304 (those are answered as a failure, 500). */
  readonly status: number;
  /** Further header lines, each `Name: value\r\n`, none about framing or the connection; may be empty. */
  readonly headerLines: string;
  readonly body: string;
}

/**
 * A handler for one hot, bodiless request shape, beneath node:http: it returns the work that answers
 * a request it takes (run with the other requests of the event-loop turn, see `turnBatch`), or
 * undefined without side effects, and node:http (and Fastify) handle the connection from then on.
 */
export type FastLane = (request: LaneRequest) => (() => Promise<LaneAnswer> | LaneAnswer) | undefined;

export interface FastLaneOptions {
  /** Told about a lane or its work failing (the client gets node's answer or a bare 500). Default: nothing. */
  readonly onError?: (error: unknown) => void;
}

/*
 * Why beneath node:http: a tokeninfo sidecar answers each never-seen token with one signature
 * verification, and node:http's per-request work (its parser's callbacks into JavaScript, the
 * request and response objects, their events and stream machinery) was the largest cost left beside
 * it. Measured on this project's 2-core machine (never-seen tokens, 16 connections, wrk on the other
 * core, three alternating runs): 101–107 µs of CPU per request through node:http, 92–95 µs through
 * this lane, with the same verification and answer.
 *
 * The lane is a recognizer, not an HTTP implementation: it takes a request only when the read holds
 * exactly one complete head of the plainest shape (GET, HTTP/1.1, a Host, strict header syntax, no
 * header repeated, nothing that announces a body, an upgrade or the end of the connection) and a
 * lane wants it. Anything else, and everything after it on that connection, is handed to node:http
 * as if it had just arrived, so that limits, timeouts, errors and the rest of HTTP stay node's.
 * A connection has one lane request in flight at a time: when bytes arrive meanwhile (a pipelining
 * client) the socket is paused, and once the answer is written node:http gets them and whatever
 * followed, so answers keep their order. A lane that throws when offered a request leaves it to
 * node:http; work that throws or rejects is answered with a bare 500; both are reported.
 */

// Request line and header fields of RFC 9112 with nothing optional: a token name, a colon, a value
// of visible characters, blanks and obs-text. Bare CR or LF, NUL, obs-fold and blanks before the
// colon all fail, and node:http answers those.
const SIMPLE_HEAD =
  /^GET \/[!-~]* HTTP\/1\.1\r\n(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*\r\n)*\r\n$/;
const SERVER_ERROR: LaneAnswer = { status: 500, headerLines: "", body: "" };
// More header lines than this go to node:http; it also keeps the duplicate check below cheap.
const MAX_HEADERS = 32;

class SimpleRequest implements LaneRequest {
  constructor(
    readonly target: string,
    readonly names: readonly string[],
    readonly values: readonly string[],
  ) {}

  header(name: string): string | undefined {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.values[i];
  }
}

/** Whether a header (by lower-case name) says a body follows, or that the connection is to change. */
function isDeclined(name: string): boolean {
  switch (name.length) {
    case 2:
      return name === "te";
    case 6:
      return name === "expect";
    case 7:
      return name === "upgrade";
    case 14:
      return name === "content-length";
    case 17:
      return name === "transfer-encoding";
    default:
      return false;
  }
}

/** Whether a code unit is optional whitespace (RFC 9110: SP or HTAB), all a field value may be padded with. */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** The request in `text` when it is exactly one head of the shape a lane may take. */
export function parseSimpleRequest(text: string): LaneRequest | undefined {
  if (!SIMPLE_HEAD.test(text)) return undefined;
  const requestLineEnd = text.indexOf("\r\n");
  const target = text.slice(4, requestLineEnd - 9);
  const names: string[] = [];
  const values: string[] = [];
  const end = text.length - 2;
  for (let at = requestLineEnd + 2; at < end; ) {
    const lineEnd = text.indexOf("\r\n", at);
    const colon = text.indexOf(":", at);
    const name = text.slice(at, colon).toLowerCase();
    if (names.length === MAX_HEADERS || isDeclined(name) || names.includes(name)) return undefined;
    let from = colon + 1;
    let to = lineEnd;
    while (from < to && isBlank(text.charCodeAt(from))) from++;
    while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
    names.push(name);
    values.push(text.slice(from, to));
    at = lineEnd + 2;
  }
  const request = new SimpleRequest(target, names, values);
  const connection = request.header("connection");
  if (request.header("host") === undefined) return undefined;
  if (connection !== undefined && connection.toLowerCase() !== "keep-alive") return undefined;
  return request;
}

/** The value of `Date`, made once a second as node:http does. */
let dateSecond = -1;
let dateValue = "";
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateValue = new Date(second * 1000).toUTCString();
  }
  return dateValue;
}

/**
 * Puts `lanes` in front of `server`'s own handling of its connections: each simple request (see
 * `parseSimpleRequest`) is offered to the lanes in order, and the first that takes it answers it
 * on the connection directly; a connection with any other request is handed to node:http. Honours
 * the server's `keepAliveTimeout` and `maxRequestsPerSocket`, and its `close`,
 * `closeIdleConnections` and `closeAllConnections` include the lane's connections. Call it on a
 * server no connection has reached yet.
 */
export function installFastLanes(
  server: Server,
  lanes: readonly FastLane[],
  options: FastLaneOptions = {},
): void {
  const nodeListener = server
    .listeners("connection")
    .find((listener) => listener.name === "connectionListener") as ((socket: Socket) => void) | undefined;
  if (nodeListener === undefined) throw new TypeError("installFastLanes needs a node:http server");
  server.removeListener("connection", nodeListener);
  const batch = turnBatch();
  const connections = new Set<LaneConnection>();
  const handOver = (socket: Socket): void => {
    nodeListener.call(server, socket);
  };
  server.prependListener("connection", (socket: Socket) => {
    // node counts requests per connection only for the ones it parses: such a server gets none.
    if ((server.maxRequestsPerSocket ?? 0) > 0) return handOver(socket);
    connections.add(new LaneConnection(socket, server, lanes, batch, handOver, options.onError, connections));
  });
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  server.closeIdleConnections = () => {
    closeIdle();
    for (const connection of connections) connection.closeWhenIdle();
  };
  server.closeAllConnections = () => {
    closeAll();
    for (const connection of connections) connection.socket.destroy();
  };
}

type Work = () => Promise<LaneAnswer> | LaneAnswer;

/** One connection while the lanes answer it. */
class LaneConnection {
  #busy = false;
  /** A read that came while busy (a pipelining client): the socket is paused until the answer is out. */
  #held: Buffer | undefined;
  #closing = false;
  #answered = false;
  readonly #onData = (chunk: Buffer): void => this.#receive(chunk);
  readonly #onError = (): void => {
    this.socket.destroy();
  };
  // Idle too long, or work that never ends: node:http closes such a connection as well.
  readonly #onTimeout = (): void => {
    this.socket.destroy();
  };
  readonly #onClose = (): void => {
    this.connections.delete(this);
  };
  // node:http's sockets stay half-open after the client's end; it closes them itself, as this does.
  readonly #onEnd = (): void => {
    if (this.#busy) this.#closing = true;
    else this.socket.end();
  };

  constructor(
    readonly socket: Socket,
    private readonly server: Server,
    private readonly lanes: readonly FastLane[],
    private readonly batch: TurnBatch,
    private readonly handOver: (socket: Socket) => void,
    private readonly onError: ((error: unknown) => void) | undefined,
    private readonly connections: Set<LaneConnection>,
  ) {
    socket.on("data", this.#onData);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
    socket.on("end", this.#onEnd);
    socket.on("timeout", this.#onTimeout);
    // The first request gets node's time for a head; later ones its keep-alive time.
    socket.setTimeout(server.headersTimeout);
  }

  /** Closes the connection now, or after the answer it is waiting for. */
  closeWhenIdle(): void {
    if (this.#busy) this.#closing = true;
    else this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    if (this.#busy) {
      this.#held = chunk;
      this.socket.pause();
      return;
    }
    const work = this.#offer(chunk);
    if (work === undefined) {
      this.#handOver(chunk);
      return;
    }
    this.#busy = true;
    this.batch(() => {
      let answer: Promise<LaneAnswer> | LaneAnswer;
      try {
        answer = work();
      } catch (error) {
        this.#failed(error);
        return;
      }
      if (answer instanceof Promise) {
        answer.then(
          (value) => this.#answer(value),
          (error: unknown) => this.#failed(error),
        );
      } else {
        this.#answer(answer);
      }
    });
  }

  /** The work of the first lane that takes the request in `chunk`, if it is a simple request. */
  #offer(chunk: Buffer): Work | undefined {
    // A head over node's limit is node's to refuse (431).
    if (chunk.length > ((this.server as { maxHeaderSize?: number }).maxHeaderSize ?? maxHeaderSize)) {
      return undefined;
    }
    const request = parseSimpleRequest(chunk.toString("latin1"));
    if (request === undefined) return undefined;
    try {
      for (const lane of this.lanes) {
        const work = lane(request);
        if (work !== undefined) return work;
      }
    } catch (error) {
      // A lane that fails to decide leaves the request to node:http and its routes.
      this.#report(error);
    }
    return undefined;
  }

  #failed(error: unknown): void {
    this.#answer(SERVER_ERROR);
    this.#report(error);
  }

  #report(error: unknown): void {
    try {
      this.onError?.(error);
    } catch {
      // A failing error reporter must not cost the client its answer or the server its process.
    }
  }

  #answer(answer: LaneAnswer): void {
    if (answer.status < 200 || answer.status === 204 || answer.status === 304) {
      this.#failed(new RangeError(`a fast lane answered ${answer.status}, a status without a body`));
      return;
    }
    this.#busy = false;
    const socket = this.socket;
    if (socket.destroyed) return;
    const timeout = this.server.keepAliveTimeout;
    const keepAlive =
      timeout > 0 ? `keep-alive\r\nKeep-Alive: timeout=${Math.floor(timeout / 1000)}` : "keep-alive";
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}\r\n${answer.headerLines}` +
        `Content-Length: ${Buffer.byteLength(answer.body)}\r\nDate: ${httpDate()}\r\n` +
        `Connection: ${this.#closing ? "close" : keepAlive}\r\n\r\n${answer.body}`,
    );
    if (this.#closing) {
      socket.end();
    } else if (this.#held !== undefined) {
      this.#handOver(this.#held);
    } else if (!this.#answered) {
      this.#answered = true;
      socket.setTimeout(timeout);
    }
  }

  /** node:http takes the connection over, starting with `chunk`, as if it had just been read. */
  #handOver(chunk: Buffer): void {
    const socket = this.socket;
    socket.removeListener("data", this.#onData);
    socket.removeListener("error", this.#onError);
    socket.removeListener("timeout", this.#onTimeout);
    socket.removeListener("close", this.#onClose);
    socket.removeListener("end", this.#onEnd);
    socket.setTimeout(0);
    this.connections.delete(this);
    this.#held = undefined;
    this.handOver(socket);
    socket.unshift(chunk);
    // Paused while a pipelining client waited: what it sent after `chunk` (and its end) follows.
    if (socket.isPaused()) socket.resume();
  }
}

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
  readonly status: number;
  /** Further header lines, each `Name: value\r\n`; may be empty. */
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
  /** Told about work that failed; the client gets a bare 500. Default: nothing. */
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
 * A connection has one lane request in flight at a time: bytes that arrive meanwhile (a pipelining
 * client) are kept and handed to node:http once the answer is written, so answers keep their order.
 */

// Request line and header fields of RFC 9112 with nothing optional: a token name, a colon, a value
// of visible characters, blanks and obs-text. Bare CR or LF, NUL, obs-fold and blanks before the
// colon all fail, and node:http answers those.
const SIMPLE_HEAD =
  /^GET \/[!-~]* HTTP\/1\.1\r\n(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*\r\n)*\r\n$/;
// Headers that say a body follows, or that the connection is to change or end.
const DECLINED_HEADERS = new Set(["content-length", "transfer-encoding", "upgrade", "expect", "te"]);
// Bytes kept from a pipelining client while its lane request is answered.
const MAX_HELD_BYTES = 64 * 1024;

class SimpleRequest implements LaneRequest {
  constructor(
    readonly target: string,
    readonly headers: ReadonlyMap<string, string>,
  ) {}

  header(name: string): string | undefined {
    return this.headers.get(name);
  }
}

/** The request in `text` when it is exactly one head of the shape a lane may take. */
export function parseSimpleRequest(text: string): LaneRequest | undefined {
  if (!SIMPLE_HEAD.test(text)) return undefined;
  const requestLineEnd = text.indexOf("\r\n");
  const target = text.slice(4, requestLineEnd - 9);
  const headers = new Map<string, string>();
  const end = text.length - 2;
  for (let at = requestLineEnd + 2; at < end; ) {
    const lineEnd = text.indexOf("\r\n", at);
    const colon = text.indexOf(":", at);
    const name = text.slice(at, colon).toLowerCase();
    if (headers.has(name) || DECLINED_HEADERS.has(name)) return undefined;
    headers.set(name, text.slice(colon + 1, lineEnd).trim());
    at = lineEnd + 2;
  }
  const connection = headers.get("connection");
  if (!headers.has("host") || (connection !== undefined && connection.toLowerCase() !== "keep-alive")) {
    return undefined;
  }
  return new SimpleRequest(target, headers);
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
    const connection = new LaneConnection(
      socket,
      server,
      lanes,
      batch,
      handOver,
      options.onError,
      connections,
    );
    connections.add(connection);
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

/** One connection while the lanes answer it. */
class LaneConnection {
  #busy = false;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #closing = false;
  #served = 0;
  readonly #onData = (chunk: Buffer): void => this.#receive(chunk);
  readonly #onError = (): void => {
    this.socket.destroy();
  };
  readonly #onTimeout = (): void => {
    if (!this.#busy) this.socket.destroy();
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
    if (server.keepAliveTimeout > 0) {
      socket.setTimeout(server.keepAliveTimeout);
      socket.on("timeout", this.#onTimeout);
    }
  }

  /** Closes the connection now, or after the answer it is waiting for. */
  closeWhenIdle(): void {
    if (this.#busy) this.#closing = true;
    else this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    if (this.#busy) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
      if (this.#heldBytes > MAX_HELD_BYTES) this.socket.destroy();
      return;
    }
    // A head over node's limit is node's to refuse (431).
    const request =
      chunk.length > ((this.server as { maxHeaderSize?: number }).maxHeaderSize ?? maxHeaderSize)
        ? undefined
        : parseSimpleRequest(chunk.toString("latin1"));
    let work: (() => Promise<LaneAnswer> | LaneAnswer) | undefined;
    if (request !== undefined) {
      for (const lane of this.lanes) {
        work = lane(request);
        if (work !== undefined) break;
      }
    }
    if (work === undefined) {
      this.#handOver([chunk]);
      return;
    }
    this.#busy = true;
    const run = work;
    this.batch(() => {
      let answer: Promise<LaneAnswer> | LaneAnswer;
      try {
        answer = run();
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

  #failed(error: unknown): void {
    this.onError?.(error);
    this.#answer({ status: 500, headerLines: "", body: "" });
  }

  #answer(answer: LaneAnswer): void {
    this.#busy = false;
    const socket = this.socket;
    if (socket.destroyed) return;
    const max = this.server.maxRequestsPerSocket ?? 0;
    const last = this.#closing || (max > 0 && ++this.#served >= max);
    const keepAlive =
      this.server.keepAliveTimeout > 0
        ? `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.server.keepAliveTimeout / 1000)}\r\n`
        : "Connection: keep-alive\r\n";
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}\r\n${answer.headerLines}` +
        `Content-Length: ${Buffer.byteLength(answer.body)}\r\nDate: ${httpDate()}\r\n` +
        `${last ? "Connection: close\r\n" : keepAlive}\r\n${answer.body}`,
    );
    if (last) socket.end();
    else if (this.#held.length > 0) this.#handOver(this.#held);
  }

  /** node:http takes the connection over, starting with `chunks`, as if they had just been read. */
  #handOver(chunks: readonly Buffer[]): void {
    const socket = this.socket;
    socket.removeListener("data", this.#onData);
    socket.removeListener("error", this.#onError);
    socket.removeListener("timeout", this.#onTimeout);
    socket.removeListener("close", this.#onClose);
    socket.removeListener("end", this.#onEnd);
    socket.setTimeout(0);
    this.connections.delete(this);
    this.#held = [];
    this.handOver(socket);
    socket.unshift(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  }
}

import { connect, type Socket } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { type FastLane, type LaneAnswer, parseSimpleRequest } from "./fast-lane.js";
import { httpServerFactory } from "./server-factory.js";

const LANE_HEADERS = "Content-Type: text/plain\r\n";

let app: FastifyInstance | undefined;
let port: number;
let laneAnswers: string[];
let errors: unknown[];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await app?.close();
  app = undefined;
});

/**
 * A server whose lane answers `GET /lane` (after `delay` ms when given) and throws for
 * `GET /lane-fails`; Fastify answers everything else, and `/lane` too when the lane is passed over.
 */
async function serve(
  settings: { keepAliveTimeout?: number; maxRequestsPerSocket?: number } = {},
  delay?: number,
  onError: (error: unknown) => void = (error) => errors.push(error),
): Promise<void> {
  laneAnswers = [];
  errors = [];
  const lane: FastLane = (request) => {
    if (request.target === "/lane-throws") throw new Error("the lane cannot decide");
    if (request.target === "/lane-rejects") return () => Promise.reject(new Error("the work failed"));
    if (request.target === "/lane-204") return () => ({ status: 204, headerLines: "", body: "x" });
    if (request.target === "/lane-fails") {
      return () => {
        throw new Error("the lane broke");
      };
    }
    if (request.target !== "/lane") return undefined;
    const who = request.header("x-who") ?? "nobody";
    return async (): Promise<LaneAnswer> => {
      if (delay !== undefined) await pause(delay);
      laneAnswers.push(who);
      const body = who === "utf8" ? "grüße €" : `lane answers ${who}`;
      return { status: 200, headerLines: LANE_HEADERS, body };
    };
  };
  app = Fastify({
    ...settings,
    serverFactory: httpServerFactory({ fastLanes: [lane], onFastLaneError: onError }),
  });
  app.get("/lane", async (request) => `node answers ${request.headers["x-who"] ?? "nobody"}`);
  app.get("/lane-throws", async () => "node answers lane-throws");
  app.get("/other", async () => "node answers other");
  app.post("/other", async (request) => `node got ${JSON.stringify(request.body)}`);
  await app.listen({ host: "127.0.0.1", port: 0 });
  port = (app.server.address() as { port: number }).port;
}

function request(target: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ Host: "localhost", ...headers }).map(
    ([name, value]) => `${name}: ${value}\r\n`,
  );
  return `GET ${target} HTTP/1.1\r\n${lines.join("")}\r\n`;
}

/** A raw connection that collects what the server sends. */
async function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  let text = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    text += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  return { socket, received: () => text, closed };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(5);
  }
}

/** The responses in `text`: status and body each, in order. */
function responses(text: string): Array<{ status: number; headers: Record<string, string>; body: string }> {
  const found = [];
  let rest = text;
  while (rest.length > 0) {
    const headEnd = rest.indexOf("\r\n\r\n");
    if (headEnd < 0) break;
    const [statusLine, ...lines] = rest.slice(0, headEnd).split("\r\n");
    const headers = Object.fromEntries(
      lines.map((line) => [
        line.slice(0, line.indexOf(":")).toLowerCase(),
        line.slice(line.indexOf(":") + 1).trim(),
      ]),
    );
    const length = Number(headers["content-length"] ?? 0);
    found.push({
      status: Number(statusLine!.split(" ")[1]),
      headers,
      body: rest.slice(headEnd + 4, headEnd + 4 + length),
    });
    rest = rest.slice(headEnd + 4 + length);
  }
  return found;
}

async function exchange(...sent: string[]): Promise<ReturnType<typeof responses>> {
  const { socket, received } = await open();
  for (const bytes of sent) {
    const before = responses(received()).length;
    socket.write(bytes);
    await until(() => responses(received()).length > before, "an answer");
  }
  return responses(received());
}

describe("parseSimpleRequest", () => {
  it("reads the target and the headers of a plain GET", () => {
    const parsed = parseSimpleRequest(request("/a?b=c", { Authorization: "Bearer  x ", "X-Y": "" }));
    expect(parsed?.target).toBe("/a?b=c");
    expect(parsed?.header("authorization")).toBe("Bearer  x");
    expect(parsed?.header("x-y")).toBe("");
    expect(parsed?.header("host")).toBe("localhost");
    expect(parsed?.header("accept")).toBeUndefined();
  });

  it("strips only blanks and tabs around a value, as node:http does", () => {
    const parsed = parseSimpleRequest("GET / HTTP/1.1\r\nHost: a\r\nX-A: \t\xa0b\xa0 \t\r\n\r\n");
    expect(parsed?.header("x-a")).toBe("\xa0b\xa0");
  });

  it("accepts an explicit keep-alive in any case", () => {
    expect(parseSimpleRequest(request("/", { Connection: "Keep-Alive" }))).toBeDefined();
  });

  it.each([
    ["HEAD", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"],
    ["POST", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"],
    ["HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\n\r\n"],
    ["an absolute target", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n"],
    ["no Host", "GET / HTTP/1.1\r\n\r\n"],
    ["a body length", request("/", { "Content-Length": "0" })],
    ["a chunked body", request("/", { "Transfer-Encoding": "chunked" })],
    ["an upgrade", request("/", { Connection: "Upgrade", Upgrade: "websocket" })],
    ["the end of the connection", request("/", { Connection: "close" })],
    ["an expectation", request("/", { Expect: "100-continue" })],
    ["a repeated header", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n"],
    ["a repeated Host", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"],
    [
      "more than 32 headers",
      request("/", Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`X-${i}`, "v"]))),
    ],
    ["a bare LF", "GET / HTTP/1.1\nHost: a\r\n\r\n"],
    ["a bare CR in a value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"],
    ["a NUL in a value", "GET / HTTP/1.1\r\nHost: a\u0000\r\n\r\n"],
    ["a blank before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n"],
    ["a folded line", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n"],
    ["a line without a colon", "GET / HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n"],
    ["an incomplete head", "GET / HTTP/1.1\r\nHost: a\r\n"],
    ["two requests", `${request("/")}${request("/")}`],
    ["a request followed by bytes", `${request("/")}x`],
  ])("passes over %s", (_, text) => {
    expect(parseSimpleRequest(text)).toBeUndefined();
  });
});

describe("installFastLanes", () => {
  it("answers the requests a lane takes on the connection, with node's connection headers", async () => {
    await serve({ keepAliveTimeout: 5_000 });
    const [first, second] = await exchange(
      request("/lane", { "X-Who": "a" }),
      request("/lane", { "X-Who": "b" }),
    );
    expect(laneAnswers).toEqual(["a", "b"]);
    expect(first).toMatchObject({ status: 200, body: "lane answers a" });
    expect(second).toMatchObject({ status: 200, body: "lane answers b" });
    expect(first!.headers).toMatchObject({
      "content-type": "text/plain",
      "content-length": String("lane answers a".length),
      connection: "keep-alive",
      "keep-alive": "timeout=5",
    });
    expect(new Date(first!.headers.date!).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("counts the body's length in bytes", async () => {
    await serve();
    const { socket, received } = await open();
    socket.write(request("/lane", { "X-Who": "utf8" }));
    await until(() => received().includes("\r\n\r\n"), "an answer");
    const [answer] = responses(received());
    expect(Number(answer!.headers["content-length"])).toBe(Buffer.byteLength("grüße €"));
  });

  it("hands a connection to node:http at the first request no lane takes, for good", async () => {
    await serve();
    const answers = await exchange(
      request("/lane", { "X-Who": "a" }),
      request("/other"),
      request("/lane", { "X-Who": "b" }),
    );
    expect(answers.map((a) => a.body)).toEqual(["lane answers a", "node answers other", "node answers b"]);
    expect(laneAnswers).toEqual(["a"]);
  });

  it.each([
    ["HEAD", "HEAD /lane HTTP/1.1\r\nHost: a\r\nX-Who: h\r\n\r\n", 200, ""],
    ["HTTP/1.0", "GET /lane HTTP/1.0\r\nX-Who: o\r\n\r\n", 200, "node answers o"],
    [
      "a body",
      'POST /other HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}',
      200,
      'node got {"a":1}',
    ],
    ["no Host", "GET /lane HTTP/1.1\r\n\r\n", 400, undefined],
    ["a bare LF", "GET /lane HTTP/1.1\nHost: a\n\n", 400, undefined],
    ["a blank before the colon", "GET /lane HTTP/1.1\r\nHost : a\r\n\r\n", 400, undefined],
    ["a head of 20 KiB", request("/lane", { "X-Big": "b".repeat(20_000) }), 431, undefined],
  ])("leaves a request with %s to node:http", async (_, bytes, status, body) => {
    await serve();
    const { socket, received } = await open();
    socket.write(bytes);
    await until(() => received().includes("\r\n\r\n"), "an answer");
    await pause(20);
    const [answer] = responses(received());
    expect(answer?.status).toBe(status);
    if (body !== undefined) expect(answer?.body).toBe(body);
    expect(laneAnswers).toEqual([]);
  });

  it("hands over a head that arrives in pieces", async () => {
    await serve();
    const { socket, received } = await open();
    const bytes = request("/lane", { "X-Who": "split" });
    socket.write(bytes.slice(0, 10));
    await pause(20);
    socket.write(bytes.slice(10));
    await until(() => responses(received()).length === 1, "an answer");
    expect(responses(received())[0]!.body).toBe("node answers split");
  });

  it("answers pipelined requests in order, the lane's first", async () => {
    await serve({}, 30);
    const { socket, received } = await open();
    socket.write(request("/lane", { "X-Who": "first" }));
    await pause(5);
    // Sent while the lane still works on the first: node:http answers these, after it.
    socket.write(`${request("/lane", { "X-Who": "second" })}${request("/other")}`);
    await until(() => responses(received()).length === 3, "three answers");
    expect(responses(received()).map((a) => a.body)).toEqual([
      "lane answers first",
      "node answers second",
      "node answers other",
    ]);
  });

  it("answers 500 and reports work that throws or rejects, and keeps the connection", async () => {
    await serve();
    const answers = await exchange(
      request("/lane-fails"),
      request("/lane-rejects"),
      request("/lane-204"),
      request("/lane", { "X-Who": "after" }),
    );
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(answers[0]!.body).toBe("");
    expect(errors.map((e) => (e as Error).message)).toEqual([
      "the lane broke",
      "the work failed",
      "a fast lane answered 204, a status without a body",
    ]);
  });

  it("leaves a request to node:http when a lane throws on being offered it", async () => {
    await serve();
    const answers = await exchange(request("/lane-throws"), request("/lane", { "X-Who": "next" }));
    expect(answers.map((a) => a.body)).toEqual(["node answers lane-throws", "node answers next"]);
    expect(errors).toHaveLength(1);
  });

  it("still answers when the error reporter throws", async () => {
    await serve({}, undefined, () => {
      throw new Error("the reporter broke");
    });
    const answers = await exchange(request("/lane-fails"), request("/lane-throws"));
    expect(answers.map((a) => a.status)).toEqual([500, 200]);
  });

  it("hands a pipelined request sent with the client's end to node:http, which ends the connection", async () => {
    await serve({}, 30);
    const { socket, received, closed } = await open();
    socket.write(request("/lane", { "X-Who": "first" }));
    await pause(5);
    socket.end(request("/lane", { "X-Who": "second" }));
    await closed;
    // node:http (httpAllowHalfOpen false) abandons requests still unanswered when the client ends,
    // as it would had the lane not been there and the end come before its route answered.
    expect(responses(received())[0]!.body).toBe("lane answers first");
  });

  it("hands a large pipelined body to node:http whole", async () => {
    await serve({}, 30);
    const { socket, received } = await open();
    socket.write(request("/lane", { "X-Who": "first" }));
    await pause(5);
    const body = JSON.stringify({ a: "b".repeat(200_000) });
    socket.write(
      `POST /other HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    await until(() => responses(received()).length === 2, "two answers");
    const [first, second] = responses(received());
    expect(first!.body).toBe("lane answers first");
    expect(second!.body).toBe(`node got ${body}`);
  });

  it("waits for a first request as long as node waits for a head", async () => {
    await serve({ keepAliveTimeout: 100 });
    const { socket, received } = await open();
    await pause(300);
    socket.write(request("/lane", { "X-Who": "late" }));
    await until(() => responses(received()).length === 1, "an answer");
    expect(responses(received())[0]!.body).toBe("lane answers late");
  });

  it("closes a connection that stays idle for the keep-alive timeout", async () => {
    await serve({ keepAliveTimeout: 200 });
    const { socket, closed } = await open();
    socket.write(request("/lane"));
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("leaves every connection to node:http on a server with maxRequestsPerSocket", async () => {
    await serve({ maxRequestsPerSocket: 2 });
    const { socket, received } = await open();
    socket.write(request("/lane"));
    await until(() => responses(received()).length === 1, "an answer");
    socket.write(request("/lane"));
    await until(() => responses(received()).length === 2, "two answers");
    const answers = responses(received());
    expect(answers.map((a) => a.body)).toEqual(["node answers nobody", "node answers nobody"]);
    expect(answers.map((a) => a.headers.connection)).toEqual(["keep-alive", "close"]);
    expect(laneAnswers).toEqual([]);
  });

  it("closes every connection when the server closes all", async () => {
    await serve({}, 10_000);
    const busy = await open();
    busy.socket.write(request("/lane", { "X-Who": "stuck" }));
    await pause(20);
    app!.server.closeAllConnections();
    await busy.closed;
  });

  it("ends its side when the client ends, after the answer it works on", async () => {
    await serve({}, 30);
    const { socket, received, closed } = await open();
    socket.end(request("/lane", { "X-Who": "last" }));
    await closed;
    expect(responses(received()).map((a) => a.body)).toEqual(["lane answers last"]);
  });

  it("lets the server close: idle connections at once, busy ones after their answer", async () => {
    await serve({ keepAliveTimeout: 60_000 }, 100);
    const idle = await open();
    idle.socket.write(request("/lane"));
    await until(() => responses(idle.received()).length === 1, "an answer");
    const busy = await open();
    busy.socket.write(request("/lane", { "X-Who": "busy" }));
    await pause(20);
    const started = Date.now();
    await app!.close();
    app = undefined;
    await Promise.all([idle.closed, busy.closed]);
    expect(Date.now() - started).toBeLessThan(2_000);
    const [answer] = responses(busy.received());
    expect(answer).toMatchObject({ status: 200, body: "lane answers busy" });
    expect(answer!.headers.connection).toBe("close");
  });

  it("survives a client that leaves before its answer", async () => {
    await serve({}, 30);
    const gone = await open();
    gone.socket.write(request("/lane", { "X-Who": "gone" }));
    gone.socket.destroy();
    await pause(60);
    const [answer] = await exchange(request("/lane", { "X-Who": "next" }));
    expect(answer?.body).toBe("lane answers next");
  });
});

import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { turnBatch } from "./turn-batch.js";
import { coalesceWrites, MAX_BATCH } from "./write-coalescing.js";

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  coalesceWrites(server);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address !== "object") throw new Error("no address");
  return address.port;
}

/** Sends raw bytes and collects everything the server sends until it closes the connection. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("end", () => resolve(received));
    socket.on("error", reject);
  });
}

describe("coalesceWrites", () => {
  it("hands a connection's writes to the kernel at the end of the event-loop turn, not at once", async () => {
    const seen: number[] = [];
    const port = await listen((_request, response) => {
      response.end("hello");
      const socket = response.socket as Socket;
      seen.push(socket.writableLength);
      setImmediate(() => seen.push(socket.writableLength));
    });
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe("hello");
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[1]).toBe(0);
  });

  it("sends what a batch of fast-path answers writes in the same turn", async () => {
    const batch = turnBatch();
    const seen: number[] = [];
    const port = await listen((_request, response) => {
      batch(() => {
        const socket = response.socket as Socket;
        // Queued before the answer is written: it runs in the next turn.
        setImmediate(() => seen.push(socket.writableLength));
        void Promise.resolve().then(() => response.end("hello"));
      });
    });
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe("hello");
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen).toEqual([0]);
  });

  it("keeps the order of pipelined responses on one connection", async () => {
    const port = await listen((request, response) => {
      const delay = request.url === "/slow" ? 20 : 0;
      setTimeout(() => response.end(`answer ${request.url};`), delay);
    });
    const requests = ["/slow", "/a", "/b"]
      .map((path, i) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${i === 2 ? "Connection: close\r\n" : ""}\r\n`)
      .join("");
    const received = await exchange(port, requests);
    const bodies = [...received.matchAll(/answer (\/\w+);/g)].map((m) => m[1]);
    expect(bodies).toEqual(["/slow", "/a", "/b"]);
  });

  it("delivers every answer whole when many connections answer in the same turn", async () => {
    const body = "x".repeat(10_000);
    const port = await listen((request, response) => response.end(`${request.url}:${body}`));
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => fetch(`http://127.0.0.1:${port}/${i}`).then((r) => r.text())),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => `/${i}:${body}`));
  });

  it("streams a large body completely", async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const port = await listen((_request, response) => {
      let left = 64;
      const more = (): void => {
        while (left > 0) {
          left--;
          if (!response.write(chunk)) return void response.once("drain", more);
        }
        response.end();
      };
      more();
    });
    const received = Buffer.from(await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer());
    expect(received.length).toBe(64 * chunk.length);
    expect(received.every((byte) => byte === 7)).toBe(true);
  });

  it("sends an answer written just before its connection is destroyed (node:http's 400 for a malformed request)", async () => {
    const port = await listen((_request, response) => response.end("never asked"));
    const received = await exchange(port, "GARBAGE\r\n\r\n");
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("sends the last answer of a connection that a graceful close ends in the same turn", async () => {
    const port = await listen((_request, response) => {
      setTimeout(() => {
        response.end("hello");
        server?.close();
      });
    });
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe("hello");
  });

  it("keeps serving other connections when one is destroyed while its answer waits", async () => {
    const port = await listen((request, response) => {
      response.end("bye");
      if (request.url === "/drop") response.socket?.destroy();
    });
    await fetch(`http://127.0.0.1:${port}/drop`)
      .then((r) => r.text())
      .catch(() => "reset");
    expect(await (await fetch(`http://127.0.0.1:${port}/ok`)).text()).toBe("bye");
  });
  it(`sends the held writes at once when ${MAX_BATCH} wait, without waiting for the end of the turn`, async () => {
    const accepted: Socket[] = [];
    server = createServer();
    coalesceWrites(server);
    server.on("connection", (socket: Socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const count = MAX_BATCH + 5;
    const clients = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<Socket>((resolve) => {
            const client = connect(port, "127.0.0.1", () => resolve(client));
          }),
      ),
    );
    await vi.waitFor(() => expect(accepted).toHaveLength(count));
    for (const socket of accepted) socket.write("x");
    const waiting = accepted.map((socket) => socket.writableLength);
    expect(waiting.slice(0, MAX_BATCH).every((length) => length === 0)).toBe(true);
    expect(waiting.slice(MAX_BATCH).every((length) => length === 1)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(accepted.every((socket) => socket.writableLength === 0)).toBe(true);
    for (const client of clients) client.destroy();
  });
});

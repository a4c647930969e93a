import type { Server } from "node:http";
import type { Socket } from "node:net";
import { afterBatch } from "./turn-batch.js";

type WriteCallback = (error?: Error | null) => void;
type Chunks = Array<{ chunk: unknown; encoding: BufferEncoding }>;

interface SocketInternals {
  _write(chunk: unknown, encoding: BufferEncoding, callback: WriteCallback): void;
  _writev(chunks: Chunks, callback: WriteCallback): void;
  _destroy(error: Error | null, callback: (error?: Error | null) => void): void;
}

/*
 * Why: on loopback, and most of all in a virtual machine, a write to a socket whose reader sleeps
 * costs the writer a cross-core wake-up in the kernel (an inter-processor interrupt), which on this
 * project's 2-core machine took about 18 µs, as much as the rest of the HTTP work of a small answer.
 * A server that answers each request as soon as it is ready pays that once per response; one that
 * sends the answers of an event-loop turn together pays it about once per turn, since the first
 * write wakes the reader and the rest find it awake. Measured with wrk on the other core, 16
 * connections, CPU per request: the tokeninfo sidecar with never-seen tokens 165 → 126 µs,
 * client_credentials issuance through the server 132–160 → 89–99 µs, with lower p99 for both. An
 * answer waits at most for the rest of the turn it was written in, work the server would otherwise
 * have done before the next turn anyway.
 *
 * Node.js has no public way to hold writes across sockets: `cork()` is undone by every
 * `response.end()`. So each connection's `_write` and `_writev`, the Writable implementation
 * methods that hand bytes to the kernel, are wrapped: to the stream above, the socket takes a
 * moment to accept a write. A stream has at most one write in flight, so a connection holds at
 * most one deferred write, and its `_destroy` sends that write first: node:http and Fastify answer
 * a malformed request by writing a 400 and destroying the socket at once, and a graceful close
 * destroys connections whose last answer has ended but may not have been sent yet.
 *
 * A turn can hold many answers (a burst on a thousand connections), and the first would wait for
 * all of them, so once `MAX_BATCH` writes wait they are sent at once: an answer waits for at most
 * that many others, and the kernel is still entered once per batch rather than once per answer.
 * At 16 connections a bound of 8 measured the same as none; 4 cost 5–10 % more CPU.
 */

/** Writes held at most before they are sent without waiting for the end of the turn. */
export const MAX_BATCH = 32;

/**
 * Makes every connection of `server` hand its writes to the kernel at the end of the current
 * event-loop turn (in `setImmediate`, or right after the `turnBatch` whose work wrote them),
 * together with the writes of every other connection, or as soon as `MAX_BATCH` writes wait.
 * Order within a connection is kept, and a write still waiting when its connection is destroyed
 * is sent before the socket closes.
 */
export function coalesceWrites(server: Server): void {
  const due: Array<() => void> = [];
  const flush = (): void => {
    // Writes queued while flushing (a callback that writes again) wait for the next turn.
    for (const send of due.splice(0, due.length)) send();
  };
  server.on("connection", (socket: Socket) => {
    const internals = socket as unknown as SocketInternals;
    const { _write: write, _writev: writev, _destroy: destroy } = internals;
    let waiting: (() => void) | undefined;
    const send = (): void => {
      const pending = waiting;
      waiting = undefined;
      try {
        pending?.();
      } catch (error) {
        socket.destroy(error as Error);
      }
    };
    const defer = (pending: () => void): void => {
      waiting = pending;
      const held = due.push(send);
      // Written by a batch of fast-path answers: sent right after the batch, in this turn.
      if (held === 1 && !afterBatch(flush)) setImmediate(flush);
      else if (held >= MAX_BATCH) flush();
    };
    internals._write = (chunk, encoding, callback) =>
      defer(() => write.call(socket, chunk, encoding, callback));
    internals._writev = (chunks, callback) => defer(() => writev.call(socket, chunks, callback));
    internals._destroy = (error, callback) => {
      send();
      destroy.call(socket, error, callback);
    };
  });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { FastifyServerFactoryHandler } from "fastify";
import { coalesceWrites } from "./write-coalescing.js";

/**
 * A handler beneath Fastify for one hot, simple request shape: it takes a request it answers and
 * returns true, or returns false without touching it, and Fastify handles the request as usual.
 */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface HttpServerFactoryOptions {
  /** Offered every request, in order, before Fastify; default none. */
  readonly fastPaths?: readonly FastPath[];
}

// Fastify's own default, which it applies only to servers it creates itself.
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * The `serverFactory` of every Charter HTTP server: a node:http server whose connections send the
 * responses of an event-loop turn together (`coalesceWrites`), and which offers each request to
 * the fast paths first. Fast paths exist where Fastify's per-request work costs more than the
 * answer (measured by the benchmarks); each must give the same answers as the Fastify route it
 * shadows.
 */
export function httpServerFactory(
  options: HttpServerFactoryOptions = {},
): (handler: FastifyServerFactoryHandler) => Server {
  const paths = options.fastPaths ?? [];
  return (handler) => {
    const server =
      paths.length === 0
        ? createServer(handler)
        : createServer((request, response) => {
            for (const path of paths) if (path(request, response)) return;
            handler(request, response);
          });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    coalesceWrites(server);
    return server;
  };
}

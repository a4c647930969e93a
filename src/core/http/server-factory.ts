import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { FastifyServerFactory } from "fastify";
import { type FastLane, installFastLanes } from "./fast-lane.js";
import { coalesceWrites } from "./write-coalescing.js";

/**
 * A handler beneath Fastify for one hot, simple request shape: it takes a request it answers and
 * returns true, or returns false without touching it, and Fastify handles the request as usual.
 */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface HttpServerFactoryOptions {
  /** Offered every request, in order, before Fastify; default none. */
  readonly fastPaths?: readonly FastPath[];
  /** Offered every simple request, in order, before node:http (see `installFastLanes`); default none. */
  readonly fastLanes?: readonly FastLane[];
  /** Told about fast-lane work that failed. */
  readonly onFastLaneError?: (error: unknown) => void;
}

/** The server settings Fastify applies to a server it creates itself, with its defaults. */
interface FastifyServerOptions {
  readonly keepAliveTimeout?: number;
  readonly requestTimeout?: number;
  readonly connectionTimeout?: number;
  readonly maxRequestsPerSocket?: number;
}

/**
 * The `serverFactory` of every Charter HTTP server: a node:http server whose connections send the
 * responses of an event-loop turn together (`coalesceWrites`), which offers each simple request
 * to the fast lanes first and each request node:http parses to the fast paths. Fast paths exist where Fastify's per-request work costs more than the
 * answer (measured by the benchmarks); each must give the same answers as the Fastify route it
 * shadows.
 */
export function httpServerFactory(options: HttpServerFactoryOptions = {}): FastifyServerFactory<Server> {
  const paths = options.fastPaths ?? [];
  return (handler, fastifyOptions) => {
    const server =
      paths.length === 0
        ? createServer(handler)
        : createServer((request, response) => {
            for (const path of paths) if (path(request, response)) return;
            handler(request, response);
          });
    // What Fastify does for the servers it creates (lib/server.js), so its options keep working.
    const settings = fastifyOptions as FastifyServerOptions;
    server.keepAliveTimeout = settings.keepAliveTimeout ?? 72_000;
    server.requestTimeout = settings.requestTimeout ?? 0;
    server.setTimeout(settings.connectionTimeout ?? 0);
    if ((settings.maxRequestsPerSocket ?? 0) > 0)
      server.maxRequestsPerSocket = settings.maxRequestsPerSocket!;
    coalesceWrites(server);
    const lanes = options.fastLanes ?? [];
    if (lanes.length > 0) {
      const onError = options.onFastLaneError;
      installFastLanes(server, lanes, onError === undefined ? {} : { onError });
    }
    return server;
  };
}

import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { httpServerFactory } from "./server-factory.js";

let close: (() => Promise<void>) | undefined;

afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("httpServerFactory", () => {
  it("gives the server Fastify's own defaults: no request timeout, 72 s keep-alive", async () => {
    const app = Fastify({ serverFactory: httpServerFactory() });
    close = () => app.close();
    await app.ready();
    expect(app.server.requestTimeout).toBe(0);
    expect(app.server.keepAliveTimeout).toBe(72_000);
    expect(app.server.timeout).toBe(0);
  });

  it("applies the server settings given to Fastify", async () => {
    const app = Fastify({
      serverFactory: httpServerFactory(),
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
      connectionTimeout: 60_000,
      maxRequestsPerSocket: 100,
    });
    close = () => app.close();
    await app.ready();
    expect(app.server.requestTimeout).toBe(30_000);
    expect(app.server.keepAliveTimeout).toBe(5_000);
    expect(app.server.timeout).toBe(60_000);
    expect(app.server.maxRequestsPerSocket).toBe(100);
  });

  it("offers each request to the fast paths first and leaves the rest to Fastify", async () => {
    const app = Fastify({
      serverFactory: httpServerFactory({
        fastPaths: [
          (request, response) => {
            if (request.url !== "/fast") return false;
            response.end("from the fast path");
            return true;
          },
        ],
      }),
    });
    app.get("/fast", async () => "from Fastify");
    app.get("/slow", async () => "from Fastify");
    close = () => app.close();
    const base = await app.listen({ host: "127.0.0.1", port: 0 });
    expect(await (await fetch(`${base}/fast`)).text()).toBe("from the fast path");
    expect(await (await fetch(`${base}/slow`)).text()).toBe("from Fastify");
  });
});

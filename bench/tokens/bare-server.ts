import { createServer } from "node:http";
import Fastify from "fastify";

/**
 * A constant body of the size of a tokeninfo answer, from a bare Fastify route (`fastify`, the
 * peer of measurement (a): the ratio shows what verification and caching add on top of Fastify) or
 * a bare node:http server (`node`: the least any Node.js HTTP server spends on a request, the floor
 * under measurement (b)).
 */
const port = Number(process.argv[2]);
const kind = process.argv[3] ?? "fastify";
const body = JSON.stringify({
  access_token: "x".repeat(400),
  uid: "svc-000000",
  grant_type: "password",
  scope: ["uid", "bench.read", "bench.write"],
  realm: "/services",
  token_type: "Bearer",
  "bench.read": true,
  "bench.write": true,
  expires_in: 3599,
});
const headers = { "content-type": "application/json; charset=utf-8", "content-length": String(body.length) };
let close: () => Promise<void>;
if (kind === "node") {
  const server = createServer((_request, response) => response.writeHead(200, headers).end(body));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
} else {
  const app = Fastify({ logger: false });
  app.get("/oauth2/tokeninfo", async (_request, reply) =>
    reply.type("application/json; charset=utf-8").send(body),
  );
  await app.listen({ host: "127.0.0.1", port });
  close = () => app.close();
}
process.stdout.write("listening\n");
process.once("SIGTERM", () => void close().then(() => process.exit(0)));

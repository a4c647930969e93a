import Fastify from "fastify";

/**
 * The peer of measurement (a): a constant body of the size of a tokeninfo answer from a bare
 * Fastify route, so the ratio shows what verification and caching add on top of Fastify.
 */
const port = Number(process.argv[2]);
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
const app = Fastify({ logger: false });
app.get("/oauth2/tokeninfo", async (_request, reply) =>
  reply.type("application/json; charset=utf-8").send(body),
);
await app.listen({ host: "127.0.0.1", port });
process.stdout.write("listening\n");
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));

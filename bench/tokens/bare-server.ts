import Fastify from "fastify";
import { TOKENINFO_SIZED_BODY } from "./tokeninfo-sized-body.js";

/**
 * The peer of measurement (a): a constant body of the size of a tokeninfo answer from a bare
 * Fastify route, so the ratio shows what verification and caching add on top of Fastify.
 */
const port = Number(process.argv[2]);
const body = TOKENINFO_SIZED_BODY;
const app = Fastify({ logger: false });
app.get("/oauth2/tokeninfo", async (_request, reply) =>
  reply.type("application/json; charset=utf-8").send(body),
);
await app.listen({ host: "127.0.0.1", port });
process.stdout.write("listening\n");
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));

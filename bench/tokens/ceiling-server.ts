import { createPublicKey, verify } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import { bearerToken, coalesceWrites, turnBatch } from "../../src/core/index.js";
import { TOKENINFO_SIZED_BODY } from "./tokeninfo-sized-body.js";

/**
 * The ceiling of measurement (b): a node:http server that does nothing per request but one raw
 * node:crypto ES256 verification of the bearer token (no claims, no cache, no revocation checks)
 * and a constant answer of a tokeninfo body's size, answering the requests of a turn back to back
 * and sending the answers together as Charter's servers do (`turnBatch`, `coalesceWrites`). No
 * Node.js tokeninfo can answer never-seen tokens faster than this.
 */
const port = Number(process.argv[2]);
const key = {
  key: createPublicKey({ key: JSON.parse(process.argv[3]!), format: "jwk" }),
  dsaEncoding: "ieee-p1363",
} as const;
const body = TOKENINFO_SIZED_BODY;
const headers = { "content-type": "application/json; charset=utf-8", "content-length": String(body.length) };
const batch = turnBatch();
const server = createServer((request, response) => {
  if (request.url === "/health") return void response.end("ok");
  batch(() => answer(bearerToken(request), response));
});

function answer(token: string | undefined, response: ServerResponse): void {
  const dot = token?.lastIndexOf(".") ?? -1;
  const valid =
    token !== undefined &&
    dot > 0 &&
    verify(
      "sha256",
      Buffer.from(token.slice(0, dot), "latin1"),
      key,
      Buffer.from(token.slice(dot + 1), "base64url"),
    );
  if (valid) response.writeHead(200, headers).end(body);
  else response.writeHead(401).end();
}
coalesceWrites(server);
await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
process.stdout.write("listening\n");
process.once("SIGTERM", () => server.close(() => process.exit(0)));

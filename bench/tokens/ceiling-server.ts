import { createPublicKey, verify } from "node:crypto";
import { createServer } from "node:http";
import { bearerTokenOf, coalesceWrites, type FastLane, installFastLanes } from "../../src/core/index.js";
import { TOKENINFO_SIZED_BODY } from "./tokeninfo-sized-body.js";

/**
 * The ceiling of measurement (b): Charter's HTTP layer for tokeninfo (a fast lane beneath node:http
 * that answers the requests of a turn back to back and sends the answers together) doing nothing
 * per request but one raw node:crypto ES256 verification of the bearer token (no claims, no cache,
 * no revocation checks) and a constant answer of a tokeninfo body's size. A sidecar that verifies
 * fully cannot answer never-seen tokens faster than this.
 */
const port = Number(process.argv[2]);
const key = {
  key: createPublicKey({ key: JSON.parse(process.argv[3]!), format: "jwk" }),
  dsaEncoding: "ieee-p1363",
} as const;
const OK = {
  status: 200,
  headerLines: "Content-Type: application/json; charset=utf-8\r\n",
  body: TOKENINFO_SIZED_BODY,
};
const REFUSED = { status: 401, headerLines: "", body: "" };

const lane: FastLane = (request) => {
  if (request.target !== "/oauth2/tokeninfo") return undefined;
  const token = bearerTokenOf(request.header("authorization"));
  return () => {
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
    return valid ? OK : REFUSED;
  };
};
const server = createServer((request, response) => {
  if (request.url === "/health") response.end("ok");
  else response.writeHead(404).end();
});
coalesceWrites(server);
installFastLanes(server, [lane]);
await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
process.stdout.write("listening\n");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
